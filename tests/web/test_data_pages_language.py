"""The data pages in the page's language: equipment, delete confirmations, refusals, the import
wizard, scoring results (and their downloads' titles) and the model page's trade-off, scanned
for untranslated text in Korean and English (the shared scanner of the UI tests)."""

from __future__ import annotations

import io
from datetime import timedelta

import pandas as pd
import pytest

from .flows_support import job_result, log_in
from .support import END, Site

try:  # the untranslated-text scanner of the UI tests (tests/web/language_scan.py)
    from .language_scan import untranslated
    from .test_language import _data_words
except ImportError:  # pragma: no cover - only while the scanner is not in the tree
    pytest.skip("the UI's language scanner is not in this tree", allow_module_level=True)


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_data_pages_have_no_untranslated_text(site: Site, lang: str) -> None:
    kamp = site.kamp
    me = kamp.principal()
    inj = kamp.assets.resolve(me, "plant1/line1/inj01")
    sig = kamp.assets.list_signals(me, inj.id)[0]
    col = kamp.assets.list_label_columns(me, inj.id)[0]
    words = set(_data_words(site))
    for rec in kamp.imports.list(me):  # a file's own headers are its data
        words.update(str(c) for c in (rec.get("report") or {}).get("columns", {}))
        words.add(str((rec.get("report") or {}).get("timestamp_column") or ""))
    words = frozenset(words)
    shots = site.factory.generate(END, END + timedelta(hours=3))["inj01"]
    findings = []
    with site.client() as c:
        csrf = log_in(c)
        c.cookies.set("okp_lang", lang)
        pages = [
            "/assets",
            f"/assets/equipment/{inj.id}",
            f"/assets/node/{inj.id}/delete",
            f"/assets/signal/{sig.id}/delete",
            f"/assets/label/{col.id}/delete",
            "/import",
            "/import/1",
            "/models/inj01_defect/1",
        ]
        sent = c.post("/models/inj01_defect/1/score", data={"csrf_token": csrf},
                      files={"file": ("s.csv", shots.to_csv(index=False).encode())})  # fmt: skip
        scored = job_result(site.kamp, sent)
        pages += [sent.headers["location"], scored, scored + "?only=1"]
        for path in pages:
            page = c.get(path)
            assert page.status_code == 200, (path, page.status_code)
            findings += untranslated(page.text, lang, path, words)
        # Refusals and errors of these pages.
        for method, path, data in (
            ("post", f"/assets/node/{inj.id}/delete", {"csrf_token": csrf}),
            ("post", "/assets/nodes", {"csrf_token": csrf, "kind": "line", "label": "x"}),
            ("post", "/models/inj01_defect/1/score", {"csrf_token": csrf}),
            ("get", "/assets/equipment/987654", None),
            ("get", "/models/inj01_defect/1/scored/AAAAAAAAAAAAAAAAAAAAAAAA", None),
        ):
            page = c.post(path, data=data) if method == "post" else c.get(path)
            assert page.status_code >= 400, path
            findings += untranslated(page.text, lang, path, words)
        # The Excel download's column titles are in the page's language too.
        sheet = pd.read_excel(io.BytesIO(c.get(scored + "/download?format=xlsx").content))
        own = [str(t) for t in sheet.columns if str(t) not in shots.columns and t != "부품번호"]
        html = "<html><body><table><tr>" + "".join(f"<th>{t}</th>" for t in own) + "</tr></table>"
        findings += untranslated(html + "</body></html>", lang, "download", words)
    report = "\n".join(str(f) for f in findings[:60])
    assert not findings, f"{len(findings)} untranslated words:\n{report}"
