"""Every reason a codec reports has its text in both languages, without English in Korean."""

from __future__ import annotations

import re

from openkamp.connectors.payloads import REASONS, PayloadError
from openkamp.i18n import MESSAGES, error_text


def test_every_reason_has_korean_and_english_text() -> None:
    for reason in REASONS:
        entry = MESSAGES[f"err.payload.{reason}"]
        assert entry["ko"] and entry["en"]
        ko, _ = error_text(PayloadError(reason, "an English detail"), "ko")
        assert "English" not in ko and re.search("[가-힣]", ko), ko
        en, _ = error_text(PayloadError(reason, "an English detail"), "en")
        assert not re.search("[가-힣]", en)
