"""Scoring pages: a file or a stored period is scored (POST), kept, and shown (GET) riskiest
first, with a filter for predicted defects / alarms, a summary of how the model did when the
file holds the true labels, and every row downloadable as CSV or Excel.

Reading and matching live in :mod:`openkamp.web.scoring`; the model runs through
:meth:`MLService.score_records` / :meth:`MLService.score` as for the API.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkamp.core.errors import InvalidInput
from openkamp.core.uploads import copy_limited, safe_name
from openkamp.i18n import t
from openkamp.ingest.names import match_key
from openkamp.ml.file_scoring import rows_in_training_period
from openkamp.web import scoring
from openkamp.web.modeller import _day, _explain_one, _model_url
from openkamp.web.page import Page, Posting, lang_of, platform_of, render

router = APIRouter()
SHOW_ROWS = 200


def _score_file(
    kamp: Any, who: Any, mv: Any, upload: UploadFile, lang: str
) -> tuple[pd.DataFrame, dict[str, Any]]:
    name = safe_name(upload.filename, "upload.csv")  # refused before anything is written
    folder = Path(tempfile.mkdtemp(prefix="okp-score-", dir=kamp.settings.data_dir))
    try:
        path = folder / name
        copy_limited(upload.file, path, kamp.settings.upload_max_bytes)
        return scoring.score_file(kamp, who.principal, mv.name, mv.version, path, lang)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


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
    if file is not None and file.filename:
        safe_name(file.filename)  # an odd name is refused before anything else
    mv = kamp.models.get(who.principal, name, version)
    if file is not None and file.filename:
        result, meta = _score_file(kamp, who, mv, file, lang)
    else:
        if not start and not end:  # never all of history by accident
            raise InvalidInput(
                "Choose a file or a period to score.", code="web_data.score_period_required"
            )
        tz = kamp.settings.tz
        last = _day(end, tz)
        scored = kamp.ml.score(
            who.principal,
            name,
            version=version,
            start=_day(start, tz),
            end=None if last is None else last + timedelta(days=1),
        )
        result = scored.reset_index()
        result.insert(0, "_row", range(1, len(result) + 1))
        meta = {"source": f"{start} ~ {end}", "headers": {}, "inputs": {}, "file": False}
    token = scoring.keep(kamp, who.principal, result)
    path = scoring._root(kamp, who.principal.org_id) / f"{token}.json"
    path.write_text(json.dumps(meta, ensure_ascii=False, default=str), encoding="utf-8")
    return RedirectResponse(f"{_model_url(mv.name, mv.version)}/scored/{token}", status_code=303)


def _meta(kamp: Any, who: Any, token: str) -> dict[str, Any]:
    path = scoring._root(kamp, who.principal.org_id) / f"{token}.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else {}


def _flagged(mv: Any, model: Any, frame: pd.DataFrame) -> pd.Series | None:
    """Rows the model flags: predicted defects (the positive class) or alarms."""
    if mv.task == "anomaly" and "alarm" in frame.columns:
        return frame["alarm"].fillna(0).astype(bool)
    positive = getattr(model, "pos_label_", None)
    if mv.task == "classify" and positive is not None and "prediction" in frame.columns:
        return frame["prediction"].astype(str) == str(positive)
    return None


def _risk_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Riskiest first: the defect probability, else the anomaly score; otherwise file order."""
    for col in ("probability", "score"):
        if col in frame.columns:
            return frame.sort_values(col, ascending=False, kind="stable", na_position="last")
    return frame


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


def _how_it_did(
    mv: Any, model: Any, frame: pd.DataFrame, headers: dict[str, str], lang: str
) -> list[str]:
    flagged = _flagged(mv, model, frame)
    truth = _truth(mv, frame, headers)
    if mv.task == "regress" and truth is not None and "prediction" in frame.columns:
        actual_values = pd.to_numeric(truth, errors="coerce")
        error = (pd.to_numeric(frame["prediction"], errors="coerce") - actual_values).abs()
        error = error[actual_values.notna()].dropna()
        if len(error):
            return [t("web_data.score.truth.regress", lang, n=f"{len(error):,}",
                      mae=f"{error.mean():.3g}")]  # fmt: skip
    if flagged is None or truth is None:
        return []
    if mv.task == "classify":
        positive = getattr(model, "pos_label_", None)
        known = truth.notna()
        actual = truth.astype(str) == str(positive)
    else:
        known = pd.Series(True, index=frame.index)
        actual = truth.astype(bool)
    flagged, actual = flagged[known], actual[known]
    caught = int((flagged & actual).sum())
    missed = int((~flagged & actual).sum())
    false_alarms = int((flagged & ~actual).sum())
    key = "web_data.score.truth.anomaly" if mv.task == "anomaly" else "web_data.score.truth"
    return [
        t(key, lang, actual=f"{int(actual.sum()):,}", caught=f"{caught:,}", missed=f"{missed:,}",
          false_alarms=f"{false_alarms:,}", good=f"{int((~actual).sum()):,}")
    ]  # fmt: skip


def _result(
    request: Request, who: Any, name: str, version: int, token: str
) -> tuple[Any, Any, pd.DataFrame, dict[str, Any]]:
    kamp = platform_of(request)
    mv = kamp.models.get(who.principal, name, version)
    frame = scoring.kept(kamp, who.principal, token)
    model = kamp.models.load(who.principal, name, version)
    return mv, model, frame, _meta(kamp, who, token)


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
) -> HTMLResponse:
    kamp = platform_of(request)
    lang = lang_of(request)
    mv, model, frame, meta = _result(request, who, name, version, token)
    flagged = _flagged(mv, model, frame)
    summary = [t("web.score.rows", lang, n=f"{len(frame):,}")]
    if meta.get("quarantined"):
        summary.append(t("web_data.score.quarantined", lang, n=f"{meta['quarantined']:,}"))
    if flagged is not None:
        key = "web.score.alarms" if mv.task == "anomaly" else "web.score.flagged"
        summary.append(t(key, lang, n=f"{int(flagged.sum()):,}"))
    compared = _how_it_did(mv, model, frame, meta.get("headers") or {}, lang)
    summary += compared
    seen = rows_in_training_period(mv, frame, meta.get("time_column"))
    if compared and seen:
        summary.append(t("web_data.score.seen_in_training", lang, n=f"{seen:,}"))
    shown = frame[flagged] if only and flagged is not None else frame
    shown = _risk_order(shown)
    explain = ""
    inputs = meta.get("inputs") or {}
    if inputs and "probability" in frame.columns and len(shown):
        top = shown.iloc[0]
        record = {inp: top.get(col) for inp, col in inputs.items()}
        shown_names = scoring.display_inputs(kamp, who.principal, mv, lang)
        explain = _explain_one(model, record, list(inputs), lang, shown_names)
        if explain:
            summary.append(t("web.score.explained_row", lang, row=int(top["_row"])))
    known = scoring.known_names(kamp, who.principal, mv, lang)
    table = _people(shown.head(SHOW_ROWS), meta, lang, kamp.settings.tz, known)
    url = _model_url(mv.name, mv.version)
    return render(
        request,
        "model_score.html",
        who,
        mv=mv,
        source=meta.get("source", ""),
        total=len(shown),
        summary=summary,
        columns=[str(c) for c in table.columns],
        rows=table.astype(object).where(pd.notna(table), None).to_numpy().tolist(),
        explain=explain,
        url=url,
        here_url=f"{url}/scored/{token}",
        only=bool(only),
        can_filter=flagged is not None,
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
    """All rows (or only the flagged ones), riskiest first, as CSV or Excel."""
    kamp = platform_of(request)
    lang = lang_of(request)
    mv, model, frame, meta = _result(request, who, name, version, token)
    flagged = _flagged(mv, model, frame)
    if only and flagged is not None:
        frame = frame[flagged]
    known = scoring.known_names(kamp, who.principal, mv, lang)
    table = _people(_risk_order(frame), meta, lang, kamp.settings.tz, known)
    stem = f"{mv.name}-v{mv.version}-scores"
    if format == "xlsx":
        body = scoring.to_excel(table, t("web_data.score.sheet", lang))
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        fname = f"{stem}.xlsx"
    else:
        body, media, fname = scoring.to_csv(table), "text/csv; charset=utf-8", f"{stem}.csv"
    from urllib.parse import quote

    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(fname)}"},
    )
