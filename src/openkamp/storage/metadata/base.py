"""The metadata store interface: organisations and organisation-scoped records.

Records are plain dicts of column values, of a small set of kinds (``node``, ``signal``,
``label_column``, ``import``, ``model``, ``user``, ``api_token``, ``session``, ``job``, ``dataset``, ``alert``). Every method except the organisation ones takes the acting
organisation id and only ever sees that organisation's records: a record of another organisation
is reported as not found, exactly like one that does not exist.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, ClassVar, Literal

RecordKind = Literal[
    "node", "signal", "label_column", "import", "model", "user", "api_token", "session", "job",
    "dataset", "alert", "connection", "equipment_state", "alert_rule", "notification_channel",
    "retention_policy", "offer",
]  # fmt: skip
Record = dict[str, Any]


class MetadataStore(ABC):
    scheme: ClassVar[str]
    #: Other processes write the same store (API, ingest and job workers on PostgreSQL): state
    #: they must agree on (sign-in limits) is kept in the store, not in one process's memory.
    shared: bool = False

    # -- organisations ------------------------------------------------------------------------

    @abstractmethod
    def create_org(self, name: str, display_name: str = "") -> Record: ...

    @abstractmethod
    def get_org(self, org_id: int) -> Record: ...

    @abstractmethod
    def find_org(self, name: str) -> Record | None: ...

    @abstractmethod
    def list_orgs(self) -> list[Record]: ...

    # -- records ------------------------------------------------------------------------------

    @abstractmethod
    def insert(self, org_id: int, kind: RecordKind, values: Record) -> Record:
        """Insert a record; returns it with its ``id``. Conflict on a duplicate name."""

    @abstractmethod
    def lookup(self, kind: RecordKind, /, **equals: Any) -> Record | None:
        """The first record of any organisation with these values, for authentication only
        (a login name, a token or session hash): ``user``, ``api_token`` and ``session`` kinds."""

    @abstractmethod
    def get(self, org_id: int, kind: RecordKind, record_id: int) -> Record:
        """One record; NotFound if absent or owned by another organisation."""

    @abstractmethod
    def find(self, org_id: int, kind: RecordKind, /, **equals: Any) -> list[Record]:
        """Records whose columns equal the given values (a list value means 'one of'), by id."""

    def find_first(
        self,
        org_id: int,
        kind: RecordKind,
        /,
        *,
        order: Sequence[str],
        limit: int,
        **equals: Any,
    ) -> list[Record]:
        """At most ``limit`` records of :meth:`find`, sorted by ``order`` (column names, ``-``
        before a name for descending). Backends push both into the query, so a page of the
        newest records costs the same however many there are; this fallback sorts in memory."""
        recs = self.find(org_id, kind, **equals)
        for col in reversed(order):  # stable sorts, the last key first
            name = col.lstrip("-")

            def key(r: Record, n: str = name) -> tuple[bool, Any]:
                return (r[n] is None, r[n])

            recs.sort(key=key, reverse=col.startswith("-"))
        return recs[: max(0, int(limit))]

    @abstractmethod
    def update(self, org_id: int, kind: RecordKind, record_id: int, values: Record) -> Record:
        """Change some columns; returns the updated record."""

    @abstractmethod
    def delete(self, org_id: int, kind: RecordKind, record_id: int) -> None:
        """Delete a record; Conflict if other records still refer to it."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """Group calls made inside the block into one atomic transaction."""

    def iter_all(self, org_id: int, kind: RecordKind) -> Iterator[Record]:
        yield from self.find(org_id, kind)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
