"""Datasets: named, versioned, immutable tables with a schema hash (the unit models are trained
on, and later offered and contracted).

``Platform.datasets`` is a :class:`DatasetService`; see its module for the API. A version's
columns carry a kind (number / text / time / bool) and a role (input / time / id / group / label /
ignore); :class:`DatasetVersion` names the time, id, group and label columns.
"""

from openkamp.datasets._tables import kind_of
from openkamp.datasets._version import (
    KINDS,
    ROLES,
    DatasetColumn,
    DatasetVersion,
    schema_hash,
)
from openkamp.datasets.service import ROW_GROUP_ROWS, DatasetRef, DatasetService

__all__ = [
    "KINDS",
    "ROLES",
    "ROW_GROUP_ROWS",
    "DatasetColumn",
    "DatasetRef",
    "DatasetService",
    "DatasetVersion",
    "kind_of",
    "schema_hash",
]
