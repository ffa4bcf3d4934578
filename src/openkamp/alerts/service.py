"""Alerts: raise, list and acknowledge what needs someone's attention on a machine.

An alert is an organisation-scoped ``alert`` record (see ``storage.metadata.schema.alerts``):
its source (``model`` alarms of a scored period, ``defects`` a model predicted, ``stale`` data,
readings outside declared ``limit``\\ s), a severity, a title and what it is about. Repeated
occurrences do not pile up: while an alert of the same source, machine and model (and, for
stale data, the same silent period) is open, a new occurrence updates it (count, last time,
stronger severity). The text shown to people is kept as a catalogue key and parameters in
``detail``, so each page shows it in its own language; ``title`` keeps the English text for
logs and API clients.

Scoring calls :meth:`AlertService.raise_from_scores` (a frame of scores) or
:meth:`AlertService.raise_scored_period` (the counts) with what a scored period found; the live
path will call the same functions.
"""

from __future__ import annotations

import builtins
import contextlib
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from openkamp.core.errors import InvalidInput, NotFound, OpenKampError
from openkamp.core.tenancy import Principal, Role, require
from openkamp.storage.metadata.base import MetadataStore, Record

log = logging.getLogger(__name__)

SOURCES = ("model", "defects", "stale", "limit", "rate", "offline")
SEVERITIES = ("info", "warning", "critical")
#: The lifecycle: open -> acknowledged (by whom, a comment) -> closed (by whom, when).
STATUSES = ("open", "acknowledged", "closed")


def checked_name(values: Mapping[str, Any], what: str) -> str:
    """The ``name`` of a rule or channel (``what``), stripped: 1 to 128 characters."""
    name = str(values.get("name") or "").strip()
    if not name or len(name) > 128:
        raise InvalidInput(
            f"A {what} needs a name of at most 128 characters.", code="alerting.bad_name"
        )
    return name


def checked_severity(value: Any) -> str:
    """A severity (``warning`` when none is given)."""
    severity = value or "warning"
    if severity not in SEVERITIES:
        raise InvalidInput(
            f"Unknown severity {severity!r}.",
            code="alerting.bad_severity",
            params={"severity": str(severity)},
        )
    return str(severity)


#: What the alert list shows unless asked for history (closed alerts).
CURRENT = ("open", "acknowledged")
#: A scored period whose alarms are at least this share of its rows is critical.
CRITICAL_ALARM_SHARE = 0.05


def _utc(value: datetime | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else 0


#: Scored files / periods remembered per open alert, so scoring one again is not counted twice.
SEEN_KEPT = 200


class AlertService:
    """Alerts of every organisation of one platform (each call sees its principal's only)."""

    def __init__(self, meta: MetadataStore) -> None:
        self.meta = meta
        # One raise at a time in this process: "find the open alert, else insert" must not run
        # twice at once (fifty browsers opening the overview together would each open one).
        self._raising = threading.Lock()
        self._listeners: builtins.list[Callable[[int, Record], None]] = []

    # -- listeners ------------------------------------------------------------------------------

    def add_listener(self, listener: Callable[[int, Record], None]) -> None:
        """Call ``listener(org_id, record)`` after an alert is opened or changes (raised again,
        its episode ended, acknowledged, closed): the live overview follows alerts this way.
        It runs on the caller's thread (the engine's worker, a request) and must be quick."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[int, Record], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _changed(self, org_id: int, rec: Record) -> Record:
        for listener in list(self._listeners):
            try:
                listener(org_id, rec)
            except Exception:  # a listener's failure never fails the change itself
                log.exception("alert listener failed")
        return rec

    # -- raising ------------------------------------------------------------------------------

    def raise_alert(
        self,
        principal: Principal,
        *,
        source: str,
        severity: str,
        title: str,
        key: str,
        params: Mapping[str, Any] | None = None,
        equipment_id: int | None = None,
        model_id: int | None = None,
        first_at: datetime | None = None,
        last_at: datetime | None = None,
        count: int = 1,
        episode: str = "",
        extra: Mapping[str, Any] | None = None,
        once_per: str | None = None,
    ) -> Record:
        """Open an alert, or update the open one of the same source, machine, model and
        episode. ``key`` and ``params`` are the catalogue text shown to people.

        ``once_per`` names what was looked at (a scored file, a scored period): the same one
        raised again (scored twice) leaves the open alert as it is instead of counting twice."""
        require(principal, Role.VIEWER)  # a consequence of reading or scoring, not a change
        if source not in SOURCES:
            raise InvalidInput(f"Unknown alert source {source!r}; known: {', '.join(SOURCES)}.")
        if severity not in SEVERITIES:
            raise InvalidInput(f"Unknown severity {severity!r}; known: {', '.join(SEVERITIES)}.")
        first, last = _utc(first_at), _utc(last_at or first_at)
        detail = {"key": key, "params": dict(params or {}), "episode": episode, **(extra or {})}
        with self._raising, self.meta.transaction():
            same = self._open_like(principal.org_id, source, equipment_id, model_id, episode)
            seen = list(((same or {}).get("detail") or {}).get("seen", []))
            if once_per is not None:
                if same is not None and once_per in seen:
                    return same
                detail["seen"] = [*seen, once_per][-SEEN_KEPT:]
            if same is None:
                rec = self.meta.insert(
                    principal.org_id,
                    "alert",
                    {
                        "equipment_id": equipment_id,
                        "model_id": model_id,
                        "source": source,
                        "severity": severity,
                        "title": title[:512],
                        "detail": detail,
                        "first_at": first,
                        "last_at": last,
                        "count": max(1, int(count)),
                        "status": "open",
                        "created_at": datetime.now(UTC),
                    },
                )
            else:
                rec = self.meta.update(
                    principal.org_id,
                    "alert",
                    same["id"],
                    {
                        "severity": max(severity, same["severity"], key=_rank),
                        "title": title[:512],
                        "detail": detail,
                        "first_at": min(first, _utc(same["first_at"])),
                        "last_at": max(last, _utc(same["last_at"])),
                        "count": int(same["count"]) + max(1, int(count)),
                    },
                )
        return self._changed(principal.org_id, rec)

    def _open_like(
        self,
        org_id: int,
        source: str,
        equipment_id: int | None,
        model_id: int | None,
        episode: str,
    ) -> Record | None:
        for rec in self.meta.find(
            org_id, "alert", status="open", source=source, equipment_id=equipment_id
        ):
            if rec["model_id"] == model_id and (rec["detail"] or {}).get("episode", "") == episode:
                return rec
        return None

    def raise_scored_period(
        self,
        principal: Principal,
        *,
        model_name: str,
        model_version: int,
        model_id: int | None,
        equipment_id: int | None,
        rows: int,
        alarms: int = 0,
        predicted_defects: int = 0,
        first_at: datetime | None = None,
        last_at: datetime | None = None,
        top_signals: Iterable[str] = (),
        scored: str | None = None,
    ) -> list[Record]:
        """Alerts for what one scored period found: anomaly alarms and predicted defects.

        Nothing is raised for a period without either. Returns the alerts opened or updated.
        """
        out: list[Record] = []
        rows = max(0, int(rows))
        common: dict[str, Any] = {
            "equipment_id": equipment_id,
            "model_id": model_id,
            "first_at": first_at,
            "last_at": last_at,
            "once_per": scored,
        }
        signals = [s for s in dict.fromkeys(top_signals) if s][:3]
        if alarms > 0:
            share = alarms / rows if rows else 1.0
            out.append(
                self.raise_alert(
                    principal,
                    source="model",
                    severity="critical" if share >= CRITICAL_ALARM_SHARE else "warning",
                    title=f"{model_name} v{model_version}: {alarms} alarms in {rows} readings",
                    key="alerts.text.model",
                    params={
                        "model": model_name,
                        "version": model_version,
                        "alarms": int(alarms),
                        "rows": rows,
                        "share": round(100 * share, 1),
                    },
                    count=int(alarms),
                    extra={"top_signals": signals, "rows": rows, "alarms": int(alarms)},
                    **common,
                )
            )
        if predicted_defects > 0:
            share = predicted_defects / rows if rows else 1.0
            out.append(
                self.raise_alert(
                    principal,
                    source="defects",
                    severity="warning",
                    title=f"{model_name} v{model_version}: {predicted_defects} predicted defects "
                    f"in {rows} rows",
                    key="alerts.text.defects",
                    params={
                        "model": model_name,
                        "version": model_version,
                        "defects": int(predicted_defects),
                        "rows": rows,
                        "share": round(100 * share, 1),
                    },
                    count=int(predicted_defects),
                    extra={"rows": rows, "defects": int(predicted_defects)},
                    **common,
                )
            )
        return out

    def raise_from_scores(
        self,
        principal: Principal,
        model: Any,
        scores: Any,
        *,
        equipment_id: int | None = None,
        scored: str | None = None,
        times: Any = None,
    ) -> list[Record]:
        """Alerts from a frame of scores as ``ModelService.score`` returns it (one row per
        timestamp): ``alarm`` (anomaly models) and ``prediction`` / ``probability`` (defect
        models: a prediction other than the good class counts as a predicted defect).

        ``model`` is the scoring model's ``ModelVersion``; ``equipment_id`` defaults to the
        model's own machine when it was trained on stored data.
        """
        import pandas as pd

        frame = pd.DataFrame(scores)
        rows = len(frame)
        if rows == 0:
            return []
        alarms = int(frame["alarm"].astype(bool).sum()) if "alarm" in frame else 0
        defects = 0
        if model.task == "classify" and "prediction" in frame:
            defects = int(frame["prediction"].map(is_defect).sum())
        top: list[str] = []
        if "top_signal" in frame and alarms:
            top = [str(s) for s in frame.loc[frame["alarm"].astype(bool), "top_signal"]
                   .value_counts().index[:3]]  # fmt: skip
        if times is None and isinstance(frame.index, pd.DatetimeIndex):
            times = frame.index
        if times is not None:
            times = pd.DatetimeIndex(
                pd.to_datetime(pd.Series(times), errors="coerce", utc=True).dropna()
            )
            if times.empty:
                times = None
        if scored is None and times is not None:
            scored = f"{times.min().isoformat()}/{times.max().isoformat()}/{rows}"
        if equipment_id is None:
            equipment_id = self._equipment_of(principal, model)
        return self.raise_scored_period(
            principal,
            model_name=model.name,
            model_version=model.version,
            model_id=getattr(model, "id", None),
            equipment_id=equipment_id,
            rows=rows,
            alarms=alarms,
            predicted_defects=defects,
            first_at=None if times is None else times.min().to_pydatetime(),
            last_at=None if times is None else times.max().to_pydatetime(),
            top_signals=top,
            scored=scored,
        )

    def raise_from_summary(
        self,
        principal: Principal,
        model: Any,
        summary: Any,
        *,
        equipment_id: int | None = None,
        scored: str | None = None,
    ) -> list[Record]:
        """Alerts from what a period or a file scored piece by piece holds
        (:class:`openkamp.ml.scoring.ScoreSummary`), as :meth:`raise_from_scores` raises them
        from all the scores at once."""
        if summary.rows == 0:
            return []
        if equipment_id is None:
            equipment_id = self._equipment_of(principal, model)
        return self.raise_scored_period(
            principal,
            model_name=model.name,
            model_version=model.version,
            model_id=getattr(model, "id", None),
            equipment_id=equipment_id,
            rows=summary.rows,
            alarms=summary.alarms,
            predicted_defects=summary.predicted_defects,
            first_at=None if summary.first is None else summary.first.to_pydatetime(),
            last_at=None if summary.last is None else summary.last.to_pydatetime(),
            top_signals=summary.top_signals(),
            scored=scored if scored is not None else summary.key(),
        )

    def _equipment_of(self, principal: Principal, model: Any) -> int | None:
        """The machine a model watches: the equipment it was trained on, or for a model trained
        on a dataset (a record table), the machine that dataset belongs to."""
        training = (model.provenance or {}).get("training") or {}
        path = (training.get("spec") or {}).get("equipment")
        if not path:
            dataset_id = (training.get("data") or {}).get("dataset_id")
            if dataset_id is None:
                return None
            try:
                rec = self.meta.get(principal.org_id, "dataset", int(dataset_id))
            except (OpenKampError, TypeError, ValueError):
                return None
            found = rec.get("equipment_id")
            return None if found is None else int(found)
        parts = str(path).split("/")
        parent: int | None = None
        node: Record | None = None
        for part in parts:  # walk the tree by name: one small query per level
            found = self.meta.find(principal.org_id, "node", name=part, parent_id=parent)
            if not found:
                return None
            node = found[0]
            parent = node["id"]
        return None if node is None else int(node["id"])

    # -- reading and acknowledging ---------------------------------------------------------------

    def list(
        self,
        principal: Principal,
        *,
        status: str | None = None,
        equipment_id: int | None = None,
        limit: int = 100,
        history: bool = False,
        rule_id: int | None = None,
        severity: str | None = None,
        source: str | None = None,
    ) -> builtins.list[Record]:
        """Alerts of the organisation: open ones first, then acknowledged ones, each the most
        recent first; closed ones too with ``history`` (after the others), or only one
        ``status``."""
        require(principal, Role.VIEWER)
        where: dict[str, Any] = {}
        if status is not None and status not in STATUSES:
            raise InvalidInput(
                f"Unknown alert status {status!r}; known: {', '.join(STATUSES)}.",
                code="alerts.bad_status",
                params={"status": status},
            )
        if equipment_id is not None:
            where["equipment_id"] = equipment_id
        if rule_id is not None:
            where["rule_id"] = rule_id
        if severity is not None:
            where["severity"] = severity
        if source is not None:
            where["source"] = source
        # Each part read as one bounded query, however many alerts there are.
        order = ("-last_at", "-id")
        limit = max(0, int(limit))
        if status is not None:
            parts = [status]
        else:
            parts = [*CURRENT, "closed"] if history else list(CURRENT)
        out: builtins.list[Record] = []
        for part in parts:
            if len(out) >= limit:
                break
            out += self.meta.find_first(
                principal.org_id, "alert", order=order, limit=limit - len(out),
                **{**where, "status": part},
            )  # fmt: skip
        return out

    def get(self, principal: Principal, alert_id: int) -> Record:
        require(principal, Role.VIEWER)
        try:
            return self.meta.get(principal.org_id, "alert", alert_id)
        except NotFound:
            raise NotFound(
                f"No alert #{alert_id}.", code="alerts.not_found", params={"id": alert_id}
            ) from None

    def acknowledge(
        self, principal: Principal, alert_id: int, comment: str | None = None
    ) -> Record:
        """Mark an alert as seen and handled (engineers and above), with an optional comment;
        acknowledging again only changes the comment. A closed alert stays closed."""
        require(principal, Role.ENGINEER)
        rec = self.get(principal, alert_id)
        comment = _comment(comment)
        if rec["status"] != "open":
            if comment is None or rec["status"] == "closed":
                return rec
            return self._changed(
                principal.org_id,
                self.meta.update(principal.org_id, "alert", alert_id, {"comment": comment}),
            )
        return self._changed(
            principal.org_id,
            self.meta.update(
                principal.org_id,
                "alert",
                alert_id,
                {
                    "status": "acknowledged",
                    "acknowledged_by": principal.name,
                    "acknowledged_at": datetime.now(UTC),
                    **({} if comment is None else {"comment": comment}),
                },
            ),
        )

    def close(self, principal: Principal, alert_id: int, comment: str | None = None) -> Record:
        """Close an alert (engineers and above): by whom and when; idempotent. An open alert
        closed at once counts as acknowledged by the same person."""
        require(principal, Role.ENGINEER)
        rec = self.get(principal, alert_id)
        if rec["status"] == "closed":
            return rec
        now = datetime.now(UTC)
        comment = _comment(comment)
        values: dict[str, Any] = {"status": "closed", "closed_by": principal.name, "closed_at": now}
        if rec["status"] == "open":
            values.update(acknowledged_by=principal.name, acknowledged_at=now)
        if comment is not None:
            values["comment"] = comment
        return self._changed(
            principal.org_id, self.meta.update(principal.org_id, "alert", alert_id, values)
        )

    # -- live episodes (the rule engine) ----------------------------------------------------------

    def open_episode(
        self,
        org_id: int,
        *,
        source: str,
        severity: str,
        title: str,
        key: str,
        params: Mapping[str, Any],
        episode: str,
        equipment_id: int | None,
        model_id: int | None,
        rule_id: int | None,
        first_at: datetime,
        last_at: datetime,
        extra: Mapping[str, Any] | None = None,
    ) -> Record:
        """The one alert of a live episode (a rule's condition that began at ``first_at``):
        inserted once; the episode key makes a second call for the same episode return it."""
        with self._raising, self.meta.transaction():
            # The engine's state fires once per episode; this only guards a repeat right after
            # (the newest few of the same rule and machine: a bounded read however many there are).
            for rec in self.meta.find_first(
                org_id, "alert", order=("-id",), limit=20, source=source,
                equipment_id=equipment_id, rule_id=rule_id, model_id=model_id,
            ):  # fmt: skip
                if (rec["detail"] or {}).get("episode") == episode:
                    return rec
            rec = self.meta.insert(
                org_id,
                "alert",
                {
                    "equipment_id": equipment_id,
                    "model_id": model_id,
                    "rule_id": rule_id,
                    "source": source,
                    "severity": severity,
                    "title": title[:512],
                    "detail": {
                        "key": key, "params": dict(params), "episode": episode, "active": True,
                        **(extra or {}),
                    },
                    "first_at": _utc(first_at),
                    "last_at": _utc(last_at),
                    "count": 1,
                    "status": "open",
                    "created_at": datetime.now(UTC),
                },
            )  # fmt: skip
        return self._changed(org_id, rec)

    def end_episode(
        self,
        org_id: int,
        alert_id: int,
        *,
        cleared_at: datetime,
        last_at: datetime,
        count: int,
        extra: Mapping[str, Any] | None = None,
    ) -> Record | None:
        """A live episode is over (its condition cleared): when, its last bad reading and how
        many there were. The alert keeps its status (a person acknowledges and closes it)."""
        try:
            rec = self.meta.get(org_id, "alert", alert_id)
        except NotFound:  # deleted meanwhile (its machine was removed)
            return None
        detail = {**(rec["detail"] or {}), **(extra or {}), "active": False,
                  "cleared_at": _utc(cleared_at).isoformat()}  # fmt: skip
        return self._changed(
            org_id,
            self.meta.update(
                org_id,
                "alert",
                alert_id,
                {
                    "detail": detail,
                    "last_at": max(_utc(last_at), _utc(rec["last_at"])),
                    "count": max(1, int(count)),
                },
            ),
        )

    def active_episodes(self, org_id: int) -> builtins.list[Record]:
        """Alerts of live episodes that have not ended (open or acknowledged), for the engine
        to continue after a restart instead of raising them again."""
        out: builtins.list[Record] = []
        for status in CURRENT:
            for rec in self.meta.find(org_id, "alert", status=status):
                if (rec["detail"] or {}).get("active"):
                    out.append(rec)
        return out

    def known_episodes(self, principal: Principal, source: str) -> set[tuple[int | None, str]]:
        """(machine, episode) of every alert of ``source``, open or not: an episode that was
        acknowledged is not raised again."""
        require(principal, Role.VIEWER)
        return {
            (r["equipment_id"], (r["detail"] or {}).get("episode", ""))
            for r in self.meta.find(principal.org_id, "alert", source=source)
        }


#: Label values that mean "defect" (compared lower-case, without spaces).
DEFECT_VALUES = frozenset(
    {"ng", "n.g", "nok", "fail", "failed", "defect", "defective", "bad", "reject", "불량", "부적합",
     "불합격", "1", "true"}
)  # fmt: skip


def _comment(value: str | None) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if len(text) > 2000:
        raise InvalidInput("A comment has at most 2,000 characters.", code="alerting.comment_long")
    return text or None


def is_defect(value: Any) -> bool:
    """True for a label or prediction value that names a defect (``NG``, ``불량``, ``1`` …)."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    return str(value).strip().lower().replace(" ", "") in DEFECT_VALUES


def describe(alert: Mapping[str, Any], lang: str, tz: Any = UTC) -> str:
    """An alert's text in ``lang`` (times in ``tz``), from its catalogue key and parameters."""
    from openkamp.i18n import MESSAGES, t

    detail = alert.get("detail") or {}
    key = detail.get("key")
    if not key or key not in MESSAGES:
        return str(alert.get("title", ""))
    params = dict(detail.get("params") or {})
    since = params.get("since")
    if isinstance(since, str):
        with contextlib.suppress(ValueError):
            params["since"] = datetime.fromisoformat(since).astimezone(tz).strftime("%m-%d %H:%M")
    try:
        return t(key, lang, **params)
    except (KeyError, IndexError, ValueError):
        return str(alert.get("title", ""))
