"""Retention of the organisation's data: how many days raw points and their per-minute and
per-hour aggregates are kept, as the organisation's default and per signal. Everyone of the
organisation reads the policies; administrators change them and may apply them at once. The
server applies them itself every ``retention_interval_s``."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import responses
from openkamp.api.records import Answer, Timestamp
from openkamp.retention import MAX_DAYS, Policy

router = APIRouter(prefix="/retention", tags=["retention"])


class RetentionPolicy(Answer):
    """Days each tier of data is kept (null: forever) and where the policy comes from."""

    raw_days: int | None = Field(description="Days raw points are kept; null: forever")
    minute_days: int | None = Field(description="Days per-minute aggregates are kept")
    hour_days: int | None = Field(description="Days per-hour aggregates are kept")
    source: Literal["settings", "organisation", "signal"] = Field(
        description="settings: the installation's default (nothing stored); organisation: the "
        "organisation's default; signal: the signal's own"
    )
    signal_id: int | None = Field(description="The signal it applies to (null: the default)")
    updated_at: Timestamp | None


class RetentionChange(BaseModel):
    """A policy: days per tier, each at least the one before (null: forever)."""

    model_config = ConfigDict(extra="forbid")

    raw_days: int | None = Field(default=None, ge=1, le=MAX_DAYS)
    minute_days: int | None = Field(default=None, ge=1, le=MAX_DAYS)
    hour_days: int | None = Field(default=None, ge=1, le=MAX_DAYS)


class RetentionRun(Answer):
    """What one pass dropped: rows per tier (raw points, minute and hour aggregates)."""

    dropped: dict[str, int] = Field(description="Rows dropped, by tier: raw, minute, hour")
    signals: int = Field(description="Signals the pass looked at")
    seconds: float


def _out(policy: Policy) -> RetentionPolicy:
    return RetentionPolicy(
        raw_days=policy.raw_days,
        minute_days=policy.minute_days,
        hour_days=policy.hour_days,
        source=policy.source,
        signal_id=policy.signal_id,
        updated_at=policy.updated_at,
    )


@router.get("", response_model=RetentionPolicy)
def retention_get(kamp: Kamp, me: Me) -> RetentionPolicy:
    """The organisation's default policy."""
    return _out(kamp.retention.organisation(me))


@router.put("", response_model=RetentionPolicy)
def retention_put(kamp: Kamp, me: Me, body: RetentionChange) -> RetentionPolicy:
    """Set the organisation's default policy (administrators)."""
    return _out(
        kamp.retention.set_organisation(me, body.raw_days, body.minute_days, body.hour_days)
    )


@router.get("/signals", response_model=list[RetentionPolicy])
def retention_signals(kamp: Kamp, me: Me) -> list[RetentionPolicy]:
    """The signals that have a policy of their own (the others follow the default)."""
    return [_out(p) for p in kamp.retention.signal_policies(me)]


@router.get("/signals/{signal_id}", response_model=RetentionPolicy)
def retention_signal_get(kamp: Kamp, me: Me, signal_id: int) -> RetentionPolicy:
    """The policy that applies to a signal: its own, else the organisation's default."""
    return _out(kamp.retention.signal(me, signal_id))


@router.put("/signals/{signal_id}", response_model=RetentionPolicy)
def retention_signal_put(
    kamp: Kamp, me: Me, signal_id: int, body: RetentionChange
) -> RetentionPolicy:
    """Give a signal a policy of its own (administrators)."""
    return _out(
        kamp.retention.set_signal(me, signal_id, body.raw_days, body.minute_days, body.hour_days)
    )


@router.delete("/signals/{signal_id}", response_model=RetentionPolicy, responses=responses())
def retention_signal_delete(kamp: Kamp, me: Me, signal_id: int) -> RetentionPolicy:
    """Remove a signal's own policy (administrators); answers the default it now follows."""
    return _out(kamp.retention.clear_signal(me, signal_id))


@router.post("/run", response_model=RetentionRun)
def retention_run(kamp: Kamp, me: Me) -> RetentionRun:
    """Apply the policies now (administrators): drop each tier's data past its days, in
    bounded chunks (the server also does it every ``retention_interval_s``)."""
    run = kamp.retention.apply(me)
    return RetentionRun(dropped=run.dropped, signals=run.signals, seconds=run.seconds)
