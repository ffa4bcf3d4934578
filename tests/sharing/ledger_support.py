"""Shared by the ledger tests: a metadata store with two organisations and their ledger."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openkamp.sharing import Entry, Ledger
from openkamp.storage import open_metadata
from openkamp.storage.metadata.sql import SqlMetadataStore


@dataclass
class World:
    meta: SqlMetadataStore
    ledger: Ledger
    data_dir: Path
    acme: int  # a factory offering data
    beta: int  # a supplier using it
    gamma: int  # another factory, never concerned

    @property
    def db(self) -> Path:
        return Path(str(self.meta.engine.url.database))

    def raw(self) -> sqlite3.Connection:
        """A plain connection to the database file, with the append-only triggers dropped, as
        someone who can write the file would do."""
        con = sqlite3.connect(self.db)
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ledger_%'"
        )]  # fmt: skip
        for name in names:
            con.execute(f"DROP TRIGGER {name}")
        con.commit()
        return con


def world(tmp_path: Path) -> Iterator[World]:
    data = tmp_path / "data"
    meta = open_metadata(f"sqlite:///{tmp_path}/meta.sqlite")
    acme = meta.create_org("acme", "에이크미 정밀")["id"]
    beta = meta.create_org("beta", "베타 AI")["id"]
    gamma = meta.create_org("gamma")["id"]
    try:
        yield World(meta, Ledger.at(meta, data), data, acme, beta, gamma)
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
