"""Storage backends chosen by URL scheme (STYLE rule 2).

Each registry maps a scheme to ``"module:Class"``; drivers are imported only when a URL asks for
them. Third parties add backends with :func:`register`.
"""

from __future__ import annotations

import importlib
from typing import Any
from urllib.parse import urlparse

from openkamp.core.errors import UnknownBackend

_BACKENDS: dict[str, dict[str, str]] = {
    "metadata": {
        "sqlite": "openkamp.storage.metadata.sql:SqlMetadataStore",
        "postgresql": "openkamp.storage.metadata.sql:SqlMetadataStore",
        "postgresql+psycopg": "openkamp.storage.metadata.sql:SqlMetadataStore",
        "postgresql+psycopg2": "openkamp.storage.metadata.sql:SqlMetadataStore",
    },
    "timeseries": {
        "duckdb": "openkamp.storage.timeseries.duckdb:DuckDBTimeSeriesStore",
        "postgresql": "openkamp.storage.timeseries.postgres:PostgresTimeSeriesStore",
        "postgresql+psycopg": "openkamp.storage.timeseries.postgres:PostgresTimeSeriesStore",
    },
    "files": {
        "file": "openkamp.storage.files.local:LocalFileStore",
    },
}


def register(store: str, scheme: str, target: str) -> None:
    """Register ``target`` ("module:Class") as the backend of ``store`` for ``scheme``."""
    _BACKENDS.setdefault(store, {})[scheme] = target


def schemes(store: str) -> list[str]:
    return sorted(_BACKENDS.get(store, {}))


def _open(store: str, url: str, **kwargs: Any) -> Any:
    scheme = urlparse(url).scheme
    target = _BACKENDS.get(store, {}).get(scheme)
    if target is None:
        raise UnknownBackend(
            f"No {store} backend for URL scheme {scheme!r} ({url!r}).",
            hint=f"Valid schemes: {', '.join(schemes(store))}.",
        )
    module, _, cls = target.partition(":")
    return getattr(importlib.import_module(module), cls)(url, **kwargs)


def open_metadata(url: str, **kwargs: Any) -> Any:
    """Open the metadata store at ``url`` (migrating its schema)."""
    return _open("metadata", url, **kwargs)


def open_timeseries(url: str, **kwargs: Any) -> Any:
    """Open the time-series store at ``url``."""
    return _open("timeseries", url, **kwargs)


def open_files(url: str, **kwargs: Any) -> Any:
    """Open the file store at ``url``."""
    return _open("files", url, **kwargs)
