"""Shared by the ledger tests: a metadata store with two organisations and their ledger."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openkamp.sharing import Entry, Ledger
from openkamp.storage import open_metadata
from openkamp.storage.metadata.sql import SqlMetadataStore
from openkamp.storage.testing.sql_backends import RawConnection, metadata_url


@dataclass
class World:
    meta: SqlMetadataStore
    ledger: Ledger
    data_dir: Path
    acme: int  # a factory offering data
    beta: int  # a supplier using it
    gamma: int  # another factory, never concerned
    url: str = ""  # of the metadata database (SQLite file or PostgreSQL)

    def connect(self) -> RawConnection:
        """A plain connection to the database, the append-only triggers in place."""
        return RawConnection(self.url)

    def raw(self) -> RawConnection:
        """A plain connection to the database, with the append-only triggers dropped, as
        someone who can write the database would do."""
        con = RawConnection(self.url)
        con.drop_triggers("ledger_")
        return con

    def reopen(self) -> SqlMetadataStore:
        """Another metadata store on the same database (as another process would open)."""
        return open_metadata(self.url)


def world(tmp_path: Path, backend: str = "sqlite") -> Iterator[World]:
    """Three organisations and their ledger on a SQLite file or a fresh PostgreSQL database."""
    data = tmp_path / "data"
    with metadata_url(backend, tmp_path) as url:
        meta = open_metadata(url)
        acme = meta.create_org("acme", "에이크미 정밀")["id"]
        beta = meta.create_org("beta", "베타 AI")["id"]
        gamma = meta.create_org("gamma")["id"]
        try:
            yield World(meta, Ledger.at(meta, data), data, acme, beta, gamma, url)
        finally:
            meta.close()


def use(i: int, owner: int, **details: object) -> Entry:
    """A training (or access, every third) of the owner's dataset under contract 17."""
    return Entry(
        "access" if i % 3 == 0 else "training",
        dataset="press-shots@3",
        contract=17,
        parties=[owner],
        details={"rows": 1000 + i, "fee": Decimal("1250.50"), **details},
    )


def fill(w: World, batches: list[int], *, start: int = 0) -> list[int]:
    """Batches of uses by beta of acme's data (every fifth batch acted by acme, concerning only
    itself); returns the tree size after each batch."""
    sizes = []
    k = start
    for b, n in enumerate(batches):
        if b % 5 == 4:
            w.ledger.append(w.acme, [Entry("export", dataset="own@1", details={"i": k + i})
                                     for i in range(n)])  # fmt: skip
        else:
            w.ledger.append(w.beta, [use(k + i, w.acme) for i in range(n)])
        k += n
        sizes.append(k)
    return sizes
