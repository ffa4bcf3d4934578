"""Scoring pages: a file or a stored period is scored as a job (POST: the job's page shows its
progress), kept, and shown (GET) riskiest first, with a filter for predicted defects / alarms, a
summary of how the model did when the file holds the true labels, and every row downloadable as
CSV or Excel.

The job reads and scores piece by piece (:class:`openkamp.ml.file_scoring.FileScoring`,
:meth:`ModelService.score_period`), writes every scored row to the kept result
(:class:`openkamp.ml.results.ScoreResults`) and counts what the page says (:class:`Tally`) as it
goes: no step holds the whole file or period. The page and the downloads read the kept rows
through DuckDB, riskiest first, a batch at a time.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from openkamp.core.errors import InvalidInput, NotFound
from openkamp.core.tenancy import Role
from openkamp.core.uploads import copy_limited, safe_name
from openkamp.i18n import t
from openkamp.ingest.names import match_key
from openkamp.jobs import JobContext, portable
from openkamp.ml.file_scoring import FileScoring
from openkamp.ml.results import ScoreResults, Where, numbered
from openkamp.web import scoring
from openkamp.web.modeller import _day, _explain_one, _model_url
from openkamp.web.page import Page, Posting, lang_of, platform_of, render

router = APIRouter()
SHOW_ROWS = 200


def _open_file(
    kamp: Any, who: Any, mv: Any, upload: UploadFile, lang: str, folder: Any
) -> FileScoring:
    """The upload saved into the result's folder (where the job reads it) and checked against
    the model's inputs now, so a file that cannot be scored is refused at once."""
    name = safe_name(upload.filename, "upload.csv")  # refused before anything is written
    (folder / "upload").mkdir()
    path = folder / "upload" / name
    copy_limited(upload.file, path, kamp.settings.upload_max_bytes)
    return FileScoring(kamp, who.principal, mv.name, mv.version, path, lang)


@router.post("/models/{name}/{version}/score")
def score(
    request: Request,
    who: Posting,
    name: str,
    version: int,
    file: UploadFile | None = None,
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
) -> Response:
    kamp = platform_of(request)
    lang = lang_of(request)
    me = who.principal
    if file is not None and file.filename:
        safe_name(file.filename)  # an odd name is refused before anything else
    mv = kamp.models.get(me, name, version)
    has_file = file is not None and bool(file.filename)
    if not has_file and not start and not end:  # never all of history by accident
        raise InvalidInput(
            "Choose a file or a period to score.", code="web_data.score_period_required"
        )
    store = ScoreResults.of(kamp)
    token = store.create(me)
    folder = store.folder(me, token)
    try:
        if has_file:
            assert file is not None
            scoring_file = _open_file(kamp, who, mv, file, lang, folder)
            headers = scoring_file.headers
            meta: dict[str, Any] = {"source": scoring_file.path.name, "file": True}
        else:
            tz = kamp.settings.tz
            last = _day(end, tz)
            period = (_day(start, tz), None if last is None else last + timedelta(days=1))
            headers = {}
            meta = {"source": f"{start} ~ {end}", "headers": {}, "inputs": {}, "file": False}
        store.save_meta(me, token, {"model": mv.name, "version": mv.version, "done": False})
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    what = scoring_file.path.name if has_file else f"{start} ~ {end}"
    params: dict[str, Any] = {"model": mv.name, "version": mv.version, "source": what,
                              "token": token, "meta": meta, "headers": headers,
                              "file": scoring_file.path.name if has_file else None,
                              "lang": lang}  # fmt: skip
    if not has_file:
        params["period"] = [None if t is None else t.isoformat() for t in period]
    job = kamp.jobs.submit(
        me, "score", f"score: {mv.name} v{mv.version} ← {what}", score_for_page,
        role=Role.VIEWER, params=params,
    )  # fmt: skip
    (folder / "job").write_text(str(job["id"]), encoding="utf-8")
    return RedirectResponse(f"/jobs/{job['id']}", status_code=303)


@portable
def score_for_page(ctx: JobContext) -> dict[str, Any]:
    """The job of :func:`score`: the file or period into the kept result, counted for the
    result page (:class:`Tally`) as it is scored. Portable: on a Dask cluster it runs on a
    worker, which sees the result's folder (the installation's data folder) at the same path."""
    from datetime import datetime

    p = ctx.params
    kamp, me = ctx.platform, ctx.principal
    store = ScoreResults.of(kamp)
    token = str(p["token"])
    folder = store.folder(me, token)
    mv = kamp.models.get(me, p["model"], int(p["version"]))
    model = kamp.models.load(me, mv.name, mv.version)
    meta, headers = dict(p["meta"]), dict(p["headers"])
    tally = Tally(mv, model, headers)
    url = f"{_model_url(mv.name, mv.version)}/scored/{token}"

    def say(fraction: float) -> None:
        ctx.check()
        ctx.progress(0.02 + 0.96 * fraction, "score")

    try:
        with store.writer(me, token) as write:

            def keep(frame: pd.DataFrame) -> None:
                tally.add(frame)
                write(frame)

            if p.get("file"):
                scoring_file = FileScoring(kamp, me, mv.name, mv.version,
                                           folder / "upload" / str(p["file"]), str(p["lang"]))  # fmt: skip
                done = scoring_file.run(sink=keep, limit=0, progress=say)
                found = {**meta, **done.meta, "seen": done.rows_in_training_period}
                scored = done.summary.rows
            else:
                lo, hi = (None if t is None else datetime.fromisoformat(t) for t in p["period"])
                out = kamp.ml.score_period(
                    me, mv.name, version=mv.version, start=lo, end=hi,
                    limit=0, sink=numbered(keep), progress=say,
                )  # fmt: skip
                found = {**meta, "seen": 0}
                scored = out.summary.rows
    finally:
        shutil.rmtree(folder / "upload", ignore_errors=True)
    store.save_meta(me, token, {**found, "model": mv.name, "version": mv.version,
                                "done": True, "rows": scored, "tally": tally.counts})  # fmt: skip
    return {"next": url, "rows": scored}


def _flagged(mv: Any, model: Any, frame: pd.DataFrame) -> pd.Series | None:
    """Rows the model flags: predicted defects (the positive class) or alarms."""
    if mv.task == "anomaly" and "alarm" in frame.columns:
        return frame["alarm"].fillna(0).astype(bool)
    positive = getattr(model, "pos_label_", None)
    if mv.task == "classify" and positive is not None and "prediction" in frame.columns:
        return frame["prediction"].astype(str) == str(positive)
    return None


def _truth(mv: Any, frame: pd.DataFrame, headers: dict[str, str]) -> pd.Series | None:
    """The true label per row when the file has the model's target column (as it was named in
    training, or spelled another way), as booleans "is a defect / an anomaly"; else None."""
    spec = (mv.provenance.get("training") or {}).get("spec") or {}
    target = spec.get("target")
    if not target:
        return None
    want = match_key(str(target))
    col = next(
        (c for c in frame.columns if match_key(c) == want or match_key(headers.get(c, c)) == want),
        None,
    )
    if col is None or col in scoring.OUTPUTS:
        return None
    values = frame[col]
    if mv.task == "anomaly":
        normal = {str(v) for v in (spec.get("normal") or ["0", "OK", "normal"])}
        return ~values.astype(str).isin(normal) & values.notna()
    return values  # classify: compared with the positive class by the caller


class Tally:
    """What the result page says of all the scored rows, counted a piece at a time: rows
    flagged (alarms, predicted defects) and, when the file holds the true labels, the model's
    record against them (a defect model: caught, missed, false alarms; a value model: the
    mean error)."""

    def __init__(self, mv: Any, model: Any, headers: dict[str, str]) -> None:
        self.mv, self.model, self.headers = mv, model, headers
        self.counts: dict[str, Any] = {"flagged": None, "truth": None, "regress": None}

    def _bump(self, key: str, **values: float) -> None:
        now = self.counts[key] or {}
        self.counts[key] = {k: now.get(k, 0) + v for k, v in values.items()}

    def add(self, frame: pd.DataFrame) -> None:
        mv, model = self.mv, self.model
        flagged = _flagged(mv, model, frame)
        if flagged is not None:
            self._bump("flagged", n=int(flagged.sum()))
        truth = _truth(mv, frame, self.headers)
        if mv.task == "regress" and truth is not None and "prediction" in frame.columns:
            actual_values = pd.to_numeric(truth, errors="coerce")
            error = (pd.to_numeric(frame["prediction"], errors="coerce") - actual_values).abs()
            error = error[actual_values.notna()].dropna()
            self._bump("regress", n=len(error), sum=float(error.sum()))
            return
        if flagged is None or truth is None:
            return
        if mv.task == "classify":
            positive = getattr(model, "pos_label_", None)
            known = truth.notna()
            actual = truth.astype(str) == str(positive)
        else:
            known = pd.Series(True, index=frame.index)
            actual = truth.astype(bool)
        flagged, actual = flagged[known], actual[known]
        self._bump(
            "truth",
            actual=int(actual.sum()),
            caught=int((flagged & actual).sum()),
            missed=int((~flagged & actual).sum()),
            false_alarms=int((flagged & ~actual).sum()),
            good=int((~actual).sum()),
        )


def _how_it_did(mv: Any, counts: dict[str, Any], lang: str) -> list[str]:
    """The model's record against the file's labels, in words (from :class:`Tally`)."""
    reg = counts.get("regress")
    if mv.task == "regress" and reg and reg["n"]:
        return [t("web_data.score.truth.regress", lang, n=f"{reg['n']:,}",
                  mae=f"{reg['sum'] / reg['n']:.3g}")]  # fmt: skip
    truth = counts.get("truth")
    if not truth or counts.get("flagged") is None:
        return []
    key = "web_data.score.truth.anomaly" if mv.task == "anomaly" else "web_data.score.truth"
    return [
        t(key, lang, actual=f"{truth['actual']:,}", caught=f"{truth['caught']:,}",
          missed=f"{truth['missed']:,}", false_alarms=f"{truth['false_alarms']:,}",
          good=f"{truth['good']:,}")
    ]  # fmt: skip


def _where(mv: Any, model: Any, columns: list[str]) -> Where | None:
    """The rows the model flags, as the kept result filters them (see :func:`_flagged`)."""
    if mv.task == "anomaly" and "alarm" in columns:
        return ("alarm", None)
    positive = getattr(model, "pos_label_", None)
    if mv.task == "classify" and positive is not None and "prediction" in columns:
        return ("prediction", str(positive))
    return None


def _risk(columns: list[str]) -> str | None:
    """Riskiest first: the defect probability, else the anomaly score; otherwise file order."""
    return next((c for c in ("probability", "score") if c in columns), None)


def _result(
    request: Request, who: Any, name: str, version: int, token: str
) -> tuple[Any, Any, dict[str, Any], list[str]] | Response:
    """The model, the kept result's meta and columns; or, while its job runs, its page."""
    kamp = platform_of(request)
    mv = kamp.models.get(who.principal, name, version)
    store = ScoreResults.of(kamp)
    meta = store.meta(who.principal, token)
    if meta.get("model", mv.name) != mv.name:
        raise NotFound("The scored result is gone.", code="web_data.score_gone")
    if meta.get("done") is False:
        job = store.folder(who.principal, token) / "job"
        if job.is_file():  # still scoring (or it failed): its job page says which
            return RedirectResponse(f"/jobs/{job.read_text(encoding='utf-8')}", status_code=303)
        raise NotFound("The scored result is gone.", code="web_data.score_gone")
    model = kamp.models.load(who.principal, name, version)
    return mv, model, meta, store.columns(who.principal, token)


def _people(
    frame: pd.DataFrame, meta: dict[str, Any], lang: str, tz: Any, known: dict[str, str]
) -> pd.DataFrame:
    """The table as people read it: local times, columns by the names people know, outputs in
    words."""
    out = scoring.for_people(frame, tz)
    titles = scoring.column_titles(
        list(out.columns), meta.get("headers") or {}, lang, known, meta.get("time_column")
    )
    titles["_row"] = t("web_data.score.col.row", lang)
    return out.rename(columns=titles)


@router.get("/models/{name}/{version}/scored/{token}", response_class=HTMLResponse)
def result_page(
    request: Request, who: Page, name: str, version: int, token: str, only: str = ""
) -> Response:
    kamp = platform_of(request)
    lang = lang_of(request)
    found = _result(request, who, name, version, token)
    if isinstance(found, Response):
        return found
    mv, model, meta, columns = found
    store = ScoreResults.of(kamp)
    counts = meta.get("tally") or {}
    rows = int(meta.get("rows") or 0)
    summary = [t("web.score.rows", lang, n=f"{rows:,}")]
    if meta.get("quarantined"):
        summary.append(t("web_data.score.quarantined", lang, n=f"{meta['quarantined']:,}"))
    where = _where(mv, model, columns)
    flagged = (counts.get("flagged") or {}).get("n") if where is not None else None
    if flagged is not None:
        key = "web.score.alarms" if mv.task == "anomaly" else "web.score.flagged"
        summary.append(t(key, lang, n=f"{flagged:,}"))
    compared = _how_it_did(mv, counts, lang)
    summary += compared
    seen = int(meta.get("seen") or 0)
    if compared and seen:
        summary.append(t("web_data.score.seen_in_training", lang, n=f"{seen:,}"))
    filtered = bool(only) and where is not None
    shown = store.rows(who.principal, token, where=where if filtered else None,
                       risk=_risk(columns), limit=SHOW_ROWS)  # fmt: skip
    explain = ""
    inputs = meta.get("inputs") or {}
    if inputs and "probability" in columns and len(shown):
        top = shown.iloc[0]
        record = {inp: top.get(col) for inp, col in inputs.items()}
        shown_names = scoring.display_inputs(kamp, who.principal, mv, lang)
        explain = _explain_one(model, record, list(inputs), lang, shown_names)
        if explain:
            summary.append(t("web.score.explained_row", lang, row=int(top["_row"])))
    known = scoring.known_names(kamp, who.principal, mv, lang)
    table = _people(shown, meta, lang, kamp.settings.tz, known)
    url = _model_url(mv.name, mv.version)
    return render(
        request,
        "model_score.html",
        who,
        mv=mv,
        source=meta.get("source", ""),
        total=(flagged or 0) if filtered else rows,
        summary=summary,
        columns=[str(c) for c in table.columns],
        rows=table.astype(object).where(pd.notna(table), None).to_numpy().tolist(),
        explain=explain,
        url=url,
        here_url=f"{url}/scored/{token}",
        only=filtered,
        can_filter=where is not None,
    )


@router.get("/models/{name}/{version}/scored/{token}/download")
def download(
    request: Request,
    who: Page,
    name: str,
    version: int,
    token: str,
    format: str = "csv",
    only: str = "",
) -> Response:
    """All rows (or only the flagged ones), riskiest first, as CSV or Excel: read from the
    kept result a batch at a time (the Excel file is written to a private temporary file)."""
    from urllib.parse import quote

    from openkamp.datasets.export import EXCEL_MAX_ROWS

    kamp = platform_of(request)
    lang = lang_of(request)
    found = _result(request, who, name, version, token)
    if isinstance(found, Response):
        return found
    mv, model, meta, columns = found
    store = ScoreResults.of(kamp)
    where = _where(mv, model, columns) if only else None
    known = scoring.known_names(kamp, who.principal, mv, lang)
    tz = kamp.settings.tz

    def people() -> Iterator[pd.DataFrame]:
        for batch in store.batches(who.principal, token, where=where, risk=_risk(columns)):
            yield _people(batch, meta, lang, tz, known)

    stem = f"{mv.name}-v{mv.version}-scores"
    if format == "xlsx":
        rows = store.count(who.principal, token, where)
        if rows > EXCEL_MAX_ROWS:
            raise InvalidInput(
                f"An Excel file holds at most {EXCEL_MAX_ROWS:,} rows (this result: {rows:,}).",
                hint="Download as CSV instead.",
                code="datasets.export_too_large",
                params={"limit": EXCEL_MAX_ROWS, "rows": rows},
            )
        spool = tempfile.SpooledTemporaryFile(max_size=8 << 20, prefix="okp-export-")  # noqa: SIM115 - closed by pieces()
        try:
            scoring.write_excel(people(), t("web_data.score.sheet", lang), spool)  # type: ignore[arg-type]
        except BaseException:
            spool.close()
            raise
        spool.seek(0)

        def pieces() -> Iterator[bytes]:
            with spool:
                while chunk := spool.read(1 << 20):
                    yield chunk

        body: Iterator[bytes] = pieces()
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        fname = f"{stem}.xlsx"
    else:
        body, media, fname = scoring.csv_chunks(people()), "text/csv; charset=utf-8", f"{stem}.csv"
    return StreamingResponse(
        body,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(fname)}"},
    )
