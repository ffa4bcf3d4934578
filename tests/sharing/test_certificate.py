"""The quality certificate of a dataset version (issue 11, item 1): the platform's five quality
indices and the grade, signed by the platform with Ed25519 over canonical JSON; reproducible from
the snapshot; any changed field or another key refused."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from openkamp.quality.profile import INDICES
from openkamp.sharing import certificate as C
from openkamp.sharing.keys import SigningKey
from openkamp.sharing.verify_standalone import key_id

from .catalog_support import T0, World, world


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    yield from world(tmp_path)


def issued(w: World, name: str = "shots", **kw: Any) -> dict[str, Any]:
    v = w.dataset(name, **kw)
    return C.issue(w.kamp.datasets, w.acme, v.id, w.kamp.sharing.ledger.keys.signer(None), now=T0)


def platform_key(w: World) -> bytes:
    key = w.kamp.sharing.ledger.keys.public_key(None)
    assert key is not None
    return key


def test_a_certificate_states_the_platforms_indices_and_verifies(w: World) -> None:
    cert = issued(w)
    v = w.kamp.datasets.get(w.acme, "shots")
    report = w.kamp.datasets.quality(w.acme, v.id)  # what the platform shows as the quality
    assert set(cert["indices"]) == set(INDICES)
    for name in INDICES:
        assert cert["indices"][name] == f"{Decimal(repr(report.indices[name])):.6f}"
    assert cert["grade"] == C.grade_of(cert["indices"]) == "A"
    assert cert["dataset"] == {
        "id": v.id, "name": "shots", "version": 1, "rows": 400,
        "schema_hash": v.schema_hash, "content_hash": v.content_sha256,
    }  # fmt: skip
    assert cert["computation"]["method"] == "openkamp.quality.profile"
    assert cert["computation"]["version"] == C.COMPUTATION["version"]
    assert cert["computation"]["rows"] == 400 and cert["computation"]["time"] == "timestamp"
    assert cert["issued_at"] == "2026-03-01T09:00:00.000000Z"
    assert cert["key_id"] == key_id(platform_key(w)).hex()
    assert C.verify_certificate(cert, platform_key(w))
    assert C.verify_certificate(json.dumps(cert), platform_key(w))  # as stored, JSON text


def test_a_poorer_dataset_gets_a_lower_grade(w: World) -> None:
    cert = issued(w, "gappy", missing=0.6)
    assert Decimal(cert["indices"]["completeness"]) < Decimal("0.9")
    assert cert["grade"] in ("C", "D") and C.verify_certificate(cert, platform_key(w))


def test_it_is_reproduced_from_the_snapshot(w: World) -> None:
    cert = issued(w)
    again = C.reproduce(cert, w.kamp.datasets, w.acme)
    assert again.ok and again.differences == {}
    assert dict(again.indices) == cert["indices"] and again.grade == cert["grade"]
    # Issued again later: the same measurement, only the time and signature differ.
    later = C.issue(w.kamp.datasets, w.acme, "shots", w.kamp.sharing.ledger.keys.signer(None))
    assert later["indices"] == cert["indices"] and later["computation"] == cert["computation"]


def test_reproduce_names_what_differs(w: World) -> None:
    cert = issued(w)
    changed = copy.deepcopy(cert)
    changed["indices"]["accuracy"] = "0.500000"
    changed["grade"] = "D"
    result = C.reproduce(changed, w.kamp.datasets, w.acme)
    assert not result.ok
    assert result.differences["indices.accuracy"] == ("0.500000", cert["indices"]["accuracy"])
    assert result.differences["grade"] == ("D", "A")
    # A certificate of version 1 does not describe version 2 (other rows, other content).
    w.dataset("shots", seed=5, n=300)
    v2 = w.kamp.datasets.get(w.acme, "shots@2")
    other = copy.deepcopy(cert)
    other["dataset"]["id"] = v2.id
    result = C.reproduce(other, w.kamp.datasets, w.acme)
    assert {"dataset.content_hash", "dataset.rows"} <= set(result.differences)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("grade",), "B"),
        (("indices", "completeness"), "0.999999"),
        (("dataset", "content_hash"), "0" * 64),
        (("dataset", "schema_hash"), "f" * 64),
        (("dataset", "rows"), 401),
        (("issued_at",), "2027-03-01T09:00:00.000000Z"),
        (("computation", "version"), "2"),
        (("type",), "something-else"),
        (("signature",), "AAAA"),
        (("extra",), "added"),
    ],
)
def test_a_changed_field_is_refused(w: World, path: tuple[str, ...], value: Any) -> None:
    cert = issued(w)
    tampered = copy.deepcopy(cert)
    node = tampered
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert C.verify_certificate(cert, platform_key(w))
    assert not C.verify_certificate(tampered, platform_key(w))


def test_another_key_is_refused(w: World) -> None:
    cert = issued(w)
    forger = Ed25519PrivateKey.generate()
    public = forger.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert not C.verify_certificate(cert, public)  # the platform's signature, not this key's
    forged = C.sign(cert, SigningKey(forger, public, key_id(public)))
    assert C.verify_certificate(forged, public)  # consistent in itself ...
    assert not C.verify_certificate(forged, platform_key(w))  # ... but not the platform's
    # The forger's signature with the platform's key id claimed.
    claimed = dict(forged, key_id=cert["key_id"])
    assert not C.verify_certificate(claimed, platform_key(w))
    assert not C.verify_certificate(cert, None)
    assert not C.verify_certificate("not json", platform_key(w))


def test_grade_cut_offs() -> None:
    def grade(weakest: str) -> str:
        return C.grade_of({name: "1.000000" for name in INDICES} | {"accuracy": weakest})

    assert [grade(x) for x in ("1", "0.95", "0.949999", "0.90", "0.8", "0.799999", "0")] == [
        "A", "A", "B", "B", "C", "D", "D",
    ]  # fmt: skip


def test_canonical_json_ignores_key_order_and_the_signature() -> None:
    a = {"b": 1, "a": {"y": "한", "x": [1, 2]}, "signature": "s1"}
    b = {"a": {"x": [1, 2], "y": "한"}, "b": 1, "signature": "s2"}
    assert C.canonical(a) == C.canonical(b) == '{"a":{"x":[1,2],"y":"한"},"b":1}'.encode()


def test_an_empty_dataset_is_not_certified(w: World) -> None:
    from openkamp.core.errors import InvalidInput

    from .catalog_support import COLUMNS

    w.kamp.datasets.create(w.acme, "empty", iter([]), COLUMNS)
    with pytest.raises(InvalidInput) as info:
        C.issue(w.kamp.datasets, w.acme, "empty", w.kamp.sharing.ledger.keys.signer(None))
    assert info.value.code == "sharing.catalog.empty"
