"""Alerts of the organisation: list, read, acknowledge; machine states (the overview's data)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from openkamp.alerts import describe, machine_states
from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import request_lang
from openkamp.api.records import record_out

router = APIRouter(prefix="/alerts", tags=["alerts"])


def _lang(request: Request, kamp: Any) -> str:
    return request_lang(request)


def alert_out(rec: dict[str, Any], lang: str, tz: Any) -> dict[str, Any]:
    return {**record_out(rec), "text": describe(rec, lang, tz)}


@router.get("")
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


@router.get("/machines")
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


@router.get("/{alert_id}")
def alerts_get(request: Request, alert_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    return alert_out(kamp.alerts.get(me, alert_id), _lang(request, kamp), kamp.settings.tz)


@router.post("/{alert_id}/acknowledge")
def alerts_acknowledge(request: Request, alert_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Mark an alert as seen and handled (engineers and administrators)."""
    rec = kamp.alerts.acknowledge(me, alert_id)
    return alert_out(rec, _lang(request, kamp), kamp.settings.tz)
