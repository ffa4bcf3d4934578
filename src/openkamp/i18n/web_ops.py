"""Texts of the web area: overview, alerts, signal explorer, accounts pages (Korean first, English beside it)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {}
