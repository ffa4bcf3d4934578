"""Every whole-file rejection in ingest carries a code whose text exists in Korean and English."""

from __future__ import annotations

import re
import string
from pathlib import Path

import openkamp.ingest.importer
from openkamp.i18n import MESSAGES

SOURCES = sorted(Path(openkamp.ingest.importer.__file__).parent.glob("*.py"))


def test_every_rejection_has_a_code() -> None:
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"(ImportRejected|InvalidInput)\(", text):
            call = text[m.end() : m.end() + 900]
            depth, end = 1, 0
            for i, ch in enumerate(call):  # the call's own parentheses
                depth += ch == "("
                depth -= ch == ")"
                if depth == 0:
                    end = i
                    break
            assert "code=" in call[:end], f"{path.name}: {call[:80]!r} has no code"


def test_every_code_and_note_reads_in_both_languages() -> None:
    codes = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        codes |= {f"err.{c}" for c in re.findall(r'code="(ingest\.[a-z_0-9]+)"', text)}
        codes |= {f"ingest.note.{c}" for c in re.findall(r'note\("([a-z_]+)"', text)}
        codes |= {f"ingest.note.{c}" for c in re.findall(r'_note\(layout, "([a-z_]+)"', text)}
    assert len(codes) > 30
    for key in codes:
        entry = MESSAGES.get(key)
        assert entry and entry.get("ko") and entry.get("en"), key
        # Both languages use the same parameters.
        fields = [
            {f for _, f, _, _ in string.Formatter().parse(entry[lang]) if f}
            for lang in ("ko", "en")
        ]
        assert fields[0] == fields[1], key
