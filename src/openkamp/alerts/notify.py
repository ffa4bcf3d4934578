"""Notifications: alerts sent to people by webhook (JSON POST) and e-mail (SMTP).

A channel is an organisation-scoped ``notification_channel`` record: its kind, its settings
(:class:`WebhookConfig`, :class:`EmailConfig`, JSON in ``config``), the least severity it sends
and whether it also tells when an episode ended (``on_clear``). The :class:`Notifier` sends off
the caller's thread: :meth:`Notifier.alert` only queues, one worker thread sends, retrying with
backoff; each delivery is counted on the channel (``sent``, ``failures``, ``last_sent_at``,
``last_error``, migration 0008), so a broken channel shows on the alerts page.

Webhooks carry an HMAC-SHA256 signature of the exact body with the channel's secret
(``X-OpenKAMP-Signature: sha256=<hex>``), the event (``X-OpenKAMP-Event``) and a delivery id that
stays the same across retries (``X-OpenKAMP-Delivery``), so a receiver can check where a message
comes from and drop a retry it already took. E-mails are UTF-8, Korean first with the English
text below, over SMTP with optional STARTTLS and login.
"""

from __future__ import annotations

import base64
import builtins
import hashlib
import hmac
import json
import logging
import smtplib
import ssl
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from openkamp.alerts.service import SEVERITIES, checked_name, checked_severity
from openkamp.alerts.worker import QueueWorker
from openkamp.core.errors import Conflict, InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role, require
from openkamp.storage.metadata.base import MetadataStore, Record

log = logging.getLogger(__name__)

__all__ = ["ChannelService", "EmailConfig", "Notifier", "WebhookConfig", "sign"]

CHANNEL_KINDS = ("webhook", "email")
SIGNATURE_HEADER = "X-OpenKAMP-Signature"
#: Settings shown back as "set" only, never their value.
SECRETS = ("secret", "password")


class WebhookConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(pattern=r"^https?://", max_length=2000, description="http(s) address")
    secret: str = Field("", max_length=500, description="HMAC-SHA256 key of the signature")
    timeout_s: float = Field(5.0, gt=0, le=60)
    retries: int = Field(3, ge=0, le=10, description="Tries after the first failure")
    on_clear: bool = Field(False, description="Also tell when an episode ended")


class EmailConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = Field(min_length=1, max_length=255)
    port: int = Field(587, ge=1, le=65535)
    sender: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", max_length=320)
    to: list[str] = Field(min_length=1, max_length=50)
    starttls: bool = Field(True, description="Upgrade the connection with STARTTLS")
    username: str = Field("", max_length=320)
    password: str = Field("", max_length=500)
    ca_file: str = Field(
        "", max_length=1000, description="PEM file of a CA to trust for STARTTLS (an internal "
        "CA); empty: the system's"
    )  # fmt: skip
    timeout_s: float = Field(10.0, gt=0, le=120)
    retries: int = Field(3, ge=0, le=10)
    on_clear: bool = False


def channel_config(kind: str, config: dict[str, Any] | None) -> BaseModel:
    model: type[BaseModel] = WebhookConfig if kind == "webhook" else EmailConfig
    try:
        out = model.model_validate(config or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "config"
        raise InvalidInput(
            f"Channel setting {field}: {first.get('msg', 'invalid')}.",
            code="alerting.bad_channel",
            params={"field": field},
        ) from None
    if isinstance(out, EmailConfig):
        for addr in out.to:
            if "@" not in addr or any(c.isspace() for c in addr) or len(addr) > 320:
                raise InvalidInput(
                    f"Not an e-mail address: {addr!r}.",
                    code="alerting.bad_channel",
                    params={"field": "to"},
                )
    return out


def public_config(config: dict[str, Any]) -> dict[str, Any]:
    """A channel's settings as shown: secrets only as set or not."""
    out = {k: v for k, v in config.items() if k not in SECRETS}
    for k in SECRETS:
        if k in config:
            out[f"{k}_set"] = bool(config[k])
    return out


def sign(secret: str, body: bytes) -> str:
    """The webhook signature header's value: ``sha256=`` and the HMAC-SHA256 of ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


_FIELDS = ("name", "kind", "config", "min_severity", "enabled")


class ChannelService:
    """Notification channels of every organisation (each call sees its principal's only)."""

    def __init__(self, meta: MetadataStore) -> None:
        self.meta = meta
        self.notifier: Notifier | None = None

    def list(self, principal: Principal) -> builtins.list[Record]:
        require(principal, Role.VIEWER)
        recs = self.meta.find(principal.org_id, "notification_channel")
        return sorted(recs, key=lambda r: r["id"])

    def get(self, principal: Principal, channel_id: int) -> Record:
        require(principal, Role.VIEWER)
        try:
            return self.meta.get(principal.org_id, "notification_channel", channel_id)
        except NotFound:
            raise NotFound(
                f"No notification channel #{channel_id}.",
                code="record.not_found.notification_channel",
                params={"id": channel_id},
            ) from None

    def create(self, principal: Principal, **values: Any) -> Record:
        require(principal, Role.ENGINEER)
        rec = self._checked({"enabled": True, "min_severity": "warning", **values})
        self._unique(principal, rec["name"], None)
        return self.meta.insert(
            principal.org_id,
            "notification_channel",
            {**rec, "created_by": principal.name, "created_at": datetime.now(UTC)},
        )

    def update(self, principal: Principal, channel_id: int, **changes: Any) -> Record:
        """Change a channel; a secret left out (or empty) keeps the stored one."""
        require(principal, Role.ENGINEER)
        old = self.get(principal, channel_id)
        merged = {k: old[k] for k in _FIELDS}
        merged.update({k: v for k, v in changes.items() if k in _FIELDS})
        if "config" in changes and changes["config"] is not None:
            cfg = dict(changes["config"])
            for k in SECRETS:
                if not cfg.get(k) and (old["config"] or {}).get(k):
                    cfg[k] = old["config"][k]
            merged["config"] = cfg
        rec = self._checked(merged)
        self._unique(principal, rec["name"], channel_id)
        return self.meta.update(principal.org_id, "notification_channel", channel_id, rec)

    def delete(self, principal: Principal, channel_id: int) -> None:
        require(principal, Role.ENGINEER)
        self.get(principal, channel_id)
        self.meta.delete(principal.org_id, "notification_channel", channel_id)

    def test(self, principal: Principal, channel_id: int) -> Record:
        """Send a test notification now (in the caller's thread, one try, so a person hears
        at once what is wrong); returns the channel with the delivery counted. Failures are recorded, not raised."""
        require(principal, Role.ENGINEER)
        rec = self.get(principal, channel_id)
        notifier = self.notifier or Notifier(self.meta)
        notifier.deliver(principal.org_id, rec, test_alert(principal), "test", retries=0)
        return self.get(principal, channel_id)

    def _unique(self, principal: Principal, name: str, channel_id: int | None) -> None:
        for rec in self.meta.find(principal.org_id, "notification_channel", name=name):
            if rec["id"] != channel_id:
                raise Conflict(
                    f"A notification channel named {name!r} exists.",
                    code="alerting.channel_exists",
                    params={"name": name},
                )

    def _checked(self, values: dict[str, Any]) -> dict[str, Any]:
        name = checked_name(values, "channel")
        kind = values.get("kind")
        if kind not in CHANNEL_KINDS:
            raise InvalidInput(
                f"Unknown channel kind {kind!r}; known: webhook, email.",
                code="alerting.bad_channel_kind",
                params={"kind": str(kind)},
            )
        severity = checked_severity(values.get("min_severity"))
        config = channel_config(str(kind), values.get("config"))
        return {
            "name": name,
            "kind": kind,
            "config": config.model_dump(),
            "min_severity": severity,
            "enabled": bool(values.get("enabled", True)),
        }


def test_alert(principal: Principal) -> Record:
    """A made-up alert for "send a test notification"."""
    now = datetime.now(UTC)
    return {
        "id": 0, "org_id": principal.org_id, "equipment_id": None, "model_id": None,
        "rule_id": None, "source": "test", "severity": "info",
        "title": "OpenKAMP test notification", "first_at": now, "last_at": now, "count": 1,
        "status": "open",
        "detail": {"key": "alerting.text.test", "params": {"who": principal.name}},
    }  # fmt: skip


def _texts(alert: Record, event: str) -> dict[str, str]:
    from openkamp.alerts.service import describe
    from openkamp.i18n import t

    out = {}
    for lang in ("ko", "en"):
        out[f"text_{lang}"] = describe(alert, lang)
        out[f"event_{lang}"] = t(f"alerting.event.{event}", lang)
        out[f"severity_{lang}"] = t(f"alerting.severity.{alert['severity']}", lang)
    return out


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)


def webhook_body(alert: Record, event: str) -> bytes:
    """The JSON a webhook receives (UTF-8; Korean and English texts)."""
    texts = _texts(alert, event)
    detail = alert.get("detail") or {}
    payload = {
        "event": f"alert.{event}",
        "sent_at": datetime.now(UTC).isoformat(),
        "alert": {
            "id": alert["id"],
            "org_id": alert["org_id"],
            "severity": alert["severity"],
            "source": alert["source"],
            "status": alert["status"],
            "title": alert["title"],
            "text": {"ko": texts["text_ko"], "en": texts["text_en"]},
            "equipment_id": alert.get("equipment_id"),
            "model_id": alert.get("model_id"),
            "rule_id": alert.get("rule_id"),
            "signals": list(detail.get("signals") or []),
            "first_at": _iso(alert.get("first_at")),
            "last_at": _iso(alert.get("last_at")),
            "cleared_at": detail.get("cleared_at"),
            "count": alert.get("count"),
        },
    }
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def email_message(alert: Record, event: str, cfg: EmailConfig) -> EmailMessage:
    texts = _texts(alert, event)
    msg = EmailMessage()
    msg["Subject"] = (
        f"[OpenKAMP] {texts['severity_ko']} {texts['event_ko']}: {texts['text_ko'][:120]} / "
        f"{texts['severity_en']} {texts['event_en']}"
    )
    msg["From"] = formataddr(("OpenKAMP", cfg.sender))
    msg["To"] = ", ".join(cfg.to)
    msg["Message-ID"] = make_msgid(domain=cfg.sender.split("@", 1)[1])
    first, last = _iso(alert.get("first_at")), _iso(alert.get("last_at"))
    signals = ", ".join((alert.get("detail") or {}).get("signals") or []) or "-"
    msg.set_content(
        f"{texts['event_ko']} ({texts['severity_ko']})\n{texts['text_ko']}\n"
        f"신호: {signals}\n시작: {first}\n마지막: {last}\n경보 번호: {alert['id']}\n\n"
        f"-- English --\n{texts['event_en']} ({texts['severity_en']})\n{texts['text_en']}\n"
        f"Signals: {signals}\nFirst: {first}\nLast: {last}\nAlert #{alert['id']}\n",
        charset="utf-8",
    )
    return msg


class Notifier:
    """Sends alerts to an organisation's channels from its own worker thread.

    :meth:`alert` is what the engine calls (it only queues); :meth:`deliver` sends one message
    to one channel with retries (``backoff_s`` doubling) and records the outcome on it."""

    def __init__(
        self,
        meta: MetadataStore,
        *,
        backoff_s: float = 1.0,
        queue_size: int = 10_000,
        post: Callable[..., Any] | None = None,
    ) -> None:
        self.meta = meta
        self.backoff_s = backoff_s
        self._worker: QueueWorker[tuple[int, Record, str]] = QueueWorker(
            "notifier", lambda item: self._send_all(*item), size=queue_size
        )
        self._post = post

    def alert(self, org_id: int, alert: Record, event: str) -> None:
        """Queue ``alert`` (``event``: opened, cleared) for the organisation's channels."""
        if not self._worker.put((org_id, dict(alert), event)):
            log.warning("notification queue full: alert %s not sent", alert.get("id"))

    @property
    def dropped(self) -> int:
        return self._worker.dropped

    def start(self) -> None:
        self._worker.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._worker.stop(timeout)

    def flush(self, timeout: float = 30.0) -> bool:
        return self._worker.flush(timeout)

    def _send_all(self, org_id: int, alert: Record, event: str) -> None:
        rank = SEVERITIES.index(alert["severity"]) if alert["severity"] in SEVERITIES else 0
        for channel in self.meta.find(org_id, "notification_channel", enabled=1):
            least = channel["min_severity"]
            if rank < (SEVERITIES.index(least) if least in SEVERITIES else 1):
                continue
            if event == "cleared" and not (channel["config"] or {}).get("on_clear"):
                continue
            self.deliver(org_id, channel, alert, event)

    def deliver(
        self, org_id: int, channel: Record, alert: Record, event: str, retries: int | None = None
    ) -> bool:
        """Send one message to one channel, retrying (the channel's ``retries`` unless given);
        the outcome counted on the channel."""
        kind = channel["kind"]
        cfg = channel_config(kind, channel["config"])
        delivery = str(uuid.uuid4())
        tries = 1 + int(getattr(cfg, "retries", 0) if retries is None else retries)
        error = ""
        for attempt in range(tries):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                if isinstance(cfg, WebhookConfig):
                    self._webhook(cfg, alert, event, delivery)
                else:
                    assert isinstance(cfg, EmailConfig)
                    self._email(cfg, alert, event)
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"[:1000]
                log.warning("notification to %s failed (try %d): %s", channel["name"],
                            attempt + 1, error)  # fmt: skip
                continue
            self._record(org_id, channel["id"], None)
            return True
        self._record(org_id, channel["id"], error or "failed")
        return False

    def _record(self, org_id: int, channel_id: int, error: str | None) -> None:
        # Read and counted in one transaction: notifiers of several worker processes (or
        # threads) counting at once lose no delivery or failure.
        with self.meta.transaction():
            try:
                rec = self.meta.get(org_id, "notification_channel", channel_id)
            except NotFound:
                return
            values: dict[str, Any]
            if error is None:
                values = {"sent": int(rec.get("sent") or 0) + 1,
                          "last_sent_at": datetime.now(UTC), "last_error": None}  # fmt: skip
            else:
                values = {"failures": int(rec.get("failures") or 0) + 1, "last_error": error}
            self.meta.update(org_id, "notification_channel", channel_id, values)

    def _webhook(self, cfg: WebhookConfig, alert: Record, event: str, delivery: str) -> None:
        import httpx

        body = webhook_body(alert, event)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "OpenKAMP",
            "X-OpenKAMP-Event": f"alert.{event}",
            "X-OpenKAMP-Delivery": delivery,
        }
        if cfg.secret:
            headers[SIGNATURE_HEADER] = sign(cfg.secret, body)
        post = self._post or httpx.post
        answer = post(cfg.url, content=body, headers=headers, timeout=cfg.timeout_s)
        if answer.status_code >= 300:
            raise RuntimeError(f"HTTP {answer.status_code}")

    def _email(self, cfg: EmailConfig, alert: Record, event: str) -> None:
        msg = email_message(alert, event, cfg)
        with smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_s) as smtp:
            smtp.ehlo()
            if cfg.starttls:
                smtp.starttls(context=ssl.create_default_context(cafile=cfg.ca_file or None))
                smtp.ehlo()
            if cfg.username and (cfg.username + cfg.password).isascii():
                smtp.login(cfg.username, cfg.password)
            elif cfg.username:  # smtplib sends credentials as ASCII; AUTH PLAIN carries UTF-8
                token = b"\0" + cfg.username.encode() + b"\0" + cfg.password.encode()
                code, answer = smtp.docmd("AUTH", "PLAIN " + base64.b64encode(token).decode())
                if code != 235:
                    raise smtplib.SMTPAuthenticationError(code, answer)
            smtp.send_message(msg)
