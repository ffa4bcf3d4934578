"""Texts of the web area: import, assets, models and scoring pages (Korean first, English beside it)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {}
