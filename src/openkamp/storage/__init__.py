"""Storage ports: small interfaces with backends chosen by URL.

>>> from openkamp.storage import open_timeseries
>>> store = open_timeseries("duckdb://")  # in memory
"""

from openkamp.storage.files.base import FileRef, FileStore
from openkamp.storage.metadata.base import MetadataStore
from openkamp.storage.registry import open_files, open_metadata, open_timeseries, register, schemes
from openkamp.storage.timeseries.base import (
    LABEL_SCHEMA,
    POINT_SCHEMA,
    TimeSeriesStore,
    WriteResult,
)

__all__ = [
    "LABEL_SCHEMA",
    "POINT_SCHEMA",
    "FileRef",
    "FileStore",
    "MetadataStore",
    "TimeSeriesStore",
    "WriteResult",
    "open_files",
    "open_metadata",
    "open_timeseries",
    "register",
    "schemes",
]
