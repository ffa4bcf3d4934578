"""Sharing data under contract (issue 11, item 6): pooled compute-to-data. The consumer trains
one model on the data of several of its contracts (each with another owner), where the data
lies; the job values each owner's contribution (Shapley values of the validation metric) and
the consumer pays for the model by the month, split by contribution into the owners'
statements. The consumer and the owners of a pooled job see it and its valuation; any other
organisation gets 404. No answer carries a row."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import responses

router = APIRouter(prefix="/sharing", tags=["sharing"])

Status = Literal["queued", "running", "done", "failed", "cancelled"]


class PooledRequest(BaseModel):
    """The contracts to pool (two or more of the consumer's active contracts, one per owner)
    and the standard model to train on their data."""

    model_config = ConfigDict(extra="forbid")

    contract_ids: list[int] = Field(
        min_length=2, max_length=50, description="The consumer's active contracts to pool"
    )
    task: Literal["classify", "regress"]
    name: str = Field(min_length=1, max_length=128, description="The model's name")
    target: str = Field(min_length=1, max_length=256, description="The column to predict")
    features: list[str] | None = Field(
        None, max_length=1000, description="Input columns (default: the first dataset's inputs)"
    )
    time_budget_s: float = Field(60.0, gt=0, le=3600)
    random_state: int = Field(0, ge=0, lt=2**31, description="Also seeds the validation split")
    options: dict[str, Any] = Field(default_factory=dict, description="The template's choices")
    description: str = Field("", max_length=2000)
    validation: str | None = Field(
        None,
        max_length=300,
        description="One of the consumer's own dataset versions ('name@3') with the target and "
        "the numeric features, to value the owners on (default: a held-out fifth of every "
        "owner's rows)",
    )


class PooledContractOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contract_id: int
    owner_org_id: int
    owner: str = Field(description="The owner organisation's name")
    dataset: str | None = Field(description="The contracted dataset version (name@version)")


class PooledModelOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str | None
    version: int | None
    metrics: dict[str, Any] | None
    rows: int | None = Field(description="Rows the model was trained on (pooled)")


class OwnerShareOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_id: int
    name: str
    share: float = Field(description="The owner's Shapley value of the validation metric")
    std_error: float = Field(description="Monte Carlo standard error (0 for exact values)")
    weight: float = Field(description="Its weight in a payment (negative shares weigh 0)")
    contract_id: int | None
    dataset: str | None
    rows: int | None = Field(description="The owner's rows read")


class ValuationOut(BaseModel):
    """Each owner's contribution to a pooled model; the shares sum to ``total`` = the full
    coalition's value less the value of no data (efficiency)."""

    model_config = ConfigDict(extra="forbid")

    id: int
    pooled_ref: str
    job_id: int | None
    consumer_org_id: int
    consumer: str
    method: Literal["exact", "monte_carlo"]
    metric: str = Field(description="balanced_accuracy (classify) or r2 (regress)")
    full_value: float | None = Field(description="The metric of the model on all owners' data")
    empty_value: float | None = Field(description="The metric with no data (chance)")
    total: float = Field(description="The sum of the shares")
    samples: int | None = Field(description="Monte Carlo permutations (None: exact)")
    validation: str | None = Field(
        description="What the owners were valued on: 'holdout' or the consumer's dataset"
    )
    created_at: str | None
    owners: list[OwnerShareOut]


class PooledJobOut(BaseModel):
    """A pooled compute-to-data job as its consumer and owners see it: no log, no rows."""

    model_config = ConfigDict(extra="forbid")

    id: int
    status: Status
    progress: float | None
    message: str | None
    error: str | None
    task: str | None
    model: str | None
    target: str | None
    validation: str | None = Field(description="The consumer's validation dataset, if named")
    consumer_org_id: int
    consumer: str
    contracts: list[PooledContractOut]
    created_at: str | None
    finished_at: str | None
    result: PooledModelOut | None
    valuation: ValuationOut | None


class PayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    month: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$", description="The month, e.g. 2026-12")
    amount: str = Field(pattern=r"^[0-9]{1,15}$", description="Whole won, as text")


class PaymentPartOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_id: int
    name: str
    share: float | None = None
    amount: str = Field(description="The owner's part, whole won")
    contract_id: int | None
    dataset: str | None


class PaymentOut(BaseModel):
    """A month's payment for a pooled model: the parts sum exactly to the amount."""

    model_config = ConfigDict(extra="forbid")

    job_id: int
    valuation_id: int
    pooled_ref: str
    period: str
    amount: str
    parts: list[PaymentPartOut]


class PaymentMonthOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str
    amount: str
    parts: list[PaymentPartOut]


@router.post("/pooled", status_code=202, response_model=PooledJobOut,
             responses=responses(404, 409))  # fmt: skip
def sharing_pooled_compute(kamp: Kamp, me: Me, body: PooledRequest) -> dict[str, Any]:
    """Train one standard model on the data of several of the consumer's contracts, where the
    data lies (each contract authorised and recorded on its ledger), and value each owner's
    contribution. A refusal names the contract."""
    spec = body.model_dump(exclude={"contract_ids", "validation"})
    spec["independent"] = True
    return kamp.sharing.pooled.compute(me, body.contract_ids, spec, validation=body.validation)


@router.get("/pooled", response_model=list[PooledJobOut])
def sharing_pooled_list(kamp: Kamp, me: Me) -> list[dict[str, Any]]:
    """The pooled jobs the organisation started, or whose data came under one of its
    contracts, newest first."""
    return kamp.sharing.pooled.jobs(me)


@router.get("/pooled/{pooled_id}", response_model=PooledJobOut)
def sharing_pooled_get(kamp: Kamp, me: Me, pooled_id: int) -> dict[str, Any]:
    """One pooled job: status, progress, contracts and owners, the model and the valuation."""
    return kamp.sharing.pooled.job(me, pooled_id)


@router.post("/pooled/{pooled_id}/pay", status_code=201, response_model=PaymentOut,
             responses=responses(409))  # fmt: skip
def sharing_pooled_pay(kamp: Kamp, me: Me, pooled_id: int, body: PayIn) -> dict[str, Any]:
    """The consumer's administrator pays for the pooled model for a month: the amount is split
    over the owners by contribution, exactly to the won (negative contributions get nothing;
    none positive: equal parts). Paying the same month again replaces it."""
    return kamp.sharing.pooled.pay(me, pooled_id, body.month, body.amount)


@router.get("/pooled/{pooled_id}/payments", response_model=list[PaymentMonthOut])
def sharing_pooled_payments(kamp: Kamp, me: Me, pooled_id: int) -> list[dict[str, Any]]:
    """What the consumer paid for the pooled model, per month, with each owner's part."""
    return kamp.sharing.pooled.payments(me, pooled_id)


@router.get("/valuations/{valuation_id}", response_model=ValuationOut)
def sharing_valuations_get(kamp: Kamp, me: Me, valuation_id: int) -> dict[str, Any]:
    """A valuation of a pooled model: its consumer, or an owner it names, sees each owner's
    share, standard error and weight, the method, the metric and the full value."""
    return kamp.sharing.pooled.valuation(me, valuation_id)
