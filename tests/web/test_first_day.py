"""A process engineer's first day, in a real browser (Debian's chromium driven by Playwright), on
a fresh installation, in Korean and once in English.

Sign in; add a new machine from the UI; upload a messy CP949 MES export (title block, split date
and time, units in headers, two cavities per shot sharing a timestamp, a missing value) and check
the preview; import it as a record table; train a defect model on it; read the results; score
the very file it was trained on and a new one; download the results; see the machine flagged on
the overview; change the password and sign in with the new one. Screenshots of every step go to
``test-artifacts/screenshots/first-day-*`` (git-ignored; CI keeps them as artefacts).

Without chromium this test skips with the reason, except under ``CI=true`` (the set-up installs
the browser there).
"""

from __future__ import annotations

import csv
import io
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from openkamp.api import create_app
from openkamp.platform import Platform

from . import chromium
from .chromium import launched, playwright_or_skip
from .language_scan import Finding, untranslated, visible_text
from .support import free_port

LOGIN, FIRST_PASSWORD, NEW_PASSWORD = "lee", "sajeong-gongjeong-2026", "boap-570-bar-gonggeup"
SITE, LINE, MACHINE = "본사공장", "사출2라인", "사출기7"
HEADER = ["일자", "시간", "설비", "금형번호", "캐비티", "사출압력(bar)", "보압(bar)", "금형온도(℃)",
          "사이클타임(s)", "판정"]  # fmt: skip

sync_api = playwright_or_skip()


def mes_export(path: Path, *, day: int, shots: int, seed: int) -> tuple[int, int]:
    """A per-shot MES export as a Korean MES writes it (CP949): a title block, a blank line, date
    and time in two columns, units in the headers, two cavities (LH / RH) per shot at the same
    time, one missing reading. Defects follow the hold pressure and the mould temperature, so a
    model can learn them. Returns (rows, defects)."""
    rng = np.random.default_rng(seed)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["사출 공정 실적 보고서"])
    w.writerow([f"출력일시: 2026-03-{day:02d} 18:00", "", "작성자: 생산관리팀"])
    w.writerow([])
    w.writerow(HEADER)
    rows = defects = 0
    for i in range(shots):
        hh, mm, ss = 8 + i * 40 // 3600, (i * 40 // 60) % 60, (i * 40) % 60
        hold = rng.normal(575, 8)
        mould = rng.normal(45, 2)
        for cav in ("LH", "RH"):
            logit = -2.0 + 0.35 * (568 - hold) + 0.8 * (mould - 46) + rng.normal(0, 0.3)
            bad = rng.random() < 1 / (1 + np.exp(-logit))
            defects += bad
            pressure = f"{rng.normal(1250, 15):.1f}"
            if rows == 17:
                pressure = ""  # a reading the machine did not send
            w.writerow([f"2026-03-{day:02d}", f"{hh:02d}:{mm:02d}:{ss:02d}", MACHINE, "M-101", cav,
                        pressure, f"{hold:.1f}", f"{mould:.1f}", f"{rng.normal(32, 0.4):.2f}",
                        "불량" if bad else "양품"])  # fmt: skip
            rows += 1
    path.write_bytes(out.getvalue().encode("cp949"))
    return rows, defects


@pytest.fixture
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Platform, Path]]:
    """A new installation (no data) with its first administrator, served on loopback."""
    import uvicorn

    root = tmp_path_factory.mktemp("first-day")
    kamp = Platform.at(root / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    kamp.accounts.create_first_admin(kamp.default_org_id, LOGIN, FIRST_PASSWORD)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(platform=kamp), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", kamp, root
    server.should_exit = True
    thread.join(timeout=10)
    kamp.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as b:
        yield b


def shot(page: Any, name: str) -> None:
    chromium.shot(page, f"first-day-{name}")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_first_day(browser: Any, fresh: tuple[str, Platform, Path], lang: str) -> None:
    url, kamp, root = fresh
    train_file, score_file = root / "사출실적_0302.csv", root / "사출실적_0303.csv"
    rows, defects = mes_export(train_file, day=2, shots=400, seed=1)
    mes_export(score_file, day=3, shots=60, seed=2)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(url) else outside.append(r.url))
    untranslated_words: list[Any] = []

    def look(name: str) -> None:
        """A screenshot, and no English word in the Korean page."""
        shot(page, f"{lang}-{name}")
        if lang == "ko":
            untranslated_words.extend(untranslated(page.content(), lang, name, DATA_WORDS))
        else:  # the factory's own Korean names are data; any other Korean is untranslated UI
            untranslated_words.extend(korean_left(page.content(), name))

    try:
        # Sign in.
        page.goto(url + "/")
        page.fill("input[name=login]", LOGIN)
        page.fill("input[name=password]", FIRST_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(url + "/")
        if lang == "en":
            page.click("[data-testid=lang-switch]")
            page.wait_for_url(url + "/")
        look("overview-empty")

        # Add the new machine from the equipment page.
        page.goto(url + "/assets")
        look("assets-empty")
        add_node(page, "add-site", SITE)
        add_node(page, "add-line", LINE)
        add_node(page, "add-equipment", MACHINE)
        path = machine_path(kamp)
        look("assets-machine")

        # Upload the messy export; the preview finds the header under the title block, the
        # split date and time, and a record table (two cavities share each shot's time).
        page.goto(url + "/import")
        page.set_input_files("#file", str(train_file))
        page.click("#upload-button")
        page.wait_for_selector("#step-mapping:not([hidden])")
        assert page.input_value("#kind") == "records"
        assert page.locator("#kind-reasons li").count() >= 1
        assert (
            page.input_value("#header-row") == "4"
        )  # row 4, as a spreadsheet counts: under the title block
        page.select_option("#equipment", path)
        look("import-preview")
        page.click("#run-import")
        arrive(page, r".*/import/\d+$", "import")
        stored = int(page.inner_text("[data-testid=rows-stored]").replace(",", ""))
        read = int(page.inner_text("[data-testid=rows-read]").replace(",", ""))
        assert read == rows and stored == rows  # every shot of both cavities kept
        look("import-report")

        # Train a defect model on the record table, from the report's link.
        page.click("[data-testid=train-on-dataset]")
        page.wait_for_selector("#train-form")
        page.select_option("select[name=target]", "판정")
        page.select_option("select[name=time_budget_s]", "15")
        page.fill("input[name=name]", "사출기7_불량")
        look("model-wizard")
        page.click("[data-testid=train]")
        arrive(page, r".*/models/.+/\d+$", "train", timeout=240_000)
        # The defects follow the hold pressure and the mould temperature: the no-code model
        # finds that, and says it beats the trivial baseline.
        assert page.locator("[data-testid=verdict]").get_attribute("data-verdict") == "better"
        assert page.locator("[data-testid=protocol]").inner_text().strip()
        metrics = page.locator("[data-testid=metrics]").inner_text()
        assert "ROC-AUC" in metrics
        look("model-result")

        # Deploy; score the very file it learnt from, then a new day's file; download.
        page.click("[data-testid=deploy]")
        page.wait_for_selector("[data-testid=stage]")
        for name, file in (("same", train_file), ("new", score_file)):
            page.set_input_files("[data-testid=score-file]", str(file))
            page.click("[data-testid=score-file-submit]")
            page.wait_for_selector("[data-testid=score-table]")
            assert page.locator("[data-testid=score-table] tbody tr").count() >= 1
            # The comparison with the file's labels says when it replays the training rows.
            replay = IN_SAMPLE[lang] in page.inner_text("main")
            assert replay == (name == "same"), name
            look(f"score-{name}")
            with page.expect_download() as got:
                page.click("[data-testid=download-csv]")
            text = Path(got.value.path()).read_bytes().decode("utf-8-sig")
            assert len(text.strip().splitlines()) == (rows if name == "same" else 120) + 1
            page.go_back()
            page.go_back()

        # The overview flags the machine with its predicted defects.
        page.goto(url + "/")
        card = page.locator(f'[data-testid=machine][data-path="{SITE}/{LINE}/{MACHINE}"]')
        assert card.count() == 1
        assert card.get_attribute("data-level") != "ok"
        look("overview-flagged")

        # Change the password, sign out, sign in with the new one.
        page.goto(url + "/settings")
        page.fill("input[name=old_password]", FIRST_PASSWORD)
        page.fill("input[name=new_password]", NEW_PASSWORD)
        page.fill("input[name=new_password2]", NEW_PASSWORD)
        page.click("#password button[type=submit]")
        page.wait_for_selector("[data-testid=password-changed]")
        look("password-changed")
    finally:
        context.close()
    assert not errors, errors
    assert not outside, outside
    report = "\n".join(str(f) for f in untranslated_words[:40])
    assert not untranslated_words, f"untranslated text on the way:\n{report}"
    assert defects > 0


IN_SAMPLE = {"ko": "모델이 학습한 기간의 데이터", "en": "from the period the model learnt from"}
DATA_WORDS = frozenset([LOGIN, "M-101", "LH", "RH", "M", "s"])
# The factory's own words (its names, its file's headers, values and title block), which an
# English page shows as they are.
KOREAN_DATA = sorted(
    {SITE, LINE, MACHINE, *HEADER, "사출압력", "보압", "금형온도", "사이클타임", "양품", "불량",
     "사출실적_0302", "사출실적_0303", "사출기7_불량", "사출 공정 실적 보고서", "출력일시",
     "작성자", "생산관리팀"},
    key=len, reverse=True,
)  # fmt: skip


def korean_left(html: str, where: str) -> list[Finding]:
    """Korean text on an English page once the factory's own words are taken out."""
    found = []
    for text in visible_text(html):
        rest = text
        for word in KOREAN_DATA:
            rest = rest.replace(word, "")
        hangul = re.search(r"[\uac00-\ud7a3]+", rest)
        if hangul and text != "한국어":
            found.append(Finding(where, hangul.group(0), text[:120]))
    return found


def machine_path(kamp: Platform) -> str:
    """The path of the machine added in the browser, found by its Korean name."""
    me = kamp.principal()
    for eq in kamp.assets.list_nodes(me, "equipment"):
        if MACHINE in (eq.name, eq.name_ko):
            return kamp.assets.path_of(me, eq.id)
    raise AssertionError(f"no machine named {MACHINE} in the asset tree")


def arrive(page: Any, pattern: str, step: str, timeout: float = 30_000) -> None:
    """Wait for the page the step leads to; if it does not come, fail with what the page says."""
    deadline = time.monotonic() + timeout / 1000
    stuck = False
    while not re.match(pattern, page.url) and not stuck:
        try:
            page.wait_for_url(re.compile(pattern), timeout=2_000)
        except sync_api.TimeoutError:
            failed = page.locator("#job-error:not([hidden])").count()  # a job page that failed
            stuck = bool(failed) or time.monotonic() > deadline
    if stuck:
        shot(page, f"stuck-{step}")
        said = page.locator("[role=alert], .error, .flash, #run-status").all_inner_texts()
        raise AssertionError(f"{step}: still on {page.url}; the page says {said}") from None


def add_node(page: Any, testid: str, name: str) -> None:
    form = page.locator(f"[data-testid={testid}]")
    form.locator("input[name=label]").first.fill(name)
    form.locator("button[type=submit]").first.click()
    page.wait_for_load_state()
