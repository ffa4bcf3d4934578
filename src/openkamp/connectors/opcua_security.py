"""Secure channels of the OPC UA connector: certificates, keys, and the endpoint chosen.

A connection with ``security_policy`` ``Basic256Sha256`` and ``security_mode`` ``Sign`` or
``SignAndEncrypt`` signs (and encrypts) every message with the client's application instance
certificate. That certificate is either the one given in the config (``client_certificate`` and
``client_private_key``, PEM text, the key optionally encrypted with ``client_key_password``) or,
when none is given, a self-signed one made once in ``certificate_dir`` and kept there, for the
server's administrator to trust. The client presents itself with the application URI its
certificate names (servers compare the two).

Before a session, the server's endpoints are read over an unsecured channel (what every OPC UA
client does) and the one with the asked policy and mode is chosen; a server that offers none is
said with what it does offer. The server's certificate comes from that endpoint; with
``server_certificate`` (PEM) in the config only that certificate is accepted, so an impostor at
the server's address is refused before anything is signed for it. Without it, the certificate
the server presents is trusted, as most OPC UA clients do at a first connection.

Problems are :class:`SecurityProblem` with a short kind and its detail: ``security_unsupported``
(the detail: what the server offers), ``certificate_invalid`` (what is wrong with a certificate
or key), ``server_certificate_mismatch`` (the SHA-1 thumbprints presented / configured), which
:func:`openkamp.connectors.opcua.in_words` says in Korean and English; a server that refuses
the client's certificate answers with a ``BadCertificate…`` status (``certificate_refused``).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The application URI the client presents with its self-signed certificate.
CLIENT_URI = "urn:openkamp:client"

_NO_SECURITY = "http://opcfoundation.org/UA/SecurityPolicy#None"
_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.DOTALL)


class SecurityProblem(Exception):
    """A secure channel cannot be set up: ``kind`` says why, ``detail`` in English words."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


def pem(text: str) -> str:
    """PEM text as a PEM reader wants it, also when a one-line form field dropped its line
    breaks (``-----BEGIN …----- MIIB… -----END …-----``); "" stays ""."""
    text = text.strip()
    if not text:
        return ""
    found = _PEM.search(text)
    if found is None:
        raise ValueError("not PEM text (-----BEGIN …----- … -----END …-----)")
    label, body = found.group(1), re.sub(r"\s+", "", found.group(2))
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----", ""])


def read_certificate(text: str) -> Any:
    """An X.509 certificate from PEM text (``ValueError`` in words when it is none)."""
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificate(pem(text).encode())
    except ValueError as exc:
        raise ValueError(f"not a PEM certificate ({exc})") from exc


def read_private_key(text: str, password: str = "") -> Any:
    """An RSA private key from PEM text, decrypted with ``password`` when it is encrypted."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = serialization.load_pem_private_key(
            pem(text).encode(), password=password.encode() if password else None
        )
    except TypeError as exc:  # encrypted without a password, or a password for a plain key
        raise ValueError(f"the private key and its password do not agree ({exc})") from exc
    except ValueError as exc:
        raise ValueError(f"not a PEM private key, or a wrong password ({exc})") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the private key is not an RSA key (Basic256Sha256 needs RSA)")
    return key


def application_uri(cert: Any) -> str | None:
    """The application URI a certificate names (its subject alternative name URI)."""
    from cryptography import x509

    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return None
    uris = san.value.get_values_for_type(x509.UniformResourceIdentifier)
    return str(uris[0]) if uris else None


def thumbprint(cert: Any) -> str:
    """The SHA-1 thumbprint OPC UA servers list trusted certificates by (hex, upper case)."""
    from cryptography.hazmat.primitives import serialization

    return hashlib.sha1(cert.public_bytes(serialization.Encoding.DER)).hexdigest().upper()


def check_client_pair(certificate: str, private_key: str, password: str = "") -> None:
    """Refuse a client certificate and key that cannot work, in words: either missing, not PEM,
    not RSA, without an application URI, or a key of another certificate."""
    if bool(certificate.strip()) != bool(private_key.strip()):
        raise ValueError("a client certificate needs its private key, and a key its certificate")
    if not certificate.strip():
        return
    cert = read_certificate(certificate)
    key = read_private_key(private_key, password)
    if application_uri(cert) is None:
        raise ValueError(
            "the client certificate names no application URI (a subject alternative name "
            "URI such as urn:factory:openkamp), which OPC UA servers require"
        )
    if cert.public_key().public_numbers() != key.public_key().public_numbers():
        raise ValueError("the private key does not belong to the client certificate")


@dataclass
class Credentials:
    """The client's certificate and key, loaded."""

    certificate: Any
    private_key: Any

    @property
    def uri(self) -> str:
        return application_uri(self.certificate) or CLIENT_URI


def _der(cert: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return bytes(cert.public_bytes(serialization.Encoding.DER))


async def _credentials(
    client: Any, certificate: str, private_key: str, password: str, certificate_dir: str
) -> Credentials:
    if certificate.strip():
        try:
            check_client_pair(certificate, private_key, password)
            return Credentials(
                read_certificate(certificate), read_private_key(private_key, password)
            )
        except ValueError as exc:
            raise SecurityProblem("certificate_invalid", str(exc)) from exc
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    folder = Path(certificate_dir) if certificate_dir else temp_cert_dir()
    client.application_uri = CLIENT_URI
    cert_file, key_file = await client.setup_self_signed_certificate(
        folder / "openkamp-client-key.pem", folder / "openkamp-client-cert.der"
    )
    return Credentials(
        x509.load_der_x509_certificate(Path(cert_file).read_bytes()),
        serialization.load_pem_private_key(Path(key_file).read_bytes(), password=None),
    )


def temp_cert_dir() -> Path:
    return Path(tempfile.gettempdir()) / "openkamp-opcua-client"


def _offered(endpoints: list[Any]) -> str:
    """What a server offers, in words: ``None; Basic256Sha256 Sign; …``."""
    seen: list[str] = []
    for ep in endpoints:
        policy = str(ep.SecurityPolicyUri or "").rsplit("#", 1)[-1] or "None"
        mode = getattr(ep.SecurityMode, "name", str(ep.SecurityMode))
        text = "None" if policy == "None" else f"{policy} {mode}"
        if text not in seen:
            seen.append(text)
    return "; ".join(seen) or "nothing"


async def secure(
    client: Any,
    *,
    policy: str,
    mode: str,
    certificate: str = "",
    private_key: str = "",
    key_password: str = "",
    server_certificate: str = "",
    certificate_dir: str = "",
) -> None:
    """Set ``client`` (asyncua, not connected) up for the policy and mode (module docstring):
    reads the server's endpoints first, so a server that does not offer them, a certificate
    that cannot be read and a server certificate other than the pinned one are said before a
    session is tried (:class:`SecurityProblem`)."""
    from asyncua import ua
    from asyncua.crypto import uacrypto
    from asyncua.crypto.security_policies import SecurityPolicyBasic256Sha256
    from cryptography.hazmat.primitives import serialization

    policy_uri = SecurityPolicyBasic256Sha256.URI if policy != "None" else _NO_SECURITY
    creds = None
    if policy != "None":
        creds = await _credentials(client, certificate, private_key, key_password, certificate_dir)
        client.application_uri = creds.uri
    security_mode = getattr(ua.MessageSecurityMode, "None_" if mode == "None" else mode)
    endpoints = await client.connect_and_get_server_endpoints()
    chosen = [
        ep
        for ep in endpoints
        if ep.SecurityMode == security_mode and ep.SecurityPolicyUri == policy_uri
    ]
    if not chosen:
        raise SecurityProblem("security_unsupported", _offered(endpoints))
    if creds is None:
        return
    server_cert = uacrypto.x509_from_der(chosen[0].ServerCertificate)
    if server_cert is None:
        raise SecurityProblem("certificate_invalid", "the server's endpoint has no certificate")
    if server_certificate.strip():
        try:
            pinned = read_certificate(server_certificate)
        except ValueError as exc:
            raise SecurityProblem("certificate_invalid", f"server certificate: {exc}") from exc
        if _der(pinned) != _der(server_cert):
            raise SecurityProblem(
                "server_certificate_mismatch", f"{thumbprint(server_cert)} / {thumbprint(pinned)}"
            )
    key_der = creds.private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    await client.set_security(
        SecurityPolicyBasic256Sha256,
        uacrypto.CertProperties(_der(creds.certificate), "der"),
        uacrypto.CertProperties(key_der, "der"),
        server_certificate=uacrypto.CertProperties(_der(server_cert), "der"),
        mode=security_mode,
    )
