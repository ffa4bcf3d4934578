"""Alerts of the organisation: list (current or history), read, acknowledge with a comment,
close; alert rules and notification channels (create, read, change, delete, send a test);
machine states (the overview's data)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from openkamp.alerts import describe, machine_states
from openkamp.alerts.notify import public_config
from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import request_lang, responses
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


Severity = Literal["info", "warning", "critical"]


@router.get("", response_model=list[Alert])
def alerts_list(
    request: Request,
    kamp: Kamp,
    me: Me,
    status: Literal["open", "acknowledged", "closed"] | None = None,
    history: Annotated[
        bool, Query(description="Closed alerts too (after the open and acknowledged ones)")
    ] = False,
    equipment_id: int | None = None,
    rule_id: int | None = None,
    severity: Severity | None = None,
    source: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Alerts, open ones first, then acknowledged ones, each the most recent first (closed ones
    too with ``history``; only one status with ``status``: open, acknowledged or closed);
    ``text`` in the caller's language."""
    lang = _lang(request, kamp)
    recs = kamp.alerts.list(
        me, status=status, equipment_id=equipment_id, limit=limit, history=history,
        rule_id=rule_id, severity=severity, source=source,
    )  # fmt: skip
    return [alert_out(r, lang, kamp.settings.tz) for r in recs]


# -- rules ------------------------------------------------------------------------------------


class RuleSettings(BaseModel):
    """A rule's levels and durations (what is left out takes its default)."""

    model_config = ConfigDict(extra="forbid")

    high: float | None = Field(None, description="Fires above this value")
    low: float | None = Field(None, description="Fires below this value")
    clear_high: float | None = Field(None, description="Ends at or below this (hysteresis)")
    clear_low: float | None = Field(None, description="Ends at or above this (hysteresis)")
    for_s: float | None = Field(None, ge=0, description="Seconds the condition must hold")
    clear_for_s: float | None = Field(None, ge=0, description="Seconds back inside to end")
    output: Literal["score", "alarm", "probability", "prediction", "defect", "rul"] | None = Field(
        None, description="score rules: the model output read"
    )
    per_s: float | None = Field(None, gt=0, description="rate rules: change per these seconds")
    max_age_s: float | None = Field(None, gt=0, description="stale rules: silent seconds")
    states: list[Literal["running", "idle", "down", "offline"]] | None = Field(
        None, description="offline rules: the machine states that fire"
    )


class AlertRule(Answer):
    id: int
    org_id: int
    name: str
    kind: Literal["score", "limit", "rate", "stale", "offline"]
    equipment_id: int | None
    signal_id: int | None
    model_id: int | None
    severity: Severity
    config: dict[str, Any] = Field(description="The rule's settings (RuleSettings)")
    enabled: bool
    created_by: str
    created_at: IsoTime
    updated_at: IsoTime


class AlertRuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    kind: Literal["score", "limit", "rate", "stale", "offline"]
    equipment_id: int | None = None
    signal_id: int | None = None
    model_id: int | None = None
    severity: Severity = "warning"
    config: RuleSettings = Field(default_factory=RuleSettings)
    enabled: bool = True


class AlertRuleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=128)
    equipment_id: int | None = None
    signal_id: int | None = None
    model_id: int | None = None
    severity: Severity | None = None
    config: RuleSettings | None = None
    enabled: bool | None = None


def _settings(config: RuleSettings) -> dict[str, Any]:
    return config.model_dump(exclude_none=True)


def _rule_out(rec: dict[str, Any]) -> dict[str, Any]:
    return {**record_out(rec), "enabled": bool(rec["enabled"])}


@router.get("/rules", response_model=list[AlertRule])
def alerts_rules_list(kamp: Kamp, me: Me) -> list[dict[str, Any]]:
    """The organisation's alert rules."""
    return [_rule_out(r) for r in kamp.alert_rules.list(me)]


@router.post("/rules", status_code=201, response_model=AlertRule, responses=responses(404, 409))
def alerts_rules_create(body: AlertRuleCreate, kamp: Kamp, me: Me) -> dict[str, Any]:
    """A new rule (engineers and administrators); it applies to the next live data."""
    values = body.model_dump(exclude={"config"})
    return _rule_out(kamp.alert_rules.create(me, **values, config=_settings(body.config)))


@router.get("/rules/{rule_id}", response_model=AlertRule)
def alerts_rules_get(rule_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    return _rule_out(kamp.alert_rules.get(me, rule_id))


@router.patch("/rules/{rule_id}", response_model=AlertRule, responses=responses(409))
def alerts_rules_update(rule_id: int, body: AlertRuleUpdate, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Change a rule: the fields sent (``config`` replaces the settings as a whole)."""
    changes = body.model_dump(exclude_unset=True, exclude={"config"})
    if body.config is not None:
        changes["config"] = _settings(body.config)
    return _rule_out(kamp.alert_rules.update(me, rule_id, **changes))


@router.delete("/rules/{rule_id}", status_code=204)
def alerts_rules_delete(rule_id: int, kamp: Kamp, me: Me) -> Response:
    """Delete a rule (its alerts stay, without it)."""
    kamp.alert_rules.delete(me, rule_id)
    return Response(status_code=204)


# -- notification channels ----------------------------------------------------------------------


class Channel(Answer):
    id: int
    org_id: int
    name: str
    kind: Literal["webhook", "email"]
    config: dict[str, Any] = Field(
        description="Settings; secrets (secret, password) only as secret_set / password_set"
    )
    min_severity: Severity
    enabled: bool
    created_by: str
    created_at: IsoTime
    sent: int = Field(description="Notifications delivered")
    failures: int = Field(description="Notifications that failed after every retry")
    last_sent_at: IsoTime | None
    last_error: str | None


class ChannelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    kind: Literal["webhook", "email"]
    config: dict[str, Any] = Field(
        description="webhook: url, secret, timeout_s, retries, on_clear; email: host, port, "
        "sender, to, starttls, username, password, timeout_s, retries, on_clear"
    )
    min_severity: Severity = "warning"
    enabled: bool = True


class ChannelUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=128)
    config: dict[str, Any] | None = Field(
        None, description="All settings; a secret left out or empty keeps the stored one"
    )
    min_severity: Severity | None = None
    enabled: bool | None = None


def _channel_out(rec: dict[str, Any]) -> dict[str, Any]:
    out = record_out(rec)
    out["config"] = public_config(rec["config"] or {})
    out["enabled"] = bool(rec["enabled"])
    out["sent"] = int(rec.get("sent") or 0)
    out["failures"] = int(rec.get("failures") or 0)
    return out


@router.get("/channels", response_model=list[Channel])
def alerts_channels_list(kamp: Kamp, me: Me) -> list[dict[str, Any]]:
    """The organisation's notification channels, with how their deliveries fare."""
    return [_channel_out(r) for r in kamp.channels.list(me)]


@router.post("/channels", status_code=201, response_model=Channel, responses=responses(409))
def alerts_channels_create(body: ChannelCreate, kamp: Kamp, me: Me) -> dict[str, Any]:
    """A new channel (engineers and administrators)."""
    return _channel_out(kamp.channels.create(me, **body.model_dump()))


@router.get("/channels/{channel_id}", response_model=Channel)
def alerts_channels_get(channel_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    return _channel_out(kamp.channels.get(me, channel_id))


@router.patch("/channels/{channel_id}", response_model=Channel, responses=responses(409))
def alerts_channels_update(
    channel_id: int, body: ChannelUpdate, kamp: Kamp, me: Me
) -> dict[str, Any]:
    return _channel_out(kamp.channels.update(me, channel_id, **body.model_dump(exclude_unset=True)))


@router.delete("/channels/{channel_id}", status_code=204)
def alerts_channels_delete(channel_id: int, kamp: Kamp, me: Me) -> Response:
    kamp.channels.delete(me, channel_id)
    return Response(status_code=204)


@router.post("/channels/{channel_id}/test", response_model=Channel)
def alerts_channels_test(channel_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Send a test notification now (one try); the answer's ``sent`` / ``failures`` and
    ``last_error`` say how it went."""
    return _channel_out(kamp.channels.test(me, channel_id))


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


class AlertAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str | None = Field(None, max_length=2000, description="What was seen or done")


@router.post("/{alert_id}/acknowledge", response_model=Alert)
def alerts_acknowledge(
    request: Request, alert_id: int, kamp: Kamp, me: Me, body: AlertAction | None = None
) -> dict[str, Any]:
    """Mark an alert as seen and handled (engineers and administrators), with an optional
    comment; acknowledging again changes only the comment, and a closed alert stays closed
    (the answer's ``status`` says which)."""
    rec = kamp.alerts.acknowledge(me, alert_id, None if body is None else body.comment)
    return alert_out(rec, _lang(request, kamp), kamp.settings.tz)


@router.post("/{alert_id}/close", response_model=Alert)
def alerts_close(
    request: Request, alert_id: int, kamp: Kamp, me: Me, body: AlertAction | None = None
) -> dict[str, Any]:
    """Close an alert (engineers and administrators): by whom and when are kept."""
    rec = kamp.alerts.close(me, alert_id, None if body is None else body.comment)
    return alert_out(rec, _lang(request, kamp), kamp.settings.tz)
