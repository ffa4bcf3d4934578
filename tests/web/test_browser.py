"""The no-code journey in a real browser (Debian's chromium driven by Playwright), in Korean and
in English: sign in, upload a simulator CSV, fix a column mapping, train a defect model, read its
metrics, deploy it, score a new file. Screenshots of each main page go to
``test-artifacts/screenshots/`` (git-ignored; CI keeps them as artefacts).

Without chromium these tests skip with the reason, except under ``CI=true``, where a missing
browser is a failure (the set-up installs it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from .chromium import launched, playwright_or_skip, shot
from .support import ADMIN, END, INJ, PASSWORD, Served, wait_true

RENAMED = "금형 온도 센서"  # how a hand-made export named mould_temp: the user maps it back

sync_api = playwright_or_skip()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as b:
        yield b


@pytest.fixture(scope="module")
def files(served: Served, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A new day of the injection machine with one column renamed, and later shots to score."""
    out = tmp_path_factory.mktemp("journey")
    factory = served.site.factory
    day = factory.generate(END, END + timedelta(days=1))["inj01"]
    upload = out / "inj01_new_day.csv"
    day.rename(columns={"mould_temp": RENAMED}).to_csv(upload, index=False)
    later = factory.generate(END + timedelta(days=1), END + timedelta(days=1, hours=4))["inj01"]
    score = out / "new_shots.csv"
    later.drop(columns=["timestamp", "pass_fail", "defect_type"]).head(60).to_csv(
        score, index=False
    )
    return {"upload": upload, "score": score}


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_no_code_journey(browser: Any, served: Served, files: dict[str, Path], lang: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    outside: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(served.url) else outside.append(r.url),
    )
    words = {
        "ko": {"signin": "로그인", "deploy": "운영 중", "import": "가져오기 결과"},
        "en": {"signin": "Sign in", "deploy": "In production", "import": "Import report"},
    }[lang]
    try:
        # Sign in (Korean by default; one click to English).
        page.goto(served.url + "/")
        assert page.url.startswith(served.url + "/login")
        assert page.locator("html").get_attribute("lang") == "ko"
        if lang == "en":
            page.click("[data-testid=lang-switch]")
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("h1").inner_text() == words["signin"]
        shot(page, f"{lang}-login")
        page.fill("input[name=login]", ADMIN)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(served.url + "/")
        assert page.locator(".machine").count() == 4
        shot(page, f"{lang}-overview")

        # Upload a simulator CSV, fix the mapping of its renamed column, import it.
        page.goto(served.url + "/import")
        page.set_input_files("#file", str(files["upload"]))
        page.click("#upload-button")
        page.wait_for_selector("#step-mapping:not([hidden])")
        if page.input_value("#kind") != "timeseries":  # a lot id reads as a table of records
            page.select_option("#kind", "timeseries")  # the user says: the machine's signals
            wait_true(page, "document.getElementById('kind').value === 'timeseries'")
            page.wait_for_selector("#mapping tr[data-column]")
        wait_true(page, "document.getElementById('equipment').value !== ''")
        assert page.input_value("#equipment") == "plant1/line1/inj01"
        row = page.locator(f'#mapping tr[data-column="{RENAMED}"]')
        assert row.locator(".tag-new").count() == 1  # it would become a new signal
        row.locator(".target").fill("mould_temp")
        page.click("#recheck")
        page.wait_for_selector(f'#mapping tr[data-column="{RENAMED}"] .tag-exists')
        shot(page, f"{lang}-import-mapping")
        page.click("#run-import")
        page.wait_for_url(re.compile(r".*/import/\d+$"))
        assert words["import"] in page.locator("h1").inner_text()
        stored = int(page.inner_text("[data-testid=rows-stored]").replace(",", ""))
        assert stored > 0
        shot(page, f"{lang}-import-report")
        kamp = served.site.kamp
        signals = kamp.assets.list_signals(kamp.principal())
        assert not [s for s in signals if RENAMED in (s.name, s.name_ko)]  # mapped, not created

        # The signal explorer: the chart loads, and a drag zooms in with a new request.
        page.goto(served.url + "/signals")
        chart = page.locator("#chart")
        page.wait_for_selector("#chart[data-state=ready]")
        first = int(chart.get_attribute("data-requests") or 0)
        box = chart.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + 300, box["y"] + 150)
        page.mouse.down()
        page.mouse.move(box["x"] + 500, box["y"] + 150, steps=5)
        page.mouse.up()
        wait_true(
            page,
            f"document.getElementById('chart').dataset.requests > {first} && "
            "document.getElementById('chart').dataset.state === 'ready'",
        )
        assert page.locator("#chart svg path").count() >= 1
        shot(page, f"{lang}-signals")

        # Train a defect model from the wizard, following the job's progress bar.
        page.goto(served.url + "/models/new")
        page.click("[data-problem=classify]")
        inj = kamp.assets.resolve(kamp.principal(), INJ)
        page.select_option("select[name=equipment]", str(inj.id))
        page.wait_for_selector("#train-form")
        page.select_option("select[name=target]", "pass_fail")
        page.select_option("select[name=groups]", "lot_id")
        page.select_option("select[name=time_budget_s]", "15")
        page.fill("input[name=name]", f"defect_{lang}")
        shot(page, f"{lang}-model-wizard")
        page.click("[data-testid=train]")
        page.wait_for_url(re.compile(r".*/jobs/\d+$"))
        page.wait_for_url(re.compile(rf".*/models/defect_{lang}/\d+$"), timeout=180_000)
        assert page.locator("[data-testid=words] li").count() >= 2
        metrics = page.locator("[data-testid=metrics]").inner_text()
        assert "PR-AUC" in metrics and "ROC-AUC" in metrics
        assert page.locator("figure svg").count() >= 2  # importance, confusion matrix…
        shot(page, f"{lang}-model-result")

        # Deploy it, then score a new file with it.
        page.click("[data-testid=deploy]")
        page.wait_for_selector("[data-testid=stage]")
        assert page.inner_text("[data-testid=stage]") == words["deploy"]
        page.set_input_files("[data-testid=score-file]", str(files["score"]))
        page.click("[data-testid=score-file-submit]")
        page.wait_for_selector("[data-testid=score-table]")
        assert page.locator("[data-testid=score-table] tbody tr").count() == 60
        assert page.locator("html").get_attribute("lang") == lang
        shot(page, f"{lang}-model-score")

        page.goto(served.url + "/settings")
        shot(page, f"{lang}-settings")
    finally:
        context.close()
    assert not errors, errors  # no script error on any page
    assert not outside, outside  # nothing requested from outside the platform


def _mes_export(path: Path) -> Path:
    """A CP949 MES export of a machine the platform does not know yet: a title block, then 일자
    and 시간 in two columns and units in the headers."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(11)
    n = 50
    times = pd.date_range("2026-03-10 08:00", periods=n, freq="90s")
    table = pd.DataFrame(
        {
            "일자": times.strftime("%Y-%m-%d"),
            "시간": times.strftime("%H:%M:%S"),
            "사출압력(bar)": rng.normal(1080, 10, n).round(1),
            "금형온도(℃)": rng.normal(35, 1, n).round(1),
        }
    )
    title = "사출기 생산 실적\n기간: 2026-03-10\n작성자: 김반장\n\n"
    path.write_bytes((title + table.to_csv(index=False)).encode("cp949"))
    return path


def test_data_pages_in_the_browser(
    browser: Any, served: Served, files: dict[str, Path], tmp_path: Path
) -> None:
    """A new machine from the equipment page and from the import wizard, a messy export fixed in
    the preview and imported, a file scored, narrowed to predicted defects and downloaded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    kamp = served.site.kamp
    me = kamp.principal()
    try:
        page.goto(served.url + "/login")
        page.fill("input[name=login]", ADMIN)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(served.url + "/")

        # 설비 관리: a machine added under the first line, then a signal of it.
        page.goto(served.url + "/assets")
        form = page.locator("[data-testid=add-equipment]").first
        form.locator("input[name=label]").fill("사출기 9호기")
        form.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/assets/equipment/\d+$"))
        assert "사출기 9호기" in page.locator("h1").inner_text()
        add = page.locator("[data-testid=add-signal]")
        add.locator("input[name=label]").fill("보압")
        add.locator("input[name=unit]").fill("bar")
        add.locator("button[type=submit]").click()
        page.wait_for_selector("text=보압")
        shot(page, "ko-assets-equipment")

        # The import wizard: what it found, fixed by hand, into a machine made on the spot.
        page.goto(served.url + "/import")
        page.set_input_files("#file", str(_mes_export(tmp_path / "mes_export.csv")))
        page.click("#upload-button")
        page.wait_for_selector("#step-mapping:not([hidden])")
        assert "사출기 생산 실적" in (page.text_content("#title-text") or "")  # folded
        assert page.input_value("#header-row") == "5"
        if page.input_value("#kind") != "timeseries":
            page.select_option("#kind", "timeseries")
            wait_true(page, "document.getElementById('kind').value === 'timeseries'")
        wait_true(page, "document.getElementById('time-col2').value === '시간'")
        page.select_option("#equipment", "__new__")
        page.wait_for_selector("#new-machine:not([hidden])")
        page.fill("#nm-name", "사출기 10호기")
        page.click("#nm-create")
        wait_true(page, "document.getElementById('equipment').value.endsWith('사출기_10호기')")
        # Bulk choice: every column matching 온도 is left out.
        page.fill("#bulk-filter", "온도")
        page.click("#bulk-all")
        page.select_option("#bulk-kind", "ignore")
        page.click("#bulk-apply")
        page.fill("#bulk-filter", "")
        shot(page, "ko-import-fixed")
        page.click("#run-import")
        page.wait_for_url(re.compile(r".*/import/\d+$"))
        assert int(page.inner_text("[data-testid=rows-stored]").replace(",", "")) == 50
        node = next(n for n in kamp.assets.list_nodes(me) if n.name == "사출기_10호기")
        names = {s.name_ko or s.name for s in kamp.assets.list_signals(me, node.id)}
        assert "사출압력" in names and "금형온도" not in names

        # Score a file, narrow it to the predicted defects, download every row.
        page.goto(served.url + "/models/inj01_defect/1")
        page.set_input_files("[data-testid=score-file]", str(files["score"]))
        page.click("[data-testid=score-file-submit]")
        page.wait_for_selector("[data-testid=score-table]")
        assert page.locator("[data-testid=score-table] tbody tr").count() == 60
        page.click("[data-testid=only-flagged]")
        page.wait_for_selector("[data-testid=show-all]")
        with page.expect_download() as got:
            page.click("[data-testid=download-xlsx]")
        assert got.value.suggested_filename.endswith(".xlsx")
        shot(page, "ko-score-flagged")
    finally:
        context.close()
    assert not errors, errors
