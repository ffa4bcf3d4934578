"""Alerts of the organisation: list, read, acknowledge; machine states (the overview's data)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field

from openkamp.alerts import describe, machine_states
from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import request_lang
from openkamp.api.records import Answer, IsoTime, record_out

router = APIRouter(prefix="/alerts", tags=["alerts"])


class Alert(Answer):
    id: int
    org_id: int
    equipment_id: int | None
    model_id: int | None
    source: str = Field(description="model, limit, stale, …")
    severity: str = Field(description="info, warning or critical")
    title: str
    detail: dict[str, Any]
    first_at: IsoTime
    last_at: IsoTime
    count: int
    status: Literal["open", "acknowledged", "closed"]
    acknowledged_by: str | None
    acknowledged_at: IsoTime | None
    created_at: IsoTime
    rule_id: int | None = Field(None, description="The alert rule that raised it, if any")
    comment: str | None = Field(None, description="The acknowledging person's comment")
    closed_by: str | None = None
    closed_at: IsoTime | None = None
    text: str = Field(description="The alert for a person, in the request's language")


class SignalState(Answer):
    id: int
    name: str
    value: float | None
    unit: str
    low: float | None
    high: float | None
    outside: bool = Field(description="The latest value is outside the limits")
    breaches: int


class Production(Answer):
    day: str = Field(description="The day counted (local date)")
    today: bool
    count: int
    defects: int | None
    rate: float | None
    usual_count: float | None
    usual_rate: float | None


class Machine(Answer):
    """A machine's state (the overview's data)."""

    id: int
    path: str
    label: str
    level: str
    reasons: list[str]
    last_ts: IsoTime | None
    age_s: float | None
    spacing_s: float | None
    stale: bool
    signals: list[SignalState]
    production: Production | None
    open_alerts: list[int] = Field(description="Ids of the machine's open alerts")


def _lang(request: Request, kamp: Any) -> str:
    return request_lang(request)


def alert_out(rec: dict[str, Any], lang: str, tz: Any) -> dict[str, Any]:
    return {**record_out(rec), "text": describe(rec, lang, tz)}


@router.get("", response_model=list[Alert])
def alerts_list(
    request: Request,
    kamp: Kamp,
    me: Me,
    status: Literal["open", "acknowledged"] | None = None,
    equipment_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Alerts, open ones first, then the most recent; ``text`` in the caller's language."""
    lang = _lang(request, kamp)
    recs = kamp.alerts.list(me, status=status, equipment_id=equipment_id, limit=limit)
    return [alert_out(r, lang, kamp.settings.tz) for r in recs]


@router.get("/machines", response_model=list[Machine])
def alerts_machines(request: Request, kamp: Kamp, me: Me) -> list[dict[str, Any]]:
    """Each machine's state (the overview's data): level and reasons, data age and usual
    spacing, latest values against their limits, production and defect rate against the usual."""
    states = machine_states(kamp, me, lang=_lang(request, kamp))
    out = []
    for m in states:
        p = m.production
        out.append(
            {
                "id": m.id, "path": m.path, "label": m.label, "level": m.level,
                "reasons": m.reasons, "last_ts": m.last_ts.isoformat() if m.last_ts else None,
                "age_s": m.age_s, "spacing_s": m.spacing_s, "stale": m.stale,
                "signals": [
                    {"id": s.id, "name": s.name, "value": s.value, "unit": s.unit,
                     "low": s.low, "high": s.high, "outside": s.outside, "breaches": s.breaches}
                    for s in m.signals
                ],
                "production": None if p is None else {
                    "day": p.day.isoformat(), "today": p.today, "count": p.count,
                    "defects": p.defects, "rate": p.rate, "usual_count": p.usual_count,
                    "usual_rate": p.usual_rate,
                },
                "open_alerts": [a["id"] for a in m.alerts],
            }
        )  # fmt: skip
    return out


@router.get("/{alert_id}", response_model=Alert)
def alerts_get(request: Request, alert_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    return alert_out(kamp.alerts.get(me, alert_id), _lang(request, kamp), kamp.settings.tz)


@router.post("/{alert_id}/acknowledge", response_model=Alert)
def alerts_acknowledge(request: Request, alert_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Mark an alert as seen and handled (engineers and administrators)."""
    rec = kamp.alerts.acknowledge(me, alert_id)
    return alert_out(rec, _lang(request, kamp), kamp.settings.tz)
