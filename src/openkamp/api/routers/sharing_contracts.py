"""Sharing data under contract (issue 11): contracts (request with a purpose, the owner's
approval with the offer's or changed terms and price, accept / decline, the consumer's
withdrawal of its request, reject, revoke, complete), their usage counters, what their industry
clauses ask of the organisation, the governed export (a watermarked CSV file), the consumer's
deletion confirmation, and compute-to-data (a job in the owner's space whose model lands in the
consumer's registry; its answers never carry a row). A contract exists only for its two
parties: any other organisation gets 404."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import responses
from openkamp.api.openapi import file_answer
from openkamp.api.routers.sharing import IndustryCheckOut, industry_out

router = APIRouter(prefix="/sharing", tags=["sharing"])

State = Literal[
    "requested", "countered", "active", "rejected", "withdrawn", "expired", "revoked", "completed"
]


class ContractOut(BaseModel):
    """A contract as its parties see it (times ISO 8601; no key)."""

    model_config = ConfigDict(extra="forbid")

    id: int
    owner_org_id: int
    consumer_org_id: int
    offer_id: int
    state: State
    purpose: str
    request_note: str
    terms: dict[str, Any] | None = Field(description="The ODRL Agreement once decided")
    price: dict[str, Any] | None
    dataset: str | None
    requested_by: str
    created_at: str
    starts_at: str | None
    ends_at: str | None
    decided_by: str | None
    decided_at: str | None
    decision_note: str | None
    accepted_by: str | None = Field(description="The consumer's user who accepted a counter-offer")
    accepted_at: str | None
    ended_by: str | None
    ended_at: str | None
    end_reason: str | None
    updated_at: str | None


class ContractRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    offer_id: int = Field(ge=1, lt=2**63)
    purpose: str = Field(max_length=32, description="quality, maintenance, research, …")
    note: str = Field("", max_length=2000, description="What the data is for")


class Approval(BaseModel):
    model_config = ConfigDict(extra="forbid")

    terms: dict[str, Any] | None = Field(None, description="Changed terms: an ODRL Offer")
    price: dict[str, Any] | None = Field(None, description="A changed price model")
    note: str = Field("", max_length=2000)


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=2000)


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=2000)


class UsageOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rows: int = Field(description="Rows delivered so far")
    queries: int = Field(description="Accesses so far")
    trainings: int
    oldest_undeleted: str | None = Field(description="The oldest export not confirmed deleted")


class DeliveryOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    contract_id: int
    kind: Literal["export", "compute"]
    rows: int
    columns: list[str]
    sha256: str
    filename: str
    delivered_at: str | None
    delete_by: str | None
    deleted_at: str | None
    ledger_index: int | None
    watermarked: bool


class ExportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    columns: list[str] | None = Field(None, max_length=1000, description="Columns wanted")
    limit: int | None = Field(None, ge=1, le=100_000_000, description="The first rows only")


class ComputeRequest(BaseModel):
    """A standard model to train on the contract's dataset version (the data stays with its
    owner; the model, its metrics and its report come to the consumer's registry)."""

    model_config = ConfigDict(extra="forbid")

    task: Literal["anomaly", "classify", "regress", "rul", "forecast"]
    name: str = Field(min_length=1, max_length=128, description="The model's name")
    target: str | None = Field(None, max_length=256)
    features: list[str] | None = Field(None, max_length=1000)
    groups: str | None = Field(None, max_length=256)
    unit: str | None = Field(None, max_length=256)
    horizon: int = Field(24, ge=1, le=10_000)
    time_budget_s: float = Field(60.0, gt=0, le=3600)
    random_state: int = Field(0, ge=0, lt=2**31)
    options: dict[str, Any] = Field(default_factory=dict, description="The template's choices")
    description: str = Field("", max_length=2000)
    independent: bool = Field(False, description="Rows are independent parts")


class ComputeResultOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str | None
    version: int | None
    org_id: int | None
    metrics: dict[str, Any] | None
    rows: int | None


class ComputeJob(BaseModel):
    """A compute-to-data job as either party sees it: no log lines, no rows."""

    model_config = ConfigDict(extra="forbid")

    id: int
    contract_id: int
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    progress: float | None
    message: str | None
    error: str | None
    task: str | None
    model: str | None
    created_at: str | None
    finished_at: str | None
    result: ComputeResultOut | None


def _party(kamp: Any, me: Any, contract_id: int) -> None:
    """NotFound unless the organisation is a party, before the request's values are judged
    (another organisation learns nothing, not even that its reason was missing)."""
    kamp.sharing.contracts.get(me, contract_id)


def _out(c: Any) -> dict[str, Any]:
    doc = c.to_json()
    doc.pop("secret_id", None)
    return dict(doc)


# -- contracts --------------------------------------------------------------------------------


@router.post(
    "/contracts", status_code=201, response_model=ContractOut, responses=responses(404, 409)
)
def sharing_contracts_request(kamp: Kamp, me: Me, body: ContractRequest) -> dict[str, Any]:
    """Ask for a published offer of another organisation, stating the purpose."""
    return _out(kamp.sharing.contracts.request(me, body.offer_id, body.purpose, body.note))


@router.get("/contracts", response_model=list[ContractOut])
def sharing_contracts_list(
    kamp: Kamp,
    me: Me,
    role: Literal["owner", "consumer"] | None = None,
    state: State | None = None,
    offer_id: int | None = Query(None, ge=1, lt=2**63),
    limit: int = Query(500, ge=1, le=1000),
) -> list[dict[str, Any]]:
    """The organisation's contracts, newest first: as owner, as consumer, or both."""
    cs = kamp.sharing.contracts.list(me, role=role, state=state, offer_id=offer_id, limit=limit)
    return [_out(c) for c in cs]


@router.get("/contracts/{contract_id}", response_model=ContractOut)
def sharing_contracts_get(kamp: Kamp, me: Me, contract_id: int) -> dict[str, Any]:
    """One contract the organisation is a party to."""
    return _out(kamp.sharing.contracts.get(me, contract_id))


@router.post("/contracts/{contract_id}/approve", response_model=ContractOut,
             responses=responses(409))  # fmt: skip
def sharing_contracts_approve(
    kamp: Kamp, me: Me, contract_id: int, body: Approval
) -> dict[str, Any]:
    """The owner approves: as offered it is active at once; with changed terms or price it is
    countered until the consumer accepts."""
    _party(kamp, me, contract_id)  # 404 before the body is judged
    c = kamp.sharing.contracts.approve(
        me, contract_id, terms=body.terms, price=body.price, note=body.note
    )
    return _out(c)


@router.post("/contracts/{contract_id}/accept", response_model=ContractOut,
             responses=responses(409))  # fmt: skip
def sharing_contracts_accept(kamp: Kamp, me: Me, contract_id: int) -> dict[str, Any]:
    """The consumer accepts the owner's changed terms."""
    return _out(kamp.sharing.contracts.accept(me, contract_id))


@router.post("/contracts/{contract_id}/decline", response_model=ContractOut,
             responses=responses(409))  # fmt: skip
def sharing_contracts_decline(kamp: Kamp, me: Me, contract_id: int, body: Reason) -> dict[str, Any]:
    """The consumer declines the owner's changed terms."""
    _party(kamp, me, contract_id)  # 404 before the body is judged
    return _out(kamp.sharing.contracts.decline(me, contract_id, body.reason))


@router.post("/contracts/{contract_id}/withdraw", response_model=ContractOut,
             responses=responses(409))  # fmt: skip
def sharing_contracts_withdraw(
    kamp: Kamp, me: Me, contract_id: int, body: Reason | None = None
) -> dict[str, Any]:
    """The consumer takes back its own request before it is active (requested or countered);
    the reason is optional. The owner sees who withdrew it, when and why."""
    _party(kamp, me, contract_id)  # 404 before the body is judged
    reason = "" if body is None else body.reason
    return _out(kamp.sharing.contracts.withdraw(me, contract_id, reason))


@router.post("/contracts/{contract_id}/reject", response_model=ContractOut,
             responses=responses(409))  # fmt: skip
def sharing_contracts_reject(kamp: Kamp, me: Me, contract_id: int, body: Reason) -> dict[str, Any]:
    """The owner rejects a request, saying why."""
    _party(kamp, me, contract_id)  # 404 before the body is judged
    return _out(kamp.sharing.contracts.reject(me, contract_id, body.reason))


@router.post("/contracts/{contract_id}/revoke", response_model=ContractOut,
             responses=responses(409))  # fmt: skip
def sharing_contracts_revoke(kamp: Kamp, me: Me, contract_id: int, body: Reason) -> dict[str, Any]:
    """The owner revokes an active contract, saying why: access stops at once, jobs too."""
    _party(kamp, me, contract_id)  # 404 before the body is judged
    return _out(kamp.sharing.contracts.revoke(me, contract_id, body.reason))


@router.post("/contracts/{contract_id}/complete", response_model=ContractOut,
             responses=responses(409))  # fmt: skip
def sharing_contracts_complete(kamp: Kamp, me: Me, contract_id: int, body: Note) -> dict[str, Any]:
    """Either party ends an active contract (the work is done)."""
    _party(kamp, me, contract_id)  # 404 before the body is judged
    return _out(kamp.sharing.contracts.complete(me, contract_id, body.note))


@router.get("/contracts/{contract_id}/industry", response_model=IndustryCheckOut)
def sharing_contracts_industry(kamp: Kamp, me: Me, contract_id: int) -> dict[str, Any]:
    """What the contract's industry clauses (its agreed terms, or the offer's before the
    decision) ask of the calling organisation: ``met`` null means its KSIC code is not recorded
    and every use would be refused; ``can_set`` or the ``administrators`` to ask."""
    return industry_out(kamp, me, kamp.sharing.contract_industry_check(me, contract_id))


@router.get("/contracts/{contract_id}/usage", response_model=UsageOut)
def sharing_contracts_usage(kamp: Kamp, me: Me, contract_id: int) -> dict[str, Any]:
    """The contract's usage counters."""
    u = kamp.sharing.contracts.usage(me, contract_id)
    oldest: datetime | None = u.oldest_undeleted
    return {"rows": u.rows, "queries": u.queries, "trainings": u.trainings,
            "oldest_undeleted": None if oldest is None else oldest.isoformat()}  # fmt: skip


# -- deliveries -------------------------------------------------------------------------------


@router.post(
    "/contracts/{contract_id}/export",
    response_model=None,
    response_class=StreamingResponse,
    responses={
        **file_answer("The governed, watermarked export as CSV (UTF-8 with BOM)", "text/csv"),
        **responses(409),
    },
)
def sharing_contracts_export(
    kamp: Kamp, me: Me, contract_id: int, body: ExportRequest | None = None
) -> StreamingResponse:
    """The consumer's governed export: the offer's transforms, then a watermark that traces a
    leaked copy to this contract; authorised by the contract's terms and recorded in the
    ledger. The file streams from disk and is removed once sent. Headers: ``X-Delivery-Id``,
    ``X-Delivery-SHA256``."""
    body = body or ExportRequest()
    d = kamp.sharing.deliver(me, contract_id, columns=body.columns, limit=body.limit)
    path = d.path
    assert path is not None

    def pieces() -> Iterator[bytes]:
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    yield chunk
        finally:
            path.unlink(missing_ok=True)

    return StreamingResponse(
        pieces(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(d.filename)}",
            "X-Delivery-Id": str(d.id),
            "X-Delivery-SHA256": d.sha256,
        },
    )


@router.get("/contracts/{contract_id}/deliveries", response_model=list[DeliveryOut])
def sharing_contracts_deliveries(kamp: Kamp, me: Me, contract_id: int) -> list[dict[str, Any]]:
    """What left the owner's space under the contract: exports and compute-to-data jobs."""
    return [d.to_json() for d in kamp.sharing.deliveries(me, contract_id)]


@router.post("/deliveries/{delivery_id}/deleted", response_model=DeliveryOut)
def sharing_deliveries_deleted(kamp: Kamp, me: Me, delivery_id: int) -> dict[str, Any]:
    """The consumer confirms it deleted its copy (the policy's delete duty)."""
    return dict(kamp.sharing.confirm_deleted(me, delivery_id).to_json())


# -- compute-to-data --------------------------------------------------------------------------


@router.post(
    "/contracts/{contract_id}/compute", status_code=202, response_model=ComputeJob,
    responses=responses(409),
)  # fmt: skip
def sharing_contracts_compute(
    kamp: Kamp, me: Me, contract_id: int, body: ComputeRequest
) -> dict[str, Any]:
    """Train a standard model on the contract's data where it lies (the consumer): a job of
    the owner's space; only the model, its metrics and its report leave, never a row."""
    return kamp.sharing.compute(me, contract_id, body.model_dump())


@router.get("/contracts/{contract_id}/jobs", response_model=list[ComputeJob])
def sharing_contracts_jobs(kamp: Kamp, me: Me, contract_id: int) -> list[dict[str, Any]]:
    """The contract's compute-to-data jobs: status, progress, the result's summary."""
    return kamp.sharing.compute_jobs(me, contract_id)
