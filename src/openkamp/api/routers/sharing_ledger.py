"""Sharing data under contract (issue 11): the usage ledger as an organisation sees it (its
signed tree head, who used what, an entry's inclusion proof, a kept head's consistency proof,
the auditor's bundle) and settlement (the owner settles a month; statements, invoices,
earnings)."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import responses
from openkamp.api.openapi import file_answer

router = APIRouter(prefix="/sharing", tags=["sharing"])


class Head(BaseModel):
    """A signed tree head (RFC 9162 style), as the standalone verifier reads it."""

    model_config = ConfigDict(extra="allow")

    tree_size: int
    root_hash: str
    signer: str


class HeadOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    head: Head | None = Field(description="The organisation's newest head (None: empty log)")


class EntryOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    index: int
    kind: str = Field(description="access, export, training or settlement")
    org: str = Field(description="Who acted")
    parties: list[str]
    contract: str | None
    dataset: str | None
    details: dict[str, Any]
    at: str


class UsageLineOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contract: str | None
    dataset: str | None
    org: str
    kind: str
    allowed: bool
    count: int
    rows: int


class UsageOut(BaseModel):
    """Ledger entries concerning the organisation (a page) and their sums."""

    model_config = ConfigDict(extra="forbid")

    entries: list[EntryOut]
    lines: list[UsageLineOut]
    next_after: int | None = Field(description="Pass as 'after' for the next page")


class InclusionOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    index: int
    leaf: str = Field(description="The entry's canonical JSON (the Merkle leaf)")
    leaf_hash: str
    head: Head
    proof: dict[str, Any]
    verified: bool


class ConsistencyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    head: dict[str, Any] = Field(description="A signed tree head the organisation kept")


class ConsistencyOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    old: Head
    new: Head
    proof: dict[str, Any]
    verified: bool


class SettleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    month: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$", description="The month, e.g. 2026-12")
    fee_rate: str = Field("0", pattern=r"^0(\.[0-9]{1,6})?$", description="Platform fee, 0..1")
    revenue: dict[int, str] | None = Field(
        None,
        description="Royalty contracts: the revenue each consumer reported for the month "
        '(contract id -> won as text, e.g. {"7": "1500000"})',
    )


class StatementOut(BaseModel):
    """An issued statement: lines sum exactly to the revenue (whole won, as text)."""

    model_config = ConfigDict(extra="allow")

    id: int
    owner_org_id: int
    period: str
    revenue: str
    fee: str
    payout: str
    lines: list[dict[str, Any]]
    digest: str


class InvoiceOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    consumer_org_id: int
    period: str
    total: str
    lines: list[dict[str, Any]]


class EarningsOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by_dataset: dict[str, str] = Field(description="Won per dataset version")
    by_consumer: dict[str, str] = Field(description="Won per consumer organisation id")


# -- the ledger -------------------------------------------------------------------------------


@router.get("/ledger/head", response_model=HeadOut)
def sharing_ledger_head(kamp: Kamp, me: Me) -> dict[str, Any]:
    """The organisation's newest co-signed tree head (else the platform's): keep it, and ask
    later for its consistency proof."""
    head = kamp.sharing.head(me)
    return {"head": None if head is None else head.to_json()}


@router.get("/ledger/usage", response_model=UsageOut)
def sharing_ledger_usage(
    kamp: Kamp,
    me: Me,
    after: int = Query(-1, ge=-1, lt=2**62),
    limit: int = Query(1000, ge=1, le=10_000),
) -> dict[str, Any]:
    """Who used what: the ledger entries concerning the organisation (its uses and the uses of
    its data), from ``after`` on, with their sums."""
    return dict(kamp.sharing.usage(me, after=after, limit=limit).to_json())


@router.get("/ledger/proof/{index}", response_model=InclusionOut)
def sharing_ledger_proof(kamp: Kamp, me: Me, index: int) -> dict[str, Any]:
    """An entry's inclusion proof against the organisation's signed head, verified."""
    if not 0 <= index < 2**62:
        from openkamp.core.errors import NotFound

        raise NotFound(f"No ledger entry {index}.", code="ledger.no_entry", params={"index": index})
    return dict(kamp.sharing.inclusion_proof(me, index).to_json())


@router.post("/ledger/consistency", response_model=ConsistencyOut)
def sharing_ledger_consistency(kamp: Kamp, me: Me, body: ConsistencyIn) -> dict[str, Any]:
    """Proof that the log of a head the organisation kept is a prefix of today's (a forged
    head is refused)."""
    from openkamp.core.errors import InvalidInput

    try:
        proof = kamp.sharing.consistency_proof(me, body.head)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(
            "The tree head cannot be read.", code="ledger.bad_head", params={"reason": "format"}
        ) from exc
    return dict(proof.to_json())


@router.get(
    "/ledger/export",
    response_model=None,
    response_class=StreamingResponse,
    responses={
        **file_answer("The auditor's bundle (zip), checked by verify_standalone.py",
                      "application/zip"),
        **responses(404),  # the log has no entry yet (ledger.empty)
    },
)  # fmt: skip
def sharing_ledger_export(kamp: Kamp, me: Me) -> StreamingResponse:
    """The organisation's entries with their proofs and its heads, for an auditor
    (administrators)."""
    folder = Path(tempfile.mkdtemp(prefix="okp-ledger-"))
    try:
        out = kamp.sharing.export(me, folder / "bundle")
        spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - closed below
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as z:
            base = Path(out)
            for path in sorted(base.rglob("*")):
                if path.is_file():
                    z.write(path, path.relative_to(base.parent).as_posix())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    spool.seek(0)

    def pieces() -> Iterator[bytes]:
        with spool:
            while chunk := spool.read(1 << 20):
                yield chunk

    return StreamingResponse(
        pieces(), media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="ledger-bundle.zip"'},
    )  # fmt: skip


# -- settlement -------------------------------------------------------------------------------


@router.post("/settlement/settle", status_code=201, response_model=StatementOut,
             responses=responses(409))  # fmt: skip
def sharing_settlement_settle(kamp: Kamp, me: Me, body: SettleIn) -> dict[str, Any]:
    """The owner settles a month: each contract billed from the month's ledger entries, the
    statement issued (immutable; its digest in the ledger)."""
    issued = kamp.sharing.settle(me, body.month, fee_rate=body.fee_rate, revenue=body.revenue)
    return dict(issued.to_json())


@router.get("/settlement/statements", response_model=list[StatementOut])
def sharing_settlement_statements(kamp: Kamp, me: Me) -> list[dict[str, Any]]:
    """The organisation's issued statements, oldest month first."""
    return [s.to_json() for s in kamp.sharing.statements(me)]


@router.get("/settlement/invoices", response_model=list[InvoiceOut])
def sharing_settlement_invoices(kamp: Kamp, me: Me) -> list[dict[str, Any]]:
    """The organisation's invoices as a consumer, one per month billed."""
    return [i.to_json() for i in kamp.sharing.invoices(me)]


@router.get("/settlement/earnings", response_model=EarningsOut)
def sharing_settlement_earnings(kamp: Kamp, me: Me) -> dict[str, Any]:
    """The owner's earnings over its statements, per dataset and per consumer."""
    return kamp.sharing.earnings(me)
