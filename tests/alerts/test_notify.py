"""Notifications against real local servers (issue 10, point 5): a webhook receiver (a real
HTTP server socket) and an SMTP server (aiosmtpd, with STARTTLS and login), fed by the live rule
engine. Checked: content (Korean and English), the HMAC signature, the severity filter, retries
with backoff under one delivery id, failures recorded on the channel, exactly one message per
episode, and that a slow receiver never slows the engine."""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from openkamp.alerts.engine import AlertEngine
from openkamp.alerts.notify import public_config
from openkamp.core.assets import SignalSpec
from openkamp.platform import Platform

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
FAST = {"password_hash_memory_kib": 1024, "password_hash_time_cost": 1}
SECRET = "s3cret-키"


class Receiver:
    """A webhook receiver on a free local port: records every request; answers ``fail`` 500s
    first, and waits ``delay`` seconds before each answer."""

    def __init__(self, fail: int = 0, delay: float = 0.0) -> None:
        self.got: list[dict[str, Any]] = []
        self.fail, self.delay = fail, delay
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.got.append({"headers": dict(self.headers), "body": body})
                time.sleep(outer.delay)
                code = 500 if outer.fail > 0 else 204
                outer.fail -= 1
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def kamp(tmp_path: Path) -> Iterator[Platform]:
    with Platform.at(tmp_path / "data", **FAST) as k:
        k.notifier.backoff_s = 0.05
        yield k


def setup(kamp: Platform, severity: str = "warning") -> tuple[int, AlertEngine]:
    me = kamp.principal()
    site = kamp.assets.create_node(me, "site", "p")
    line = kamp.assets.create_node(me, "line", "l", site.id)
    eq = kamp.assets.create_node(me, "equipment", "press", line.id)
    sig = kamp.assets.create_signal(me, eq.id, SignalSpec("온도", max_value=80.0))
    kamp.alert_rules.create(me, name="과열", kind="limit", signal_id=sig.id, severity=severity)
    engine = AlertEngine(kamp.meta, kamp.alerts, None, notify=kamp.notifier.alert, tick_s=3600)
    return sig.id, engine


def points(sid: int, values: list[float], start: int = 0) -> pa.Table:
    return pa.table(
        {
            "signal_id": pa.array([sid] * len(values), pa.int64()),
            "ts": pa.array(
                [T0 + timedelta(seconds=start + i) for i in range(len(values))],
                pa.timestamp("us", tz="UTC"),
            ),
            "value": pa.array(values, pa.float64()),
        }
    )


def two_episodes(kamp: Platform, engine: AlertEngine, sid: int) -> None:
    org = kamp.default_org_id
    engine.process(org, points(sid, [50.0, 90.0, 95.0]))
    engine.process(org, points(sid, [99.0, 91.0], start=3))  # the same episode
    engine.process(org, points(sid, [50.0, 50.0, 85.0], start=5))  # ended; a second one
    engine.process(org, points(sid, [40.0], start=8))
    assert kamp.notifier.flush(10)


def test_webhook_is_signed_and_sent_once_per_episode(kamp: Platform, receiver: Receiver) -> None:
    me = kamp.principal()
    sid, engine = setup(kamp)
    kamp.channels.create(me, name="hook", kind="webhook",
                         config={"url": receiver.url, "secret": SECRET})  # fmt: skip
    two_episodes(kamp, engine, sid)
    assert len(receiver.got) == 2  # two episodes, two messages, nothing for their ends
    ids = sorted(a["id"] for a in kamp.alerts.list(me, limit=10))
    seen = []
    for got in receiver.got:
        body, headers = got["body"], got["headers"]
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-OpenKAMP-Signature"], expected)
        assert headers["X-OpenKAMP-Event"] == "alert.opened"
        assert headers["Content-Type"].startswith("application/json")
        payload = json.loads(body.decode("utf-8"))
        assert payload["event"] == "alert.opened"
        alert = payload["alert"]
        seen.append(alert["id"])
        assert alert["severity"] == "warning" and alert["signals"] == ["온도"]
        assert "과열" in alert["text"]["ko"] and "한계" in alert["text"]["ko"]
        assert "beyond its limit" in alert["text"]["en"]
    assert sorted(seen) == ids
    rec = kamp.channels.list(me)[0]
    assert rec["sent"] == 2 and rec["failures"] == 0 and rec["last_error"] is None


def test_a_tampered_body_does_not_verify(kamp: Platform, receiver: Receiver) -> None:
    me = kamp.principal()
    sid, engine = setup(kamp)
    kamp.channels.create(me, name="hook", kind="webhook",
                         config={"url": receiver.url, "secret": SECRET})  # fmt: skip
    engine.process(kamp.default_org_id, points(sid, [90.0]))
    assert kamp.notifier.flush(10)
    (got,) = receiver.got
    tampered = got["body"].replace(b'"warning"', b'"info"')
    forged = "sha256=" + hmac.new(SECRET.encode(), tampered, hashlib.sha256).hexdigest()
    assert forged != got["headers"]["X-OpenKAMP-Signature"]


def test_severity_filter_and_on_clear(kamp: Platform, receiver: Receiver) -> None:
    me = kamp.principal()
    sid, engine = setup(kamp, severity="warning")
    other = Receiver()
    try:
        kamp.channels.create(me, name="critical only", kind="webhook",
                             config={"url": other.url}, min_severity="critical")  # fmt: skip
        kamp.channels.create(me, name="with ends", kind="webhook",
                             config={"url": receiver.url, "on_clear": True})  # fmt: skip
        two_episodes(kamp, engine, sid)
        assert other.got == []  # a warning is below "critical"
        events = [g["headers"]["X-OpenKAMP-Event"] for g in receiver.got]
        assert events == ["alert.opened", "alert.cleared", "alert.opened", "alert.cleared"]
        cleared = json.loads(receiver.got[1]["body"])["alert"]
        assert cleared["cleared_at"] == (T0 + timedelta(seconds=5)).isoformat()
    finally:
        other.close()


def test_retries_keep_one_delivery_id_and_failures_are_recorded(kamp: Platform) -> None:
    me = kamp.principal()
    sid, engine = setup(kamp)
    flaky = Receiver(fail=2)
    try:
        kamp.channels.create(me, name="flaky", kind="webhook",
                             config={"url": flaky.url, "retries": 3})  # fmt: skip
        started = time.monotonic()
        engine.process(kamp.default_org_id, points(sid, [90.0]))
        assert kamp.notifier.flush(10)
        assert len(flaky.got) == 3  # two 500s, then delivered
        assert len({g["headers"]["X-OpenKAMP-Delivery"] for g in flaky.got}) == 1
        assert time.monotonic() - started >= 0.05 + 0.1  # backoff 0.05 s, then 0.1 s
        rec = kamp.channels.get(me, kamp.channels.list(me)[0]["id"])
        assert rec["sent"] == 1 and rec["failures"] == 0
    finally:
        flaky.close()
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/hook"
    channel = kamp.channels.create(me, name="dead", kind="webhook",
                                   config={"url": dead, "retries": 1, "timeout_s": 1})  # fmt: skip
    engine.process(kamp.default_org_id, points(sid, [10.0, 95.0], start=5))  # a new episode
    assert kamp.notifier.flush(10)
    rec = kamp.channels.get(me, channel["id"])
    assert rec["failures"] == 1 and rec["sent"] == 0
    assert "ConnectError" in rec["last_error"]


def test_a_slow_receiver_never_slows_the_engine(kamp: Platform) -> None:
    me = kamp.principal()
    sid, engine = setup(kamp)
    slow = Receiver(delay=1.5)
    try:
        kamp.channels.create(me, name="slow", kind="webhook", config={"url": slow.url})
        started = time.monotonic()
        engine.process(kamp.default_org_id, points(sid, [90.0, 10.0, 91.0, 10.0, 92.0]))
        assert time.monotonic() - started < 0.5  # three alerts opened, none waited
        assert len(kamp.alerts.list(me)) == 3
        assert kamp.notifier.flush(15)
        assert len(slow.got) == 3
    finally:
        slow.close()


# -- e-mail --------------------------------------------------------------------------------------


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                              "content": envelope.original_content,
                              "tls": session.ssl is not None})  # fmt: skip
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login == b"plant"
            and (data.password == "비밀번호123".encode())
        )
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)  # not handled: the server answers 535


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[tuple[Mailbox, int, Path]]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    box = Mailbox()
    port = free_port()
    controller = Controller(
        box, hostname="127.0.0.1", port=port, tls_context=tls, require_starttls=True,
        authenticator=box.authenticate, auth_required=True, auth_require_tls=True,
        enable_SMTPUTF8=True, auth_exclude_mechanism=["LOGIN"],
    )  # fmt: skip
    controller.start()
    yield box, port, cert
    controller.stop()


def test_email_over_starttls_with_login_in_korean_and_english(
    kamp: Platform, smtp: tuple[Mailbox, int, Path]
) -> None:
    box, port, cert = smtp
    me = kamp.principal()
    sid, engine = setup(kamp)
    kamp.channels.create(
        me, name="mail", kind="email",
        config={"host": "127.0.0.1", "port": port, "sender": "openkamp@factory.example",
                "to": ["반장@factory.example", "ops@factory.example"], "starttls": True,
                "username": "plant", "password": "비밀번호123", "ca_file": str(cert)},
    )  # fmt: skip
    two_episodes(kamp, engine, sid)
    assert len(box.messages) == 2 and box.logins == ["plant", "plant"]
    got = box.messages[0]
    assert got["tls"] and got["to"] == ["반장@factory.example", "ops@factory.example"]
    msg = email.message_from_bytes(got["content"], policy=email.policy.default)
    subject = str(msg["Subject"])
    assert "경고" in subject and "알림 발생" in subject and "Warning" in subject
    body = msg.get_body(("plain",))
    assert body is not None and body.get_content_charset() == "utf-8"
    text = body.get_content()
    assert "과열" in text and "한계" in text and "온도" in text
    assert "-- English --" in text and "beyond its limit" in text
    rec = kamp.channels.list(me)[0]
    assert rec["sent"] == 2
    # the API never shows the password back
    shown = public_config(rec["config"])
    assert "password" not in shown and shown["password_set"] is True


def test_email_refused_login_is_recorded(kamp: Platform, smtp: tuple[Mailbox, int, Path]) -> None:
    box, port, cert = smtp
    me = kamp.principal()
    setup(kamp)
    channel = kamp.channels.create(
        me, name="mail", kind="email",
        config={"host": "127.0.0.1", "port": port, "sender": "openkamp@factory.example",
                "to": ["ops@factory.example"], "username": "plant", "password": "wrong",
                "ca_file": str(cert), "retries": 0},
    )  # fmt: skip
    tested = kamp.channels.test(me, channel["id"])  # "send a test notification"
    assert tested["failures"] == 1 and "SMTPAuthenticationError" in tested["last_error"]
    assert box.messages == []
