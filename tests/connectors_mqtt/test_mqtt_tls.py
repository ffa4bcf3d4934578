"""MQTT over TLS: the connector's bulk reader on a TLS socket (messages from a few bytes to
several TLS records) stores every acknowledged message once, live and from a session's backlog,
with the broker's certificate checked against the CA it is given."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from openkamp.platform import Platform
from openkamp.sim.live.mosquitto import Broker, broker_or_skip, free_port, wait_for_port

from .conftest import PRESS, Publisher, sid, status, wait_for

T0 = 1_780_000_000_000  # ms


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 signed by it (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(name("test CA")).issuer_name(name("test CA"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return paths


@pytest.fixture
def tls_broker(tmp_path: Path) -> Iterator[tuple[Broker, int, Path]]:
    """Mosquitto with a plain listener (the publisher's) and a TLS one (the platform's)."""
    import getpass

    exe = broker_or_skip()
    ca, cert, key = _certificates(tmp_path)
    plain, tls = free_port(), free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(
        f"per_listener_settings false\nallow_anonymous true\nuser {getpass.getuser()}\n"
        f"persistence true\npersistence_location {tmp_path}/\n"
        f"log_dest file {tmp_path}/mosquitto.log\n"
        f"listener {plain} 127.0.0.1\n"
        f"listener {tls} 127.0.0.1\ncafile {ca}\ncertfile {cert}\nkeyfile {key}\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen([exe, "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_for_port("127.0.0.1", plain)
        wait_for_port("127.0.0.1", tls)
        yield Broker("127.0.0.1", plain, tmp_path, proc.pid), tls, ca
    finally:
        proc.terminate()
        proc.wait(10)


def test_tls_messages_large_and_small_live_and_from_the_backlog(
    kamp: Platform, tls_broker: tuple[Broker, int, Path]
) -> None:
    broker, tls_port, ca = tls_broker
    sub = {"topic": "gw/{machine}/data", "equipment": "plant1/line1/{machine}"}
    conn = kamp.connections.create(kamp.principal(), "tls1", "mqtt", {
        "host": "127.0.0.1", "port": tls_port, "tls": True, "tls_ca_file": str(ca),
        "subscriptions": [sub], "batch_ms": 5, "client_id": "tls-test",
    })  # fmt: skip
    wait_for(lambda: status(kamp, conn)["state"] == "running", what="running over TLS")
    pub = Publisher(broker, "pub-tls")
    n_points = 0
    key = 0

    def publish_some(count: int) -> None:
        nonlocal n_points, key
        for _ in range(count):
            # 1 to 4,000 readings: messages from a few bytes to several TLS records
            size = (1, 40, 4_000)[key % 3]
            values = [float(key)] * size
            doc = {"t0": T0 + key * 10_000, "dt": 1, "s": {"pressure": values}}
            pub.publish("gw/press01/data", json.dumps(doc), key)
            n_points += size
            key += 1

    p = sid(kamp, PRESS, "pressure")
    try:
        publish_some(600)  # live
        pub.wait_acked(600, timeout=60)
        wait_for(lambda: kamp.ts.count(kamp.default_org_id, [p]) == n_points, timeout=60,
                 what="the live messages stored")  # fmt: skip
        kamp.connections.stop(kamp.principal(), conn["id"])
        publish_some(600)  # kept by the broker for the session
        pub.wait_acked(1200, timeout=60)
        kamp.connections.start(kamp.principal(), conn["id"])
        wait_for(lambda: kamp.ts.count(kamp.default_org_id, [p]) == n_points, timeout=60,
                 what="the backlog stored")  # fmt: skip
    finally:
        pub.close()
    got = kamp.ts.read(kamp.default_org_id, [p])
    assert got.num_rows == n_points
    assert sum(got.column("value").to_pylist()) == sum(
        float(k) * (1, 40, 4_000)[k % 3] for k in range(key)
    )
    st = status(kamp, conn)
    assert st["rejected_total"] == 0, st["rejected"]
