#!/usr/bin/env python3
"""Check an OpenKAMP usage-ledger bundle on your own machine, without OpenKAMP.

    python verify_standalone.py BUNDLE_FOLDER [--platform-key HEX] [--org-key NAME=HEX ...]

Needs only the Python standard library (3.11 or newer) and the ``cryptography`` package. Copy this
one file next to a bundle exported by OpenKAMP (``Ledger.export``) and run it. Exit status 0: every
check passed; 1: the bundle does not verify (each failure is printed); 2: the bundle cannot be read
or the command line is wrong.

The ledger is a Merkle-tree transparency log as RFC 9162 (Certificate Transparency 2.0) section 2.1
defines it: leaf hash ``SHA-256(0x00 || leaf)``, interior node ``SHA-256(0x01 || left || right)``,
the tree of n leaves split at the largest power of two smaller than n. A bundle is a folder:

``manifest.json``
    ``format`` (``openkamp-ledger/1``), ``scope`` (``log``: every entry of the log; or
    ``organisation``: the entries concerning one organisation, each with an inclusion proof),
    ``organisation``, ``log_id`` (hex SHA-256 of the platform key's DER SubjectPublicKeyInfo) and
    ``tree_size`` (the size of the newest platform tree head in the bundle).
``keys.json``
    ``{"keys": [{"signer": "platform" | "org:NAME", "key_id": HEX, "public_key": HEX}, ...]}``:
    raw 32-byte Ed25519 public keys; ``key_id`` is the SHA-256 of the key's DER
    SubjectPublicKeyInfo (as RFC 6962 names a log by its key).
``heads.jsonl``
    Signed tree heads, one JSON object a line: ``signer``, ``tree_size``, ``root_hash`` (hex),
    ``timestamp`` (milliseconds since 1970, UTC), ``key_id``, ``signature`` (hex, Ed25519 over
    :func:`tree_head_message`).
``entries.jsonl``
    ``{"index": N, "leaf": "<the leaf's canonical JSON text>"}`` a line, in index order; in the
    ``organisation`` scope also ``"inclusion_proof": [HEX, ...]`` against the newest platform head.
``consistency.jsonl`` (``organisation`` scope)
    ``{"old_size": M, "new_size": N, "proof": [HEX, ...]}``: proofs that each older tree head in
    the bundle is a prefix of the newest one (RFC 9162 section 2.1.4).

Checks, ``log`` scope: the entries are 0, 1, 2 ... without a gap; each leaf is canonical JSON;
the tree recomputed from the leaves has, at every head's size, that head's root; every head is
signed by its signer's key; no entry lies past the newest platform head. ``organisation`` scope:
each entry concerns the organisation and its inclusion proof leads to the newest platform head's
root; every head in the bundle is signed and proven consistent with the newest one.

The keys in ``keys.json`` come with the bundle: pin the platform key you obtained another way
(from the platform's operator, or an earlier bundle you trust) with ``--platform-key`` (the public
key or its key id, hex), and an organisation's with ``--org-key NAME=HEX``; without pinning, the
key ids used are printed for you to compare.

OpenKAMP itself imports the hashing and proof checks from this file, so the code an auditor runs is
the code the platform's own ``verify`` runs.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import itertools
import json
import struct
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

FORMAT = "openkamp-ledger/1"
HASH_SIZE = 32
#: The root of the empty tree (RFC 9162 2.1.1: the hash of an empty string).
EMPTY_ROOT = hashlib.sha256(b"").digest()
#: Prefix of every signed tree head message: keeps these signatures apart from any other use of
#: the same key.
HEAD_CONTEXT = b"OpenKAMP ledger tree head v1\x00"
#: Largest integer a leaf may hold: every JSON reader (JavaScript's included) reads it exactly.
MAX_JSON_INT = 2**53 - 1
MAX_PROBLEMS = 50  # a bundle with more failures than this lists the first ones and a count


# -- hashing (RFC 9162 2.1.1) ------------------------------------------------------------------


def leaf_hash(leaf: bytes) -> bytes:
    """``SHA-256(0x00 || leaf)``."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(b"\x01" + left + right).digest()


class Frontier:
    """The root hashes of the complete subtrees of a growing tree (its right edge, a "compact
    range" from 0), enough to give the root after any number of appended leaves in O(log n)."""

    __slots__ = ("hashes", "size", "sizes")

    def __init__(self) -> None:
        self.sizes: list[int] = []  # powers of two, decreasing
        self.hashes: list[bytes] = []
        self.size = 0

    def push(self, h: bytes) -> None:
        sizes, hashes = self.sizes, self.hashes
        width = 1
        while sizes and sizes[-1] == width:
            sizes.pop()
            h = node_hash(hashes.pop(), h)
            width <<= 1
        sizes.append(width)
        hashes.append(h)
        self.size += 1

    def root(self) -> bytes:
        """MTH of the leaves pushed so far: the complete subtrees folded from the right."""
        if not self.hashes:
            return EMPTY_ROOT
        r = self.hashes[-1]
        for h in reversed(self.hashes[:-1]):
            r = node_hash(h, r)
        return r


def root_of(leaf_hashes: Iterable[bytes]) -> bytes:
    """The root of the tree of these leaf hashes."""
    f = Frontier()
    for h in leaf_hashes:
        f.push(h)
    return f.root()


# -- proof verification (RFC 9162 2.1.3.2 and 2.1.4.2) ---------------------------------------


def _shift_to_set_bit(fn: int, sn: int) -> tuple[int, int]:
    """Right-shift ``fn`` and ``sn`` equally until ``fn``'s lowest bit is set or ``fn`` is 0."""
    while fn and not fn & 1:
        fn >>= 1
        sn >>= 1
    return fn, sn


def _hashes_ok(*hashes: bytes) -> bool:
    return all(isinstance(h, bytes) and len(h) == HASH_SIZE for h in hashes)


def verify_inclusion(
    leaf: bytes, index: int, tree_size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``path`` proves that the leaf hash ``leaf`` is entry ``index`` of the tree of
    ``tree_size`` leaves whose root is ``root`` (RFC 9162 section 2.1.3.2, step by step)."""
    if not 0 <= index < tree_size or not _hashes_ok(leaf, root, *path):
        return False
    fn, sn = index, tree_size - 1
    r = leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                fn, sn = _shift_to_set_bit(fn, sn)
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and hmac.compare_digest(r, root)


def verify_consistency(
    first: int, second: int, first_hash: bytes, second_hash: bytes, path: Sequence[bytes]
) -> bool:
    """Whether ``path`` proves that the tree of ``first`` leaves with root ``first_hash`` is a
    prefix of the tree of ``second`` leaves with root ``second_hash`` (RFC 9162 section 2.1.4.2).

    Two trees of the same size are consistent when their roots are equal (the proof is empty);
    the empty tree is a prefix of every tree (empty proof, ``first_hash`` the empty root)."""
    if not 0 <= first <= second or not _hashes_ok(first_hash, second_hash, *path):
        return False
    if first == second:
        return not path and hmac.compare_digest(first_hash, second_hash)
    if first == 0:
        return not path and hmac.compare_digest(first_hash, EMPTY_ROOT)
    if not path:
        return False
    hashes = list(path)
    if first & (first - 1) == 0:  # an exact power of two: the first tree is a node of the proof
        hashes.insert(0, first_hash)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = hashes[0]
    for c in hashes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                fn, sn = _shift_to_set_bit(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and hmac.compare_digest(fr, first_hash) and hmac.compare_digest(sr, second_hash)


# -- tree heads ---------------------------------------------------------------------------------


def tree_head_message(log_id: bytes, tree_size: int, timestamp_ms: int, root: bytes) -> bytes:
    """The bytes a tree head's signature covers: a context string, the log id (32 bytes), then
    RFC 9162's TreeHeadDataV2 (section 4.10): uint64 timestamp, uint64 tree_size, the root hash
    with its one-byte length, and an empty extensions list (uint16 0). Big-endian."""
    if len(log_id) != HASH_SIZE or len(root) != HASH_SIZE:
        raise ValueError("log id and root hash must be 32 bytes")
    return (
        HEAD_CONTEXT
        + log_id
        + struct.pack(">QQB", timestamp_ms, tree_size, HASH_SIZE)
        + root
        + struct.pack(">H", 0)
    )


def key_id(public_key: bytes) -> bytes:
    """SHA-256 of the DER SubjectPublicKeyInfo of a raw Ed25519 public key."""
    der = Ed25519PublicKey.from_public_bytes(public_key).public_bytes(
        Encoding.DER, PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).digest()


def signature_ok(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


# -- canonical leaves ---------------------------------------------------------------------------


def _no_float(text: str) -> Any:
    raise ValueError(f"a number with a fraction or exponent ({text}): amounts are decimal strings")


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")


def _bounded_int(text: str) -> int:
    value = int(text)
    if abs(value) > MAX_JSON_INT:
        raise ValueError(f"the integer {value} is too large for JSON readers: use a string")
    return value


_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)
_STRICT = json.JSONDecoder(
    parse_float=_no_float, parse_int=_bounded_int, parse_constant=_no_constant
)


def canonical_json(obj: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text as is (not \\u-escaped), no NaN or infinity."""
    return _CANONICAL.encode(obj)


def parse_leaf(text: str) -> dict[str, Any]:
    """A leaf's JSON object, after checking that ``text`` is its canonical form; ValueError if
    it is not an object, holds a float or a too large integer, or is written another way."""
    obj = _STRICT.decode(text)
    if not isinstance(obj, dict):
        raise ValueError("a leaf is a JSON object")
    if canonical_json(obj) != text:
        raise ValueError("not in canonical form (sorted keys, no spaces, UTF-8 text)")
    return obj


# -- bundles ------------------------------------------------------------------------------------


class BundleError(Exception):
    """The bundle cannot be read at all (a missing file, a line that is not JSON)."""


@dataclass(frozen=True)
class Head:
    signer: str
    tree_size: int
    root_hash: bytes
    timestamp: int
    key_id: bytes
    signature: bytes

    @property
    def label(self) -> str:
        return f"tree head of {self.signer} at size {self.tree_size:,}"


@dataclass
class Result:
    """What a bundle check found: ``problems`` empty means every check passed."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dropped: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.dropped

    def fail(self, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)
        else:
            self.dropped += 1


def _hex(value: Any, what: str, size: int | None = HASH_SIZE) -> bytes:
    try:
        raw = bytes.fromhex(value)
    except (TypeError, ValueError):
        raise BundleError(f"{what} is not hexadecimal") from None
    if size is not None and len(raw) != size:
        raise BundleError(f"{what} is {len(raw)} bytes, not {size}")
    return raw


def _json_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BundleError(f"{path.name} is missing") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"{path.name} is not JSON: {exc}") from None


def _json_lines(path: Path, required: bool = True) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) of a JSON-lines file; lines are split on LF only (a leaf may hold
    U+2028 and other characters that str.splitlines would split on)."""
    try:
        f = path.open("rb")
    except FileNotFoundError:
        if required:
            raise BundleError(f"{path.name} is missing") from None
        return
    with f:
        for number, raw in enumerate(f, 1):
            line = raw.rstrip(b"\n")
            if not line:
                continue
            try:
                obj = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise BundleError(f"{path.name} line {number} is not JSON: {exc}") from None
            if not isinstance(obj, dict):
                raise BundleError(f"{path.name} line {number} is not a JSON object")
            yield number, obj


def _read_heads(folder: Path) -> list[Head]:
    heads = []
    for number, obj in _json_lines(folder / "heads.jsonl"):
        where = f"heads.jsonl line {number}"
        try:
            heads.append(Head(
                signer=str(obj["signer"]),
                tree_size=int(obj["tree_size"]),
                root_hash=_hex(obj["root_hash"], f"{where}: root_hash"),
                timestamp=int(obj["timestamp"]),
                key_id=_hex(obj["key_id"], f"{where}: key_id"),
                signature=_hex(obj["signature"], f"{where}: signature", 64),
            ))  # fmt: skip
        except (KeyError, TypeError, ValueError) as exc:
            raise BundleError(f"{where}: a field is missing or wrong ({exc})") from None
    return heads


def _read_keys(folder: Path) -> dict[str, bytes]:
    doc = _json_file(folder / "keys.json")
    keys: dict[str, bytes] = {}
    try:
        for k in doc["keys"]:
            raw = _hex(k["public_key"], f"keys.json: the key of {k['signer']}")
            if key_id(raw) != _hex(k["key_id"], f"keys.json: the key id of {k['signer']}"):
                raise BundleError(f"keys.json: the key id of {k['signer']} is not its key's")
            keys[str(k["signer"])] = raw
    except (KeyError, TypeError) as exc:
        raise BundleError(f"keys.json: a field is missing or wrong ({exc})") from None
    return keys


def _pin(keys: dict[str, bytes], pins: dict[str, str], result: Result) -> None:
    """Replace the bundle's keys by the ones the user holds, and say which were pinned."""
    for signer, given in pins.items():
        want = _hex(given.strip().lower(), f"the key given for {signer}")
        have = keys.get(signer)
        if have is None:
            result.fail(f"the bundle has no key for {signer}, whose key you gave")
        elif want not in (have, key_id(have)):
            result.fail(
                f"the bundle's key for {signer} (key id {key_id(have).hex()}) is not the key you "
                f"gave: its tree heads are not signed by the key you trust"
            )
        else:
            result.notes.append(f"{signer}: key pinned ({key_id(have).hex()})")
    for signer, raw in sorted(keys.items()):
        if signer not in pins:
            result.notes.append(
                f"{signer}: key taken from the bundle, key id {key_id(raw).hex()} "
                f"(compare it with the one you hold, or pin it)"
            )


def _check_heads(heads: list[Head], keys: dict[str, bytes], log_id: bytes, result: Result) -> None:
    for head in heads:
        key = keys.get(head.signer)
        if key is None:
            result.fail(f"{head.label}: no public key for its signer")
        elif head.key_id != key_id(key):
            result.fail(f"{head.label}: signed with key {head.key_id.hex()}, not its signer's key")
        elif not signature_ok(
            key, tree_head_message(log_id, head.tree_size, head.timestamp, head.root_hash),
            head.signature,
        ):  # fmt: skip
            result.fail(f"{head.label}: the signature does not match (a forged or altered head)")
    by_signer: dict[str, list[Head]] = {}
    for head in heads:
        by_signer.setdefault(head.signer, []).append(head)
    for own in by_signer.values():
        own.sort(key=lambda h: (h.tree_size, h.timestamp))
        for a, b in itertools.pairwise(own):
            if b.timestamp < a.timestamp:
                result.fail(f"{b.label}: its time is earlier than the head of size {a.tree_size:,}")


def _check_log(folder: Path, heads: list[Head], size: int, result: Result) -> int:
    """The ``log`` scope: recompute the tree from every leaf; returns the number of entries."""
    at_size: dict[int, list[Head]] = {}
    for head in heads:
        at_size.setdefault(head.tree_size, []).append(head)
    for head in at_size.pop(0, ()):
        if head.root_hash != EMPTY_ROOT:
            result.fail(f"{head.label}: the empty tree has another root")
    frontier = Frontier()
    for number, obj in _json_lines(folder / "entries.jsonl"):
        index, leaf = obj.get("index"), obj.get("leaf")
        if index != frontier.size:
            result.fail(
                f"entries.jsonl line {number}: entry {index} where entry {frontier.size} was "
                f"expected (an entry was removed, added or moved)"
            )
            return frontier.size
        if not isinstance(leaf, str):
            result.fail(f"entry {index}: no leaf text")
            return frontier.size
        try:
            parse_leaf(leaf)
        except ValueError as exc:
            result.fail(f"entry {index}: the leaf is not valid: {exc}")
        frontier.push(leaf_hash(leaf.encode("utf-8")))
        for head in at_size.pop(frontier.size, ()):
            if frontier.root() != head.root_hash:
                result.fail(
                    f"{head.label}: the entries give another root "
                    f"({frontier.root().hex()[:16]}… instead of {head.root_hash.hex()[:16]}…): "
                    f"an entry up to {frontier.size - 1:,} was changed, removed, added or moved"
                )
    for _, missing in sorted(at_size.items()):
        for head in missing:
            result.fail(f"{head.label}: the bundle has only {frontier.size:,} entries")
    if frontier.size > size:
        result.fail(
            f"entries {size:,} to {frontier.size - 1:,} are not covered by a signed platform "
            f"tree head (added after the last head, or the last head was removed)"
        )
    return frontier.size


def _check_organisation(
    folder: Path, org: str, newest: Head, heads: list[Head], result: Result
) -> int:
    """The ``organisation`` scope: inclusion proofs of its entries, consistency proofs of heads."""
    count = 0
    last = -1
    for number, obj in _json_lines(folder / "entries.jsonl"):
        index, leaf = obj.get("index"), obj.get("leaf")
        where = f"entry {index}"
        if not isinstance(index, int) or not isinstance(leaf, str) or index <= last:
            result.fail(f"entries.jsonl line {number}: no index and leaf, or out of order")
            continue
        last = index
        count += 1
        try:
            parsed = parse_leaf(leaf)
        except ValueError as exc:
            result.fail(f"{where}: the leaf is not valid: {exc}")
            continue
        if org not in parsed.get("parties", ()):
            result.fail(f"{where}: does not concern {org}")
        try:
            proof = [_hex(h, f"{where}: inclusion proof") for h in obj.get("inclusion_proof", ())]
        except BundleError as exc:
            result.fail(str(exc))
            continue
        if not verify_inclusion(
            leaf_hash(leaf.encode("utf-8")), index, newest.tree_size, proof, newest.root_hash
        ):
            result.fail(
                f"{where}: its inclusion proof does not lead to the signed root of the tree of "
                f"size {newest.tree_size:,} (the entry or its proof was altered)"
            )
    proofs: dict[int, list[bytes]] = {}
    for number, obj in _json_lines(folder / "consistency.jsonl", required=False):
        where = f"consistency.jsonl line {number}"
        if obj.get("new_size") != newest.tree_size:
            result.fail(f"{where}: a proof to another tree size than the newest head's")
            continue
        try:
            proofs[int(obj["old_size"])] = [_hex(h, where) for h in obj["proof"]]
        except (KeyError, TypeError, ValueError, BundleError) as exc:
            result.fail(f"{where}: {exc}")
    for head in heads:
        if head.tree_size > newest.tree_size:
            result.fail(f"{head.label}: larger than the newest platform head")
            continue
        steps = proofs.get(head.tree_size)
        if steps is None and head.tree_size not in (0, newest.tree_size):
            result.fail(f"{head.label}: no consistency proof with the newest head")
            continue
        if not verify_consistency(
            head.tree_size, newest.tree_size, head.root_hash, newest.root_hash, steps or []
        ):
            result.fail(
                f"{head.label}: not consistent with the newest head (size "
                f"{newest.tree_size:,}): the log was rewritten after it, or the proof altered"
            )
    return count


def verify_bundle(folder: Path, pins: dict[str, str] | None = None) -> Result:
    """Every check of the module docstring on the bundle in ``folder``; raises BundleError when
    it cannot be read."""
    result = Result()
    manifest = _json_file(folder / "manifest.json")
    if manifest.get("format") != FORMAT:
        raise BundleError(f"manifest.json: not an {FORMAT} bundle ({manifest.get('format')!r})")
    scope = manifest.get("scope")
    log_id = _hex(manifest.get("log_id"), "manifest.json: log_id")
    keys = _read_keys(folder)
    _pin(keys, pins or {}, result)
    if "platform" in keys and key_id(keys["platform"]) != log_id:
        result.fail("the log id is not the platform key's id")
    heads = _read_heads(folder)
    _check_heads(heads, keys, log_id, result)
    platform = [h for h in heads if h.signer == "platform"]
    if not platform:
        result.fail("no platform tree head in the bundle")
        return result
    newest = max(platform, key=lambda h: (h.tree_size, h.timestamp))
    if manifest.get("tree_size") != newest.tree_size:
        result.fail(
            f"manifest.json names tree size {manifest.get('tree_size')}, the newest platform "
            f"head {newest.tree_size:,}"
        )
    if scope == "log":
        n = _check_log(folder, heads, newest.tree_size, result)
        result.notes.append(
            f"{n:,} entries recomputed into the tree; {len(heads):,} signed tree heads checked "
            f"against it; newest: size {newest.tree_size:,}, root {newest.root_hash.hex()}"
        )
    elif scope == "organisation":
        org = str(manifest.get("organisation"))
        n = _check_organisation(folder, org, newest, heads, result)
        result.notes.append(
            f"{n:,} entries of {org} proven included in the log of {newest.tree_size:,} entries "
            f"(root {newest.root_hash.hex()}); {len(heads):,} signed tree heads proven "
            f"consistent with it"
        )
    else:
        raise BundleError(f"manifest.json: unknown scope {scope!r}")
    return result


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="verify_standalone.py",
        description="Verify an OpenKAMP usage-ledger bundle (RFC 9162 Merkle tree, Ed25519).",
    )
    ap.add_argument("bundle", type=Path, help="the bundle folder")
    ap.add_argument("--platform-key", help="the platform's public key or key id you trust (hex)")
    ap.add_argument("--org-key", action="append", default=[], metavar="NAME=HEX",
                    help="an organisation's public key or key id you trust (repeatable)")  # fmt: skip
    args = ap.parse_args(argv)
    pins: dict[str, str] = {}
    if args.platform_key:
        pins["platform"] = args.platform_key
    for item in args.org_key:
        name, sep, value = item.partition("=")
        if not sep:
            ap.error(f"--org-key {item!r}: write NAME=HEX")
        pins[f"org:{name}"] = value
    try:
        result = verify_bundle(args.bundle, pins)
    except BundleError as exc:
        print(f"CANNOT CHECK the bundle {args.bundle}: {exc}", file=sys.stderr)
        return 2
    for note in result.notes:
        print(f"  {note}")
    if result.ok:
        print(f"OK: the bundle {args.bundle} verifies.")
        return 0
    print(f"FAILED: the bundle {args.bundle} does not verify:", file=sys.stderr)
    for problem in result.problems:
        print(f"  - {problem}", file=sys.stderr)
    if result.dropped:
        print(f"  ... and {result.dropped:,} more problems", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
