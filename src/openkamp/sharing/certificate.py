"""The quality certificate of an offered dataset version (issue 11, item 1).

A certificate states the five quality indices of :mod:`openkamp.quality` for one immutable
dataset version, the grade they earn, the version's schema and content hashes, the computation
that produced them and when it was issued; the platform signs it with its Ed25519 key (the usage
ledger's platform key, :class:`openkamp.sharing.keys.LedgerKeys`) over canonical JSON::

    cert = issue(datasets, owner, "press-shots@3", keys.signer(None))
    verify_certificate(cert, keys.public_key(None))   # True: signed by the platform, unchanged
    reproduce(cert, datasets, owner).ok               # True: the snapshot gives the same indices

**What is measured.** Exactly what the platform shows as the dataset's quality
(:meth:`DatasetService.quality`): :func:`openkamp.quality.profile` of the latest
:data:`~openkamp.datasets.service.PROFILE_ROWS` rows of the version (all of them when it has
fewer), every column but those of role ``ignore``, the time column as time unless times repeat
(a table of records). The version is immutable, so these rows never change, and anyone who can
read the version (its owner) recomputes the same indices: :func:`reproduce`. ``computation``
names the method, its version (:data:`COMPUTATION`, raised when the definitions change), its
parameters and OpenKAMP's version.

**Grades** (:func:`grade_of`): the weakest index decides, because an average hides the one
defect that makes data unusable (a mean of 0.9 can be 0.5 completeness):

====== ==========================================
grade  every one of the five indices is at least
====== ==========================================
A      0.95
B      0.90
C      0.80
D      below 0.80 for at least one index
====== ==========================================

**Canonical JSON** (what is signed): the certificate without ``signature``, keys sorted, no
insignificant white space, UTF-8, non-ASCII kept; indices are decimal strings with six places
(``"0.998000"``) and times ISO 8601 in UTC with ``Z``, so no floating-point formatting differs
between the signer and a verifier in another language.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from openkamp.core.errors import InvalidInput
from openkamp.i18n import t
from openkamp.quality.profile import INDICES
from openkamp.sharing.verify_standalone import key_id

if TYPE_CHECKING:
    import pandas as pd

    from openkamp.core.tenancy import Principal
    from openkamp.datasets._version import DatasetVersion
    from openkamp.datasets.service import DatasetRef, DatasetService
    from openkamp.sharing.keys import SigningKey

__all__ = [
    "COMPUTATION",
    "GRADES",
    "KIND",
    "Reproduction",
    "canonical",
    "grade_of",
    "issue",
    "measure",
    "reproduce",
    "sign",
    "verify_certificate",
]

#: What a certificate document is.
KIND = "openkamp.quality-certificate"
#: The computation's name and version: raise the version when an index's definition changes.
COMPUTATION = {"method": "openkamp.quality.profile", "version": "1"}
#: Grade -> the least every index must reach, best first (D: anything below C).
GRADES: tuple[tuple[str, Decimal], ...] = (
    ("A", Decimal("0.95")),
    ("B", Decimal("0.90")),
    ("C", Decimal("0.80")),
)
_PLACES = Decimal("0.000001")


def _error(what: str, **params: object) -> InvalidInput:
    code = f"sharing.catalog.{what}"
    return InvalidInput(t(f"err.{code}", "en", **params), code=code, params=params)


def _decimal(value: float) -> str:
    return str(Decimal(repr(float(value))).quantize(_PLACES, rounding=ROUND_HALF_EVEN))


def grade_of(indices: Mapping[str, Any]) -> str:
    """The grade the indices earn: the best whose floor every one of the five reaches."""
    weakest = min(Decimal(str(indices[name])) for name in INDICES)
    for grade, floor in GRADES:
        if weakest >= floor:
            return grade
    return "D"


def canonical(document: Mapping[str, Any]) -> bytes:
    """The bytes that are signed: ``document`` without its signature, as canonical JSON."""
    body = {k: v for k, v in document.items() if k != "signature"}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def _frame(datasets: DatasetService, principal: Principal, v: DatasetVersion) -> pd.DataFrame:
    """The rows the platform profiles (as :meth:`DatasetService.quality` reads them)."""
    from openkamp.datasets.service import PROFILE_ROWS

    names = [c.name for c in v.columns if c.role != "ignore"]
    offset = max(0, v.rows - PROFILE_ROWS)
    return datasets.read(principal, v.id, names, limit=PROFILE_ROWS, offset=offset)


def measure(v: DatasetVersion, frame: pd.DataFrame) -> dict[str, Any]:
    """The indices (six-place decimal strings), the grade and the computation of ``frame``,
    the profiled rows of version ``v``."""
    from openkamp import __version__
    from openkamp.datasets.service import PROFILE_ROWS
    from openkamp.quality import profile

    time = v.time_column if v.time_column in frame.columns else None
    if time is not None and frame[time].duplicated().any():
        time = None  # several rows per time: a table of records, as DatasetService.quality
    report = profile(frame, time=time)
    indices = {name: _decimal(report.indices[name]) for name in INDICES}
    return {
        "indices": indices,
        "grade": grade_of(indices),
        "computation": {
            **COMPUTATION,
            "openkamp": __version__,
            "rows": int(report.rows),
            "window": f"latest {PROFILE_ROWS} rows",
            "time": time,
        },
    }


def sign(document: Mapping[str, Any], signer: SigningKey) -> dict[str, Any]:
    """``document`` with the signer's key id and its Ed25519 signature (base64)."""
    body = {k: v for k, v in document.items() if k != "signature"}
    body["key_id"] = signer.key_id.hex()
    body["signature"] = base64.b64encode(signer.sign(canonical(body))).decode("ascii")
    return body


def issue(
    datasets: DatasetService,
    principal: Principal,
    ref: DatasetRef,
    signer: SigningKey,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The signed certificate of the dataset version ``ref`` of the principal's organisation.

    Raises :class:`InvalidInput` (``sharing.catalog.empty``) for a version without rows: there
    is nothing to certify."""
    v = datasets.get(principal, ref)
    if v.rows <= 0:
        raise _error("empty", dataset=v.ref)
    measured = measure(v, _frame(datasets, principal, v))
    at = (now or datetime.now(UTC)).astimezone(UTC)
    document = {
        "type": KIND,
        "format": 1,
        "dataset": {
            "id": v.id,
            "name": v.name,
            "version": v.version,
            "rows": v.rows,
            "schema_hash": v.schema_hash,
            "content_hash": v.content_sha256,
        },
        **measured,
        "issued_at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "issuer": "platform",
    }
    return sign(document, signer)


def verify_certificate(cert: Mapping[str, Any] | str, public_key: bytes | None) -> bool:
    """True when ``cert`` carries a valid Ed25519 signature of ``public_key`` (raw 32 bytes)
    over its canonical JSON, names that key, and its grade is the one its indices earn."""
    if public_key is None:
        return False
    try:
        doc = json.loads(cert) if isinstance(cert, str) else dict(cert)
        if doc.get("type") != KIND or doc.get("key_id") != key_id(public_key).hex():
            return False
        signature = base64.b64decode(str(doc["signature"]), validate=True)
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, canonical(doc))
        return bool(grade_of(doc["indices"]) == doc["grade"])
    except (InvalidSignature, KeyError, ValueError, TypeError, ArithmeticError):
        return False


@dataclass(frozen=True)
class Reproduction:
    """The result of :func:`reproduce`: ``ok`` when the snapshot is the certified one and gives
    the same indices and grade; ``differences`` names what differs (field: certified, now)."""

    ok: bool
    indices: Mapping[str, str]
    grade: str
    differences: Mapping[str, tuple[Any, Any]]


def reproduce(
    cert: Mapping[str, Any] | str, datasets: DatasetService, principal: Principal
) -> Reproduction:
    """Recompute the certificate's indices from its dataset version (which ``principal``, of
    the owning organisation, can read) and compare: the schema and content hashes, the stored
    file's hash, the indices, the grade and the computation's version."""
    doc = json.loads(cert) if isinstance(cert, str) else dict(cert)
    try:
        ds = doc["dataset"]
        v = datasets.get(principal, int(ds["id"]))
    except (KeyError, TypeError, ValueError):
        raise _error("certificate", reason="dataset") from None
    differences: dict[str, tuple[Any, Any]] = {}
    for name, now in (
        ("schema_hash", v.schema_hash),
        ("content_hash", v.content_sha256),
        ("rows", v.rows),
    ):
        if ds.get(name) != now:
            differences[f"dataset.{name}"] = (ds.get(name), now)
    if not datasets.verify(principal, v.id):
        differences["dataset.file"] = (ds.get("content_hash"), "changed")
    measured = measure(v, _frame(datasets, principal, v))
    for name in INDICES:
        was = dict(doc.get("indices") or {}).get(name)
        if was != measured["indices"][name]:
            differences[f"indices.{name}"] = (was, measured["indices"][name])
    if doc.get("grade") != measured["grade"]:
        differences["grade"] = (doc.get("grade"), measured["grade"])
    was_version = dict(doc.get("computation") or {}).get("version")
    if was_version != COMPUTATION["version"]:
        differences["computation.version"] = (was_version, COMPUTATION["version"])
    return Reproduction(not differences, measured["indices"], measured["grade"], differences)
