"""Every error a user can meet in the datasets area has Korean and English text, and the kind
detection's reasons read in both languages with the same parameters."""

from __future__ import annotations

import re
import string
from pathlib import Path

import openkamp
from openkamp.datasets.records import KindReason
from openkamp.i18n import MESSAGES, t

SOURCES = [
    *(Path(openkamp.__file__).parent / "datasets").glob("*.py"),
    Path(openkamp.__file__).parent / "cli" / "datasets.py",
]


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_datasets_error_code_has_both_languages() -> None:
    codes = set()
    for path in SOURCES:
        codes |= set(re.findall(r'code="(datasets\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert len(codes) >= 15
    for code in sorted(codes):
        entry = MESSAGES.get(f"err.{code}")
        assert entry and entry.get("ko") and entry.get("en"), code
        assert _fields(entry["ko"]) == _fields(entry["en"]), code


def test_kind_reasons_read_in_both_languages() -> None:
    reasons = {
        k.removeprefix("datasets.reason."): v
        for k, v in MESSAGES.items()
        if k.startswith("datasets.reason.")
    }
    assert set(reasons) >= {
        "no_time",
        "repeated_time",
        "id_columns",
        "text_columns",
        "increasing_time",
    }
    for code, entry in reasons.items():
        assert _fields(entry["ko"]) == _fields(entry["en"]), code
    r = KindReason("repeated_time", {"column": "일시", "rows": 300, "of": 600})
    assert r.text("ko") == t("datasets.reason.repeated_time", "ko", column="일시", rows=300, of=600)
    assert "300" in r.text("en") and "일시" in r.text("en")
    assert r.to_dict("ko")["text"].startswith("'일시'")
