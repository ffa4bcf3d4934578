"""Texts of the live path (issue 10): retention. Korean first, English beside it."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {}
