"""Storage of settlement: the tables ``valuations``, ``charges``, ``statements`` and
``statement_lines`` of migration 0011, behind a small interface.

Like :mod:`openkamp.storage.metadata.contracts`, these rows concern two organisations (an owner
and a consumer), so they are not organisation-scoped record kinds; who may read what is decided
in :mod:`openkamp.sharing.settlement_service`. Writes go through the metadata store's single
writer and join a transaction the caller has open (a statement, its lines and its ledger entry
commit together). Statements and their lines are only inserted (the migration's triggers refuse
changes); a charge may be replaced until its owner's statement for the month is issued.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from openkamp.core.errors import Conflict, InvalidInput
from openkamp.storage.metadata.base import MetadataStore, Record
from openkamp.storage.metadata.dialect import insert_on_conflict
from openkamp.storage.metadata.rows import row_out as _out
from openkamp.storage.metadata.rows import values_in as _in
from openkamp.storage.metadata.schema import (
    charges,
    contracts,
    offers,
    statement_lines,
    statements,
    valuations,
)

__all__ = ["SettlementStore", "settlement_store"]


class SettlementStore:
    """The settlement tables of a SQL metadata store (SQLite or PostgreSQL)."""

    def __init__(self, meta: Any) -> None:
        self.meta = meta

    # -- reads of other areas' tables -----------------------------------------------------------

    def contract(self, contract_id: int) -> Record | None:
        if not -(2**63) <= int(contract_id) < 2**63:
            return None
        with self.meta._read() as conn:
            row = conn.execute(select(contracts).where(contracts.c.id == int(contract_id))).first()
        return None if row is None else _out(row)

    def offer(self, offer_id: int) -> Record | None:
        with self.meta._read() as conn:
            row = conn.execute(select(offers).where(offers.c.id == int(offer_id))).first()
        return None if row is None else _out(row)

    # -- valuations -------------------------------------------------------------------------------

    def insert_valuation(self, values: Record) -> Record:
        with self.meta._write() as conn:
            row = conn.execute(
                valuations.insert().values(**_in(values)).returning(*valuations.c)
            ).one()
        return _out(row)

    def valuation(self, valuation_id: int) -> Record | None:
        with self.meta._read() as conn:
            row = conn.execute(
                select(valuations).where(valuations.c.id == int(valuation_id))
            ).first()
        return None if row is None else _out(row)

    # -- charges ----------------------------------------------------------------------------------

    def put_charge(self, key: Record, values: Record) -> Record:
        """Insert the charge with ``key`` (contract_id + period, or consumer_org_id +
        pooled_ref + period), or replace the one stored under it: one statement, so two
        processes settling the same month at once leave one charge, the last one's."""
        c = charges.c
        with self.meta._write() as conn:
            ins = insert_on_conflict(conn, charges).values(**_in({**key, **values}))
            keep = set(key) | {"created_at"}
            row = conn.execute(
                ins.on_conflict_do_update(
                    index_elements=[getattr(c, k) for k in key],
                    set_={k: ins.excluded[k] for k in values if k not in keep},
                ).returning(*charges.c)
            ).one()
        return _out(row)

    def charges(
        self,
        *,
        period: str | None = None,
        owner: int | None = None,
        consumer: int | None = None,
        kind: str | None = None,
    ) -> list[Record]:
        c = charges.c
        stmt = select(charges)
        if period is not None:
            stmt = stmt.where(c.period == period)
        if owner is not None:
            stmt = stmt.where(c.org_id == int(owner))
        if consumer is not None:
            stmt = stmt.where(c.consumer_org_id == int(consumer))
        if kind is not None:
            stmt = stmt.where(c.kind == kind)
        with self.meta._read() as conn:
            return [_out(r) for r in conn.execute(stmt.order_by(c.id))]

    # -- statements -------------------------------------------------------------------------------

    def insert_statement(self, values: Record, lines: Sequence[Record]) -> Record:
        """Store an issued statement and its lines; Conflict when the owner's statement of that
        month exists already."""
        try:
            with self.meta._write() as conn:
                row = conn.execute(
                    statements.insert().values(**_in(values)).returning(*statements.c)
                ).one()
                if lines:
                    conn.execute(
                        statement_lines.insert(),
                        [{**line, "statement_id": row.id, "line_no": i}
                         for i, line in enumerate(lines)],
                    )  # fmt: skip
        except IntegrityError as exc:
            raise Conflict(
                f"A statement of {values['period']} exists already.",
                code="sharing.settlement.issued",
                params={"period": values["period"]},
            ) from exc
        return _out(row)

    def statement(self, statement_id: int) -> tuple[Record, list[Record]] | None:
        if not -(2**63) <= int(statement_id) < 2**63:
            return None
        s, ln = statements.c, statement_lines.c
        with self.meta._read() as conn:
            row = conn.execute(select(statements).where(s.id == int(statement_id))).first()
            if row is None:
                return None
            lines = conn.execute(
                select(statement_lines)
                .where(ln.statement_id == int(statement_id))
                .order_by(ln.line_no)
            )
            return _out(row), [_out(r) for r in lines]

    def statements(self, *, owner: int, period: str | None = None) -> list[Record]:
        s = statements.c
        stmt = select(statements).where(s.org_id == int(owner))
        if period is not None:
            stmt = stmt.where(s.period == period)
        with self.meta._read() as conn:
            return [_out(r) for r in conn.execute(stmt.order_by(s.period, s.id))]


def settlement_store(meta: MetadataStore) -> SettlementStore:
    """The settlement tables of a metadata store (its SQL backend: SQLite or PostgreSQL)."""
    from openkamp.storage.metadata.sql import SqlMetadataStore

    if isinstance(meta, SqlMetadataStore):
        return SettlementStore(meta)
    raise InvalidInput(
        f"The metadata store {type(meta).__name__} keeps no settlement.",
        hint="Use the SQL metadata store (sqlite:// or postgresql://).",
    )
