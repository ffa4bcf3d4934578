"""Texts of the datasets area (Korean first, English beside it)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {}
