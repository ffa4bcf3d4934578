"""Texts of the live path (issue 10): live. Korean first, English beside it."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {}
