"""Alert rules: what on which machine raises an alert as live data arrives.

A rule is an organisation-scoped ``alert_rule`` record (migration 0007): its ``kind``, what it
watches (a model, a signal, or every signal of a machine), a severity and its settings
(:class:`RuleConfig`, kept as JSON in ``config``):

* ``score``: a production model's output (an anomaly score or alarm, a defect probability, a
  predicted value, a remaining life) above ``high`` or below ``low``;
* ``limit``: a signal's value above ``high`` or below ``low`` (by default the signal's declared
  limits);
* ``rate``: a signal's change per ``per_s`` seconds, in either direction, beyond ``high``;
* ``stale``: a signal (or every signal of a machine) silent for ``max_age_s`` seconds, or
  missing since the platform started watching it (a signal whose newest point is older stored
  data counts only once the platform has watched it for ``max_age_s``: the live path gets its
  time to deliver after a start);
* ``offline``: a machine whose live state (``equipment_states``: running, idle, down, offline,
  set by its connection) is one of ``states``.

Every rule has hysteresis and a minimum duration: it fires once its condition has held for
``for_s`` seconds, and the episode ends only once the value is back inside the clear levels
(``clear_high`` / ``clear_low``, by default the firing levels) for ``clear_for_s`` seconds.
One episode raises exactly one alert (:mod:`openkamp.alerts.engine`).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from openkamp.alerts.service import checked_name, checked_severity
from openkamp.core.errors import Conflict, InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role, require
from openkamp.storage.metadata.base import MetadataStore, Record

__all__ = ["KINDS", "RuleConfig", "RuleService", "rule_config"]

KINDS = ("score", "limit", "rate", "stale", "offline")
EQUIPMENT_STATES = ("running", "idle", "down", "offline")
State = Literal["running", "idle", "down", "offline"]


class RuleConfig(BaseModel):
    """A rule's settings (what is missing takes its default)."""

    model_config = ConfigDict(extra="forbid")

    high: float | None = Field(None, description="Fires above this value")
    low: float | None = Field(None, description="Fires below this value")
    clear_high: float | None = Field(
        None, description="The episode ends only at or below this (hysteresis; default: high)"
    )
    clear_low: float | None = Field(
        None, description="The episode ends only at or above this (hysteresis; default: low)"
    )
    for_s: float = Field(0.0, ge=0, description="Seconds the condition must hold to fire")
    clear_for_s: float = Field(0.0, ge=0, description="Seconds back inside to end the episode")
    output: str | None = Field(
        None, description="score rules: the model output (score, alarm, probability, "
        "prediction, rul); default by the model's kind"
    )  # fmt: skip
    per_s: float = Field(60.0, gt=0, description="rate rules: change per this many seconds")
    max_age_s: float | None = Field(None, gt=0, description="stale rules: seconds without a point")
    states: list[State] = Field(
        default_factory=lambda: list[State](["offline"]),
        description="offline rules: the states that fire",
    )

    @model_validator(mode="after")
    def _levels(self) -> RuleConfig:
        if self.high is not None and self.low is not None and self.low >= self.high:
            raise ValueError("low must be below high")
        if self.high is not None and self.clear_high is not None and self.clear_high > self.high:
            raise ValueError("clear_high must not be above high")
        if self.low is not None and self.clear_low is not None and self.clear_low < self.low:
            raise ValueError("clear_low must not be below low")
        return self

    def fire_high(self) -> float:
        return float("inf") if self.high is None else self.high

    def fire_low(self) -> float:
        return float("-inf") if self.low is None else self.low

    def ok_high(self) -> float:
        return self.fire_high() if self.clear_high is None else self.clear_high

    def ok_low(self) -> float:
        return self.fire_low() if self.clear_low is None else self.clear_low


def rule_config(kind: str, config: dict[str, Any] | None) -> RuleConfig:
    """``config`` checked for a rule of ``kind``; a refusal names the field."""
    try:
        out = RuleConfig.model_validate(config or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        msg = str(first.get("msg", "invalid")).removeprefix("Value error, ")
        # a check across fields (_levels) names its field first
        field = ".".join(str(p) for p in first.get("loc", ())) or msg.split()[0]
        raise InvalidInput(
            f"Rule setting {field}: {msg}.",
            code="alerting.bad_config",
            params={"field": field},
        ) from None
    if kind == "rate" and out.high is None:
        raise InvalidInput(
            "A rate rule needs high: the largest change allowed per per_s seconds.",
            code="alerting.needs_high",
        )
    if kind == "stale" and out.max_age_s is None:
        raise InvalidInput(
            "A stale rule needs max_age_s: the seconds a signal may stay silent.",
            code="alerting.needs_age",
        )
    return out


_FIELDS = ("name", "kind", "equipment_id", "signal_id", "model_id", "severity", "config", "enabled")


class RuleService:
    """Alert rules of every organisation (each call sees its principal's only). ``on_change``
    is told the organisation whose rules changed (the engine reloads them)."""

    def __init__(self, meta: MetadataStore) -> None:
        self.meta = meta
        self.on_change: Callable[[int], None] | None = None

    def list(self, principal: Principal) -> builtins.list[Record]:
        require(principal, Role.VIEWER)
        return sorted(self.meta.find(principal.org_id, "alert_rule"), key=lambda r: r["id"])

    def get(self, principal: Principal, rule_id: int) -> Record:
        require(principal, Role.VIEWER)
        try:
            return self.meta.get(principal.org_id, "alert_rule", rule_id)
        except NotFound:
            raise NotFound(
                f"No alert rule #{rule_id}.",
                code="record.not_found.alert_rule",
                params={"id": rule_id},
            ) from None

    def create(self, principal: Principal, **values: Any) -> Record:
        require(principal, Role.ENGINEER)
        rec = self._checked(principal, {"enabled": True, "severity": "warning", **values})
        now = datetime.now(UTC)
        self._unique(principal, rec["name"], None)
        out = self.meta.insert(
            principal.org_id,
            "alert_rule",
            {**rec, "created_by": principal.name, "created_at": now, "updated_at": now},
        )
        self._changed(principal)
        return out

    def update(self, principal: Principal, rule_id: int, **changes: Any) -> Record:
        require(principal, Role.ENGINEER)
        old = self.get(principal, rule_id)
        merged = {k: old[k] for k in _FIELDS}
        merged.update({k: v for k, v in changes.items() if k in _FIELDS})
        rec = self._checked(principal, merged)
        self._unique(principal, rec["name"], rule_id)
        out = self.meta.update(
            principal.org_id, "alert_rule", rule_id, {**rec, "updated_at": datetime.now(UTC)}
        )
        self._changed(principal)
        return out

    def delete(self, principal: Principal, rule_id: int) -> None:
        require(principal, Role.ENGINEER)
        self.get(principal, rule_id)
        self.meta.delete(principal.org_id, "alert_rule", rule_id)
        self._changed(principal)

    def _changed(self, principal: Principal) -> None:
        if self.on_change is not None:
            self.on_change(principal.org_id)

    def _unique(self, principal: Principal, name: str, rule_id: int | None) -> None:
        for rec in self.meta.find(principal.org_id, "alert_rule", name=name):
            if rec["id"] != rule_id:
                raise Conflict(
                    f"An alert rule named {name!r} exists.",
                    code="alerting.rule_exists",
                    params={"name": name},
                )

    def _checked(self, principal: Principal, values: dict[str, Any]) -> dict[str, Any]:
        unknown = set(values) - set(_FIELDS)
        if unknown:
            raise InvalidInput(f"Unknown rule fields: {sorted(unknown)}.")
        name = checked_name(values, "rule")
        kind = values.get("kind")
        if kind not in KINDS:
            raise InvalidInput(
                f"Unknown rule kind {kind!r}; known: {', '.join(KINDS)}.",
                code="alerting.bad_kind",
                params={"kind": str(kind)},
            )
        severity = checked_severity(values.get("severity"))
        config = rule_config(str(kind), values.get("config"))
        equipment_id, signal_id, model_id = (
            values.get("equipment_id"), values.get("signal_id"), values.get("model_id"),
        )  # fmt: skip
        # What the rule watches must be the organisation's own (another's is "not found").
        if signal_id is not None:
            sig = self.meta.get(principal.org_id, "signal", int(signal_id))
            equipment_id = sig["equipment_id"]
        if equipment_id is not None:
            node = self.meta.get(principal.org_id, "node", int(equipment_id))
            if node["kind"] != "equipment":
                raise InvalidInput(
                    "A rule watches a machine, not a site or a line.",
                    code="alerting.not_equipment",
                )
        if model_id is not None:
            try:
                model = self.meta.get(principal.org_id, "model", int(model_id))
            except NotFound:
                raise NotFound(
                    f"No model #{model_id}.",
                    code="alerting.unknown_model",
                    params={"id": int(model_id)},
                ) from None
            if kind != "score":
                raise InvalidInput("Only score rules watch a model.", code="alerting.model_only")
            if model["task"] not in ("anomaly", "classify", "regress", "rul"):
                raise InvalidInput(
                    f"A {model['task']} model does not score live data.",
                    code="alerting.model_task",
                    params={"task": model["task"]},
                )
        if kind == "score" and model_id is None:
            raise InvalidInput("A score rule needs a model.", code="alerting.needs_model")
        if kind in ("limit", "rate", "stale") and signal_id is None and equipment_id is None:
            raise InvalidInput(
                "This rule needs a signal or a machine.", code="alerting.needs_signal"
            )
        if kind == "offline" and equipment_id is None:
            raise InvalidInput("An offline rule needs a machine.", code="alerting.needs_machine")
        return {
            "name": name,
            "kind": kind,
            "equipment_id": None if equipment_id is None else int(equipment_id),
            "signal_id": None if signal_id is None else int(signal_id),
            "model_id": None if model_id is None else int(model_id),
            "severity": severity,
            "config": config.model_dump(exclude_defaults=True),
            "enabled": bool(values.get("enabled", True)),
        }
