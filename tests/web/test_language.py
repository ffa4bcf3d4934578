"""Korean throughout: every page, error page, job state and report, scanned for untranslated text.

The pages are found from the application's own routes, so a new page is scanned as soon as it
exists (the test names the path parameter it needs a sample for). Words of the site's data
(machine codes, logins, file names, category values) are allowed; the internal names of signals
and label columns that have Korean display names are not: pages show display names.

The analysis report is scanned for every kind of model the platform trains: the site's defect
model and one small model of each other kind, trained on the site's machines.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from openkamp.api import create_app
from openkamp.core.errors import InvalidInput
from openkamp.ml.service import TRAINABLE, TrainSpec

from .language_scan import Finding, untranslated
from .support import ADMIN, END, INJ, START, VIEWER, Site, app_routes, sign_in

#: Path parameters of UI pages and the value to visit them with (``None``: found at run time).
SAMPLES: dict[str, Any] = {
    "code": None,  # /lang/{code} redirects; not a page
    "node_id": None,
    "kind": None,
    "record_id": None,
    "token": None,  # a scored file's results (covered by test_data_pages_language)
    "import_id": 1,
    "name": "inj01_defect",
    "version": 1,
    "job_id": None,
    "user_id": None,
    "token_id": None,
    "connection_id": None,  # a connection's page (scanned in tests/connectors/test_page.py)
    "offer_id": None,  # data-sharing pages (scanned in tests/sharing/test_sharing_pages.py)
    "contract_id": None,
}
#: Query variants of pages whose content depends on them.
VARIANTS = [f"/models/new?problem={p}" for p in
            ("classify", "anomaly", "rul", "regress", "forecast", "optimise")]  # fmt: skip


def _routes(app: Any) -> list[str]:
    """Every GET path of the UI (not the API, static files or redirects)."""
    return sorted(
        {
            p
            for p, r in app_routes(app)
            if "GET" in r.methods and not p.startswith(("/api", "/static", "/lang", "/docs"))
        }
    )


def _data_words(site: Site) -> frozenset[str]:
    """Names that belong to the site's data, which a page may show as they are."""
    kamp = site.kamp
    me = kamp.principal()
    words: set[str] = {ADMIN, VIEWER, "inj01_defect"}
    for kind in ("node",):
        for rec in kamp.meta.find(kamp.default_org_id, kind):
            words.add(str(rec["name"]))
    for kind in ("signal", "label_column"):
        for rec in kamp.meta.find(kamp.default_org_id, kind):
            if not rec.get("name_ko"):  # no Korean name to show instead
                words.add(str(rec["name"]))
            for cat in rec.get("categories") or []:
                words.add(str(cat))
    for rec in kamp.imports.list(me):
        words.update(re.split(r"[/.]", str(rec.get("file_name", ""))))
    org = kamp.meta.get_org(kamp.default_org_id)
    words.update(str(org.get("name", "")).split())
    return frozenset(w for w in words if w)


def _job_ids(site: Site) -> dict[str, int]:
    """One job in each end state, made through the job service."""
    jobs = site.kamp.jobs
    me = site.kamp.principal()

    def ok(ctx: Any) -> dict[str, int]:
        ctx.progress(1.0, "fit")
        return {"n": 1}

    def bad(ctx: Any) -> None:
        raise InvalidInput("Broken on purpose.", code="bad_time", params={"text": "25:61"})

    ids = {}
    for state, fn in (("1", ok), ("2", bad)):
        job = jobs.submit(me, "train", f"#{state}", fn)
        jobs.wait(me, job["id"], timeout=30)
        ids[state] = job["id"]
    return ids


def _pages(site: Site) -> list[str]:
    app = create_app(platform=site.kamp)
    jobs = _job_ids(site)
    pages: list[str] = []
    for path in _routes(app):
        params = re.findall(r"{(\w+)}", path)
        if any(p not in SAMPLES for p in params):
            missing = [p for p in params if p not in SAMPLES]
            pytest.fail(f"{path}: add a sample value for {missing} to SAMPLES in this test")
        if params == ["job_id"] and path.startswith("/sharing/"):
            continue  # a pooled job's page (scanned in tests/sharing/test_pooled_pages.py)
        if params == ["job_id"]:
            pages += [path.replace("{job_id}", str(j)) for j in jobs.values()]
            continue
        if any(SAMPLES[p] is None for p in params):  # a recipe job, a scored file …
            continue
        for p in params:
            path = path.replace("{" + p + "}", str(SAMPLES[p]))
        pages.append(path)
    return pages + VARIANTS


#: The model name the error pages are asked for: the page repeats it as typed (data, not text).
NO_SUCH_MODEL = "no_such_model"


def _bogus(pages: list[str]) -> list[str]:
    """Error pages: each page with an id, asked for an id that does not exist."""
    out = [f"/models/{NO_SUCH_MODEL}/1", "/import/999999", "/jobs/999999"]
    return [p for p in out if any(p.split("/")[1] == q.split("/")[1] for q in pages)]


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_no_untranslated_text_on_any_page(site: Site, lang: str) -> None:
    words = _data_words(site)
    pages = _pages(site)
    assert len(pages) >= 10, pages
    findings: list[Finding] = []
    with site.client() as c:  # the pages before signing in
        c.get(f"/lang/{lang}")
        for path in ("/login",):
            findings += untranslated(c.get(path).text, lang, path, words)
    pages = [p for p in pages if p not in ("/login", "/setup")]  # they redirect once signed in
    with site.client() as c:
        sign_in(c)
        c.get(f"/lang/{lang}")
        for path in pages:
            page = c.get(path)
            assert page.status_code == 200, (path, page.status_code, page.text[:300])
            findings += untranslated(page.text, lang, path, words)
        for path in _bogus(pages):
            page = c.get(path)
            assert page.status_code == 404, (path, page.status_code)
            assert "text/html" in page.headers["content-type"], path
            findings += untranslated(page.text, lang, path, words | {NO_SUCH_MODEL})
    report = "\n".join(str(f) for f in findings[:60])
    assert not findings, f"{len(findings)} untranslated words:\n{report}"


#: A small model of every other kind the site's machines can train (the site has a defect
#: model): the report of each is scanned. A new template fails below until it has one here.
OTHER_MODELS = {
    "anomaly": TrainSpec(task="anomaly", name="inj01_watch", equipment=INJ, start=START,
                         end=START + timedelta(days=1), time_budget_s=2),
    "regress": TrainSpec(task="regress", name="inj01_cycle", equipment=INJ, target="cycle_time",
                         start=START, end=START + timedelta(days=1), time_budget_s=2),
    "optimise": TrainSpec(task="optimise", name="inj01_best", equipment=INJ, target="pass_fail",
                          controls=["hold_pressure", "mould_temp"], start=START,
                          end=START + timedelta(days=1), time_budget_s=2),
    "forecast": TrainSpec(task="forecast", name="inj01_output", equipment=INJ,
                          target="cycle_time", agg="count", freq="1h", horizon=6, start=START,
                          end=END, time_budget_s=2, options={"n_backtests": 2}),
    "rul": TrainSpec(task="rul", name="cnc01_tool_life", equipment="plant1/line2/cnc01",
                     unit="tool_id", usage="feed_rate", start=START, end=END, time_budget_s=2,
                     features=["spindle_speed", "spindle_load", "feed_rate", "vibration_rms",
                               "coolant_temp"]),
}  # fmt: skip


@pytest.fixture(scope="module")
def every_kind(site: Site) -> dict[str, list[tuple[str, int]]]:
    """Every registered model version of the site by task, after training one of each kind
    the site has none of."""
    kamp = site.kamp
    me = kamp.principal()
    have = {mv.task for mv in kamp.models.list(me)}
    for task, spec in OTHER_MODELS.items():
        if task not in have:
            kamp.ml.train(me, spec)
    out: dict[str, list[tuple[str, int]]] = {}
    for mv in kamp.models.list(me):
        out.setdefault(mv.task, []).append((mv.name, mv.version))
    return out


def test_every_kind_of_model_is_in_the_report_scan() -> None:
    assert {"classify", *OTHER_MODELS} == set(TRAINABLE), "add a model of the new kind above"


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("task", TRAINABLE)
def test_no_untranslated_text_in_the_model_report(
    site: Site, every_kind: dict[str, list[tuple[str, int]]], task: str, lang: str
) -> None:
    """The report of every registered model version of ``task`` (every kind is registered)."""
    me = site.kamp.principal()
    versions = every_kind.get(task)
    assert versions, f"no {task} model registered"
    words = _data_words(site) | {name for name, _ in versions}
    findings: list[Finding] = []
    for name, version in versions:
        html = site.kamp.ml.report(me, name, version, lang=lang)
        findings += untranslated(html, lang, f"report of {name} v{version}", words)
    report = "\n".join(str(f) for f in findings[:60])
    assert not findings, f"{len(findings)} untranslated words:\n{report}"


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_result_page_of_every_kind_of_model(
    site: Site, every_kind: dict[str, list[tuple[str, int]]], lang: str
) -> None:
    """The model's page (not only its report) for every kind: no untranslated text, and how
    it was tested said in words of the page's language (it was empty for anomaly, remaining
    life, forecast and optimise models, whose protocols only the report knew)."""
    import html

    from openkamp.i18n import MESSAGES, t

    PROTOCOL_KEYS = [k for k in MESSAGES if k.startswith("ml.protocol.")]
    findings: list[Finding] = []
    with site.client() as c:
        sign_in(c)
        c.get(f"/lang/{lang}")
        for task, versions in sorted(every_kind.items()):
            words = _data_words(site) | {name for name, _ in versions}
            for name, version in versions:
                page = c.get(f"/models/{name}/{version}")
                assert page.status_code == 200, (name, page.status_code)
                findings += untranslated(page.text, lang, f"/models/{name}/{version}", words)
                said = page.text.split('data-testid="protocol">', 1)[1].split("</p>", 1)[0]
                assert said.strip(), (task, name)
                if lang == "ko":
                    assert re.search(r"[\uac00-\ud7a3]", said), (task, name, said)
                # Words of the catalogue, not the template's own English sentence.
                assert any(t(k, lang) in html.unescape(said) for k in PROTOCOL_KEYS), (task, said)
    report = "\n".join(str(f) for f in findings[:60])
    assert not findings, f"{len(findings)} untranslated words:\n{report}"
