"""Every error the data pages and the asset service raise reads in Korean and English, with the
same placeholders in both (a missing one would fail when shown)."""

from __future__ import annotations

import re
import string
from pathlib import Path

from openkamp.core.assets import NodeKind
from openkamp.i18n import MESSAGES

SRC = Path(__file__).resolve().parents[2] / "src" / "openkamp"
MODULES = [
    "web/assets_page.py", "web/importer.py", "web/preview.py", "web/modeller.py",
    "web/score_page.py", "web/scoring.py", "web/recipe_page.py", "web/app.py",
    "api/routers/assets.py", "api/routers/models.py", "ml/file_scoring.py", "ml/tradeoff.py",
    "ml/recipe.py", "assets/service.py", "core/assets.py", "ml/registry.py",
]  # fmt: skip


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _codes() -> set[str]:
    codes: set[str] = set()
    for module in MODULES:
        source = (SRC / module).read_text(encoding="utf-8")
        for code in re.findall(r'code=f?"([a-z_.{}]+)"', source):
            if "{kind.value}" in code:  # the kinds that need a parent
                codes |= {
                    code.replace("{kind.value}", k.value) for k in NodeKind if k.value != "site"
                }
            elif "{kind}" in code:  # a record of any kind
                codes |= {k for k in MESSAGES if k.startswith("err.record.not_found.")}
            else:
                codes.add(f"err.{code}")
    return {c if c.startswith("err.") else f"err.{c}" for c in codes}


def test_every_code_raised_here_has_its_text() -> None:
    codes = _codes()
    assert len(codes) >= 25, sorted(codes)
    missing = sorted(c for c in codes if c not in MESSAGES)
    assert not missing, missing


def test_texts_are_in_both_languages_with_the_same_placeholders() -> None:
    keys = [k for k in MESSAGES if k.startswith(("web_data.", "err.web_data.", "err.assets.",
                                                 "err.record."))]  # fmt: skip
    assert len(keys) > 150
    for key in keys:
        text = MESSAGES[key]
        assert text.get("ko") and text.get("en"), key
        assert _fields(text["ko"]) == _fields(text["en"]), key
        assert re.search(r"[가-힣]", text["ko"]), key  # the Korean text is Korean


def test_the_import_script_finds_every_element_it_uses() -> None:
    """Every ``$("id")`` of the wizard's script is an element of its page (a typo would stop the
    script in the browser, where only the browser tests would see it)."""
    web = SRC / "web"
    script = (web / "static" / "import.js").read_text(encoding="utf-8")
    page = (web / "templates" / "import.html").read_text(encoding="utf-8")
    used = set(re.findall(r'\$\("([\w-]+)"\)', script))
    assert len(used) > 30
    missing = sorted(i for i in used if f'id="{i}"' not in page)
    assert not missing, missing
    words = set(re.findall(r"words\.(\w+)", script)) | set(re.findall(r'words\["(\w+)"\]', script))
    # Looked up by value: the roles of a column, the kinds of data, the job states.
    words |= {"signal", "label", "ignore", "id", "input", "group", "kind_timeseries",
              "kind_records", "queued", "running", "done", "failed", "cancelled"}  # fmt: skip
    feed = page.split('id="i18n"', 1)[1]
    absent = sorted(w for w in words if f'"{w}":' not in feed)
    assert not absent, absent
