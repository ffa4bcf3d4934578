"""A synthetic OPC UA server of many machines and variables (tests and the benchmark).

:class:`BigServer` serves ``machines`` objects under ``Objects/plant/line<k>/``, each with
``variables`` Double variables carrying ``EngineeringUnits`` (UNECE ``CEL``) and ``EURange``,
so a browse sees what a large PLC / SCADA server shows. :meth:`BigServer.tick` gives every
variable a new value at one source time (values from a seeded formula, so a reader can check
them: :func:`value_at`).

Secured like a PLC that demands it: ``security`` lists the endpoints offered (``None``,
``Basic256Sha256_Sign``, ``Basic256Sha256_SignAndEncrypt``), ``certificate`` / ``private_key``
are the server's own (PEM, e.g. from :func:`self_signed`), and ``trusted`` the client
certificates it accepts (others are refused with ``BadCertificateUntrusted``, as a server with a
trust list does; None: any valid one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from openkamp.connectors.opcua import _ua

NAMESPACE = "urn:openkamp:bigserver"


def value_at(machine: int, variable: int, second: int) -> float:
    """The value variable ``variable`` of machine ``machine`` has at ``second`` (µs exact)."""
    return float((machine * 7919 + variable * 104729 + second * 31) % 100_000) / 100.0


def self_signed(
    application_uri: str,
    *,
    server: bool = False,
    host: str = "127.0.0.1",
    valid_from: datetime | None = None,
    days: float = 30.0,
) -> tuple[bytes, bytes]:
    """A self-signed OPC UA application instance certificate and its RSA key (both PEM), as
    Part 6 wants them: the application URI and the host in the subject alternative name, key
    usages for signing and encryption, server or client authentication."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, application_uri.rsplit(":", 1)[-1])])
    start = valid_from or datetime.now(UTC) - timedelta(minutes=5)
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.UniformResourceIdentifier(application_uri), x509.DNSName(host)]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=True,
                data_encipherment=True,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


SERVER_URI = "urn:openkamp:bigserver"


class BigServer:
    """An asyncua server of ``machines`` × ``variables`` numeric variables (module docstring)."""

    def __init__(
        self,
        port: int,
        machines: int = 50,
        variables: int = 100,
        machines_per_line: int = 10,
        *,
        security: Sequence[str] = ("None",),
        certificate: bytes = b"",
        private_key: bytes = b"",
        trusted: Sequence[bytes] | None = None,
    ) -> None:
        self.port = port
        self.machines = machines
        self.variables = variables
        self.machines_per_line = machines_per_line
        self.security = tuple(security)
        self.certificate = certificate
        self.private_key = private_key
        self.trusted = None if trusted is None else list(trusted)
        #: Client certificates refused (for tests: the server did see them).
        self.refused = 0
        self.server: Any = None
        self.nodes: list[Any] = []  # NodeIds, machine-major
        self.ns = 2

    @property
    def endpoint(self) -> str:
        return f"opc.tcp://127.0.0.1:{self.port}/big/"

    def node_id(self, machine: int, variable: int) -> str:
        return f"ns={self.ns};s=m{machine:04d}/v{variable:04d}"

    async def start(self) -> None:
        from asyncua import Server

        ua = _ua()
        server = Server()
        await server.init()
        server.set_endpoint(self.endpoint)
        policies = {"None": ua.SecurityPolicyType.NoSecurity,
                    "Basic256Sha256_Sign": ua.SecurityPolicyType.Basic256Sha256_Sign,
                    "Basic256Sha256_SignAndEncrypt":
                        ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt}  # fmt: skip
        server.set_security_policy([policies[p] for p in self.security])
        if self.certificate:
            await server.set_application_uri(SERVER_URI)
            await server.load_certificate(self.certificate, format="pem")
            await server.load_private_key(self.private_key, format="pem")
            server.set_certificate_validator(self._validate)
        self.ns = await server.register_namespace(NAMESPACE)
        ns = self.ns
        plant = await server.nodes.objects.add_object(
            ua.NodeId("plant", ns), ua.QualifiedName("plant", ns)
        )
        cel = ua.EUInformation(
            NamespaceUri="http://www.opcfoundation.org/UA/units/un/cefact",
            UnitId=(ord("C") << 16) | (ord("E") << 8) | ord("L"),
            DisplayName=ua.LocalizedText("°C", "en"),
            Description=ua.LocalizedText("degree Celsius", "en"),
        )
        line: Any = None
        for m in range(self.machines):
            if m % self.machines_per_line == 0:
                k = m // self.machines_per_line + 1
                line = await plant.add_object(
                    ua.NodeId(f"line{k}", ns), ua.QualifiedName(f"line{k}", ns)
                )
            machine = await line.add_object(
                ua.NodeId(f"m{m:04d}", ns), ua.QualifiedName(f"m{m:04d}", ns)
            )
            for v in range(self.variables):
                nid = ua.NodeId(f"m{m:04d}/v{v:04d}", ns)
                var = await machine.add_variable(
                    nid, ua.QualifiedName(f"v{v:04d}", ns), ua.Variant(0.0, ua.VariantType.Double)
                )
                await var.add_property(
                    ua.NodeId(f"m{m:04d}/v{v:04d}/eu", ns), ua.QualifiedName("EngineeringUnits", 0),
                    cel,
                )  # fmt: skip
                await var.add_property(
                    ua.NodeId(f"m{m:04d}/v{v:04d}/range", ns), ua.QualifiedName("EURange", 0),
                    ua.Range(Low=0.0, High=1000.0),
                )  # fmt: skip
                self.nodes.append(nid)
        await server.start()
        self.server = server

    async def _validate(self, cert: Any, app: Any) -> None:
        """A client certificate must be valid now, name the client's application URI and, with
        a trust list, be on it."""
        from asyncua.common.utils import ServiceError
        from asyncua.crypto.validator import CertificateValidator
        from cryptography.hazmat.primitives import serialization

        ua = _ua()
        try:
            await CertificateValidator().validate(cert, app)
            pem = cert.public_bytes(serialization.Encoding.PEM)
            if self.trusted is not None and pem not in self.trusted:
                raise ServiceError(ua.StatusCodes.BadCertificateUntrusted)
        except ServiceError:
            self.refused += 1
            raise

    async def tick(self, second: int) -> None:
        """Every variable's value at ``second`` (epoch seconds), stamped with that time."""
        ua = _ua()
        at = datetime.fromtimestamp(second, UTC)
        now = datetime.now(UTC)
        write = self.server.write_attribute_value
        for i, nid in enumerate(self.nodes):
            m, v = divmod(i, self.variables)
            dv = ua.DataValue(
                ua.Variant(value_at(m, v, second), ua.VariantType.Double),
                SourceTimestamp=at,
                ServerTimestamp=now,
            )
            await write(nid, dv)

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
            self.server = None


async def _serve(port: int, machines: int, variables: int, rate_hz: float) -> None:
    import sys
    import time

    srv = BigServer(port, machines, variables)
    await srv.start()
    second = int(time.time())
    await srv.tick(second)
    print(f"ready {srv.endpoint} {second}", flush=True)
    try:
        if rate_hz <= 0:  # serve until killed
            await asyncio.Event().wait()
        while True:
            second += 1
            await asyncio.sleep(max(0.0, second - time.time()))
            await srv.tick(second)
            print(f"tick {second}", flush=True)
    finally:
        await srv.stop()
        sys.stdout.flush()


if __name__ == "__main__":  # python -m openkamp.connectors.opcua_testing PORT MACHINES VARS HZ
    import logging
    import sys

    logging.disable(logging.WARNING)
    a = sys.argv[1:]
    asyncio.run(_serve(int(a[0]), int(a[1]), int(a[2]), float(a[3]) if len(a) > 3 else 0.0))
