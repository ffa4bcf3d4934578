"""Texts of domain errors: ``err.<code>`` (and ``err.<code>.hint``), formatted with the error's
``params``. Areas with many errors of their own may keep them in their own catalogue, under the
same ``err.`` prefix."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "err.bad_time": {
        "ko": "시간 {text!r}을(를) 읽을 수 없습니다.",
        "en": "Cannot read the time {text!r}.",
    },
    "err.bad_time.hint": {
        "ko": "ISO 형식으로 입력하세요. 예: 2026-03-01T08:00",
        "en": "Use ISO format, e.g. 2026-03-01T08:00",
    },
}
