"""OPC UA over secured channels, against a real asyncua server that offers only Basic256Sha256
(Sign and SignAndEncrypt) and trusts one client certificate (certificates made here with
``cryptography``): browse and subscription work in both modes with the client's certificate and
key from the config; the key is masked in every answer; a certificate the server does not
trust (a wrong one, or none given: the self-signed fallback), security the server does not
offer and a server certificate other than the pinned one are said on the connection in Korean
and English, and the connection recovers once its settings are right; unusable certificates
and keys are refused when the connection is saved."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient
from tests.web.support import sign_in

from openkamp.api import create_app
from openkamp.connectors.base import MASK
from openkamp.connectors.opcua import OpcUaConfig
from openkamp.connectors.opcua_browse import Proposal, apply, browse
from openkamp.connectors.opcua_security import read_private_key
from openkamp.connectors.opcua_testing import BigServer, self_signed, value_at
from openkamp.core.errors import InvalidInput
from openkamp.platform import Platform
from openkamp.sim.live import free_port

from .conftest import wait_for

FAST = {"publishing_interval_ms": 100, "watchdog_s": 0.5, "reconnect_max_s": 0.5, "flush_ms": 50}
SECURE = ("Basic256Sha256_Sign", "Basic256Sha256_SignAndEncrypt")


class Pki:
    """The server's certificate, the client certificate it trusts, and one it does not."""

    def __init__(self) -> None:
        self.server_cert, self.server_key = self_signed("urn:openkamp:bigserver", server=True)
        self.client_cert, self.client_key = self_signed("urn:factory:openkamp")
        self.other_cert, self.other_key = self_signed("urn:factory:openkamp")

    def client(self, mode: str, **extra: str) -> dict[str, str]:
        return {
            "security_policy": "Basic256Sha256", "security_mode": mode,
            "client_certificate": self.client_cert.decode(),
            "client_private_key": self.client_key.decode(), **extra,
        }  # fmt: skip


class ServerThread:
    """A :class:`BigServer` on an event loop of its own thread (the platform runs its own)."""

    def __init__(self, server: BigServer) -> None:
        self.server = server
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.call(server.start())

    def call(self, coro: Any, timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    @property
    def endpoint(self) -> str:
        return self.server.endpoint

    def close(self) -> None:
        self.call(self.server.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki()


@pytest.fixture
def secured(pki: Pki) -> Iterator[ServerThread]:
    srv = ServerThread(
        BigServer(
            free_port(),
            machines=1,
            variables=3,
            security=SECURE,
            certificate=pki.server_cert,
            private_key=pki.server_key,
            trusted=[pki.client_cert],
        )
    )
    yield srv
    srv.close()


def propose(endpoint: str, **kw: Any) -> Proposal:
    return asyncio.run(browse(endpoint, timeout_s=5.0, **kw))


def status(kamp: Platform, rec: dict[str, Any]) -> dict[str, Any]:
    return kamp.connections.status(kamp.principal(), rec["id"])


def test_browse_over_sign_and_over_sign_and_encrypt(secured: ServerThread, pki: Pki) -> None:
    for mode in ("Sign", "SignAndEncrypt"):
        proposal = propose(
            secured.endpoint, **pki.client(mode, server_certificate=pki.server_cert.decode())
        )
        assert proposal.signals == 3, mode
    # The key may come with its line breaks lost (a one-line field) and encrypted.
    key = read_private_key(pki.client_key.decode())
    locked = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"key-Pw-42"),
    ).decode()
    one_line = {k: v.replace("\n", " ") for k, v in pki.client("Sign").items()}
    proposal = propose(
        secured.endpoint,
        **{**one_line, "client_private_key": locked.replace("\n", ""),
           "client_key_password": "key-Pw-42"},
    )  # fmt: skip
    assert proposal.signals == 3
    assert secured.server.refused == 0


def test_browse_says_what_is_wrong_with_the_security(secured: ServerThread, pki: Pki) -> None:
    wrong = {**pki.client("Sign"), "client_certificate": pki.other_cert.decode(),
             "client_private_key": pki.other_key.decode()}  # fmt: skip
    with pytest.raises(InvalidInput) as exc:
        propose(secured.endpoint, **wrong)
    assert exc.value.code == "opcua.certificate_refused"
    assert exc.value.params["reason"] == "BadCertificateUntrusted"
    with pytest.raises(InvalidInput) as exc:
        propose(secured.endpoint)  # no security: the server offers none without it
    assert exc.value.code == "opcua.security_unsupported"
    assert exc.value.params["reason"] == "Basic256Sha256 Sign; Basic256Sha256 SignAndEncrypt"
    with pytest.raises(InvalidInput) as exc:  # a key of another certificate: said before a try
        propose(secured.endpoint, **{**pki.client("Sign"), "client_private_key":
                                     pki.other_key.decode()})  # fmt: skip
    assert exc.value.code == "opcua.certificate_invalid"
    assert "does not belong" in exc.value.params["reason"]


def test_subscription_over_secured_channels_and_the_key_never_shown(
    secured: ServerThread, pki: Pki, kamp: Platform
) -> None:
    proposal = propose(secured.endpoint, **pki.client("SignAndEncrypt"))
    recs = {}
    for mode in ("Sign", "SignAndEncrypt"):
        settings = {**FAST, **pki.client(mode, server_certificate=pki.server_cert.decode())}
        recs[mode] = apply(kamp, kamp.principal(), proposal, name=f"plc-{mode}",
                           settings=settings).connection  # fmt: skip
        # Answers mask the key; the certificates are public and shown.
        assert recs[mode]["config"]["client_private_key"] == MASK
        assert recs[mode]["config"]["client_certificate"].startswith("-----BEGIN CERTIFICATE")
    for rec in recs.values():
        wait_for(lambda rec=rec: status(kamp, rec)["state"] == "running", what="running")
    second = int(time.time()) - 60  # a recent past (a far future is refused as absurd)
    node = proposal.sites[0].lines[0].equipment[0]
    path = f"{proposal.sites[0].key}/{proposal.sites[0].lines[0].key}/{node.key}"
    sid = int(kamp.assets.resolve(kamp.principal(), f"{path}/{node.signals[0].key}").id)

    def stored() -> list[tuple[int, float]]:
        tbl = kamp.ts.read(kamp.default_org_id, [sid])
        ts = tbl.column("ts").cast("int64").to_pylist()
        return list(zip(ts, tbl.column("value").to_pylist(), strict=True))

    for k in range(3):
        secured.call(secured.server.tick(second + k))
        wait_for(lambda k=k: (
            (second + k) * 1_000_000, value_at(0, 0, second + k)) in stored(),
            what="a value sent over the secured channels")  # fmt: skip
    for rec in recs.values():
        wait_for(lambda rec=rec: status(kamp, rec)["points"] >= 3, what="points of each mode")
        st = status(kamp, rec)
        assert st["last_error"] in (None, "") and st["rejected_total"] == 0
    for rec in kamp.connections.list(kamp.principal()):
        assert "PRIVATE KEY" not in str(rec)
    assert secured.server.refused == 0


def test_wrong_or_missing_certificates_said_on_the_connection(
    secured: ServerThread, pki: Pki, kamp: Platform, tmp_path: Path
) -> None:
    proposal = propose(secured.endpoint, **pki.client("Sign"))
    other = self_signed("urn:openkamp:bigserver", server=True)[0].decode()
    cases = {
        # A certificate the server does not trust.
        "untrusted": {**pki.client("Sign"), "client_certificate": pki.other_cert.decode(),
                      "client_private_key": pki.other_key.decode()},
        # None given: the self-signed fallback, which this server's trust list lacks.
        "missing": {"security_policy": "Basic256Sha256", "security_mode": "SignAndEncrypt",
                    "certificate_dir": str(tmp_path / "certs")},
        # No security against a server that offers none without it.
        "plain": {},
        # An impostor: the server presents another certificate than the one pinned.
        "impostor": pki.client("Sign", server_certificate=other),
    }  # fmt: skip
    recs = {
        name: apply(kamp, kamp.principal(), proposal, name=name,
                    settings={**FAST, **settings}).connection
        for name, settings in cases.items()
    }  # fmt: skip
    said = {
        "untrusted": ("클라이언트 인증서를 받아들이지", "refused the client certificate",
                      "BadCertificateUntrusted"),
        "missing": ("클라이언트 인증서를 받아들이지", "refused the client certificate",
                    "신뢰 목록"),
        "plain": ("보안 정책과 모드를 제공하지", "does not offer the security policy",
                  "Basic256Sha256 Sign; Basic256Sha256 SignAndEncrypt"),
        "impostor": ("설정된 서버 인증서와 다릅니다", "another certificate than the one configured",
                     "SHA-1"),
    }  # fmt: skip
    for name, rec in recs.items():
        wait_for(lambda rec=rec: bool(status(kamp, rec)["last_error"]), what=f"{name}: an error")
        st = status(kamp, rec)
        assert st["state"] in ("connecting", "retrying") and st["points"] == 0, name
        for words in said[name]:
            assert words in st["last_error"], (name, st["last_error"])
        assert "PRIVATE KEY" not in str(st) and pki.other_key.decode()[40:80] not in str(st)
    assert secured.server.refused >= 2  # it did see (and refuse) both certificates
    # Given the right certificate, the untrusted connection recovers (nothing crashed).
    rec = recs["untrusted"]
    kamp.connections.update(
        kamp.principal(), rec["id"], config={**rec["config"], **pki.client("Sign")}
    )
    wait_for(lambda: status(kamp, rec)["state"] == "running", what="running after the fix")
    secured.call(secured.server.tick(int(time.time()) - 30))
    wait_for(lambda: status(kamp, rec)["points"] > 0, what="points after the fix")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"client_private_key": ""}, "needs its private key"),
        ({"client_certificate": ""}, "needs its private key"),
        ({"client_certificate": "-----BEGIN CERTIFICATE-----abc-----END CERTIFICATE-----"},
         "not a PEM certificate"),
        ({"client_certificate": "hello"}, "not PEM text"),
        ({"client_key_password": "no-such-Pw"}, "password"),
        ({"server_certificate": "nope"}, "not PEM text"),
    ],
)  # fmt: skip
def test_unusable_certificates_are_refused_when_saved(
    pki: Pki, change: dict[str, str], words: str
) -> None:
    config = {"endpoint": "opc.tcp://127.0.0.1:4840/", **pki.client("Sign"), **change}
    with pytest.raises(ValueError, match=words):
        OpcUaConfig.model_validate(config)


def test_a_key_of_another_certificate_or_without_uri_is_refused(pki: Pki) -> None:
    base = {"endpoint": "opc.tcp://127.0.0.1:4840/", **pki.client("Sign")}
    with pytest.raises(ValueError, match="does not belong"):
        OpcUaConfig.model_validate({**base, "client_private_key": pki.other_key.decode()})
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    key = read_private_key(pki.client_key.decode())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bare")])
    bare = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(1)
        .not_valid_before(x509.load_pem_x509_certificate(pki.client_cert).not_valid_before_utc)
        .not_valid_after(x509.load_pem_x509_certificate(pki.client_cert).not_valid_after_utc)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    with pytest.raises(ValueError, match="application URI"):
        OpcUaConfig.model_validate(
            {**base, "client_certificate": bare.public_bytes(serialization.Encoding.PEM).decode()}
        )
    # One-line PEM (a form field drops line breaks) is taken and stored with them again.
    flat = {k: v.replace("\n", "") for k, v in pki.client("Sign").items()}
    cfg = OpcUaConfig.model_validate({**base, **flat})
    assert cfg.client_certificate == pki.client_cert.decode()


def test_api_and_form_carry_the_security_settings(kamp: Platform, pki: Pki) -> None:
    kim = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", "correct horse battery")
    token = kamp.accounts.create_token(kamp.accounts.principal_of(kim), "t", ["admin"])[1]
    auth = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(platform=kamp)) as client:
        kinds = client.get("/api/v1/connections/kinds", headers=auth).json()
        opcua = next(k for k in kinds if k["kind"] == "opcua")
        assert {"client_private_key", "client_key_password"} <= set(opcua["secrets"])
        props = opcua["config_schema"]["properties"]
        assert props["client_private_key"]["writeOnly"] is True
        assert props["client_key_password"]["writeOnly"] is True
        assert "client_certificate" in props and "server_certificate" in props
        body = {"name": "secure", "kind": "opcua", "enabled": False,
                "config": {"endpoint": "opc.tcp://127.0.0.1:4840/", **pki.client("Sign")}}  # fmt: skip
        made = client.post("/api/v1/connections", json=body, headers=auth)
        assert made.status_code == 201, made.text
        assert made.json()["config"]["client_private_key"] == MASK
        got = client.get(f"/api/v1/connections/{made.json()['id']}", headers=auth).json()
        assert got["config"]["client_private_key"] == MASK and "PRIVATE KEY" not in str(got)
        # An update that sends the mask back keeps the stored key.
        changed = {**got["config"], "security_mode": "SignAndEncrypt"}
        put = client.patch(f"/api/v1/connections/{got['id']}", json={"config": changed},
                           headers=auth)  # fmt: skip
        assert put.status_code == 200, put.text
        stored = kamp.connections.find(kamp.principal(), "secure")
        assert (
            stored is not None and stored["config"]["client_private_key"] == pki.client_key.decode()
        )
        bad = {**body, "name": "bad", "config": {**body["config"], "client_private_key": ""}}
        refused = client.post("/api/v1/connections", json=bad, headers=auth)
        assert refused.status_code == 422 and "needs its private key" in refused.text


def test_connection_form_sets_the_certificates(kamp: Platform, pki: Pki) -> None:
    """The form (built from the kind's schema) labels the fields in Korean, takes the PEM
    texts as a browser posts one-line inputs (line breaks dropped), and never shows the key."""
    kamp.accounts.create_first_admin(kamp.default_org_id, "kim", "correct horse battery")
    with TestClient(create_app(platform=kamp), follow_redirects=False) as client:
        csrf = sign_in(client, "kim", "correct horse battery")
        page = client.get("/connections/new?kind=opcua")
        assert page.status_code == 200
        for words in ("클라이언트 인증서 (PEM)", "클라이언트 개인 키 (PEM)", "서버 인증서 (PEM)"):
            assert words in page.text
        assert 'type="password" name="client_private_key"' in page.text
        form = {"csrf_token": csrf, "kind": "opcua", "name": "plc", "endpoint":
                "opc.tcp://127.0.0.1:4840/", "nodes": "[]",
                **{k: v.replace("\n", "") for k, v in pki.client("SignAndEncrypt").items()},
                "server_certificate": pki.server_cert.decode().replace("\n", "")}  # fmt: skip
        done = client.post("/connections/new", data=form)
        assert done.status_code == 303, done.text
        rec = kamp.connections.find(kamp.principal(), "plc")
        assert rec is not None
        assert rec["config"]["client_private_key"] == pki.client_key.decode()
        assert rec["config"]["server_certificate"] == pki.server_cert.decode()
        edit = client.get(f"/connections/{rec['id']}")
        assert "PRIVATE KEY" not in edit.text and "BEGIN CERTIFICATE" in edit.text
        # Saved again without touching the key (an empty password field keeps it).
        form.pop("client_private_key")
        again = client.post(f"/connections/{rec['id']}", data={**form, "name": "plc"})
        assert again.status_code == 303, again.text
        rec = kamp.connections.find(kamp.principal(), "plc")
        assert rec is not None and rec["config"]["client_private_key"] == pki.client_key.decode()
