"""The usage ledger: every access, export, training and settlement, in a transparency log.

A Merkle-tree log as RFC 9162 (Certificate Transparency 2.0) section 2.1 defines it (leaf hash
``SHA-256(0x00 || leaf)``, node hash ``SHA-256(0x01 || left || right)``), with signed tree heads,
inclusion proofs for any entry and consistency proofs between any two tree sizes::

    ledger = Ledger(meta, LedgerKeys(data_dir / "keys" / "ledger"))
    [(index, leaf_hash)] = ledger.append(org_b, [Entry("training", dataset="press@3",
                                                       contract=17, parties=[org_a])])
    head = ledger.tree_head()                      # signed by the platform
    ledger.inclusion_proof(index).verify(leaf_hash, head)
    ledger.consistency_proof(old_head.tree_size).verify(old_head, head)
    ledger.verify().ok                             # recompute everything from the stored leaves
    ledger.export(folder, org=org_a)               # a bundle for verify_standalone.py

**One log for the whole platform, not one per organisation.** An entry concerns several
organisations (the data's owner and its consumer; a settlement, every owner paid); in one log it
has one position and one proof, and each entry names the organisations it concerns
(``parties``), which is what an organisation's view and export select. Per-organisation logs would
copy each entry into two or more logs that could then disagree, and an owner would need the
consumer's log to see a use of its own data. With one log, any tree head an owner kept (the
platform's, or its own) is proven a prefix of today's by one consistency proof: history before it
cannot have been rewritten, nor an entry concerning the owner removed. Proofs stay O(log n) however
many organisations share the log; an organisation's export carries its own entries and, for the
others, only the hashes on its proof paths.

**Signed tree heads.** Each appended batch is one transaction that ends with two heads of the new
tree, signed with Ed25519: the platform's and the acting organisation's (its co-signature of the
log as it stood after its entries, so each organisation holds a trail of heads in its own name).
The signed bytes are RFC 9162's TreeHeadDataV2 (timestamp, tree size, root) after a context string
and the log id (the platform key's id) — :func:`~openkamp.sharing.verify_standalone.tree_head_message`.
Keys: :mod:`openkamp.sharing.keys`.

**Leaves** are canonical JSON (sorted keys, no spaces, UTF-8 text as is) with the keys ``at``
(ISO 8601 UTC with microseconds and ``Z``), ``contract`` and ``dataset`` (texts, or null),
``details`` (an object), ``kind`` (:data:`KINDS`), ``org`` (the acting organisation's name),
``parties`` (the names of every organisation concerned, sorted, the acting one included) and
``v`` (the format, 1). Floats are refused: amounts are decimal strings (a
:class:`~decimal.Decimal` is written as its exact digits); integers stay within ±(2^53 − 1) so
every JSON reader reads them exactly. Organisations are named by their (unchanging) names, which an
auditor recognises; ids stay inside the platform.

**Storage** (:mod:`openkamp.storage.metadata.ledger`, migration 0009): the leaves, the parties, the
hashes of complete subtrees (:mod:`openkamp.sharing.merkle`) and the heads, append-only. A batch
reads the O(log n) hashes of the tree's right edge, hashes its leaves and the subtrees they
complete, and inserts everything at once; a proof reads O(log n) hashes in one query.

**verify** recomputes the tree from the stored leaves, in chunks of :data:`CHUNK` leaves, and
compares it with every signed tree head (and with heads kept outside, ``trusted``): a leaf changed,
removed, added or moved changes the root of every later head. It also checks the indexes kept
beside the leaves (the columns, the parties, the stored subtree hashes) and that no entry lies past
the newest signed head. What it cannot see alone: the newest entries removed together with their
heads — an owner's kept head catches that (it is larger than the log, or inconsistent with it).

The ledger takes the acting organisation from its caller: the sharing service checks who may
append or read (STYLE: access is checked in services, in one place). Organisation names must not
change once an organisation has ledger entries (nothing renames one today): the leaves name them.

**Our own code, not a library.** pymerkle (PyPI) implements RFC 9162 trees and proofs, but keeps
its tree in its own store (in memory or its own SQLite file), where these entries must commit in
the metadata database's transaction (SQLite or PostgreSQL, Alembic-migrated) together with the
change they record; and the auditor's verifier must run with nothing but the standard library and
``cryptography``, so the verification algorithms had to be written here anyway. What is left,
numbering and assembling proofs from stored subtrees, is :mod:`openkamp.sharing.merkle` (tested
against the Certificate Transparency test vectors and the RFC's recursive definitions).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from json.encoder import encode_basestring as _encode_text  # what json.dumps writes for a text
from pathlib import Path
from typing import Any

from openkamp.core.errors import Conflict, InvalidInput, NotFound, StorageError
from openkamp.sharing import merkle
from openkamp.sharing.keys import LedgerKeys, SigningKey
from openkamp.sharing.verify_standalone import (
    FORMAT,
    MAX_JSON_INT,
    canonical_json,
    key_id,
    leaf_hash,
    signature_ok,
    tree_head_message,
)
from openkamp.storage.metadata.base import MetadataStore
from openkamp.storage.metadata.ledger import (
    EntryRow,
    HeadRow,
    LedgerStore,
    ScanRow,
    ledger_store,
)

__all__ = [
    "CHUNK",
    "KINDS",
    "ConsistencyProof",
    "Entry",
    "InclusionProof",
    "Ledger",
    "LedgerEntry",
    "Problem",
    "TreeHead",
    "VerifyReport",
]

#: What the ledger records.
KINDS = ("access", "export", "training", "settlement")
LEAF_VERSION = 1
MAX_LEAF_BYTES = 64 * 1024
#: Leaves per verification chunk (a power of two): bounds verify's memory, not its result.
CHUNK = 1 << 16
_PROOF_PAGE = 512  # entries whose proofs one query serves, in an export
_RETRIES = 5  # appends tried when another process wrote first


# -- values ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """An entry to append: what happened (``kind``), to which dataset, under which contract,
    with ``details``; ``parties`` are the other organisations concerned (ids); ``at`` defaults
    to now."""

    kind: str
    dataset: str | int | None = None
    contract: str | int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    parties: Sequence[int] = ()
    at: datetime | None = None


@dataclass(frozen=True)
class LedgerEntry:
    """A stored entry, as its leaf says, with its index in the log."""

    index: int
    kind: str
    org: str
    parties: tuple[str, ...]
    contract: str | None
    dataset: str | None
    details: dict[str, Any]
    at: datetime
    leaf: str  # the canonical JSON text: its UTF-8 bytes are the Merkle leaf

    @property
    def leaf_hash(self) -> bytes:
        return leaf_hash(self.leaf.encode("utf-8"))


@dataclass(frozen=True)
class TreeHead:
    """A signed tree head: ``signer`` is ``platform`` or ``org:<name>``."""

    signer: str
    tree_size: int
    root_hash: bytes
    timestamp_ms: int
    key_id: bytes
    signature: bytes

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp_ms / 1000, UTC)

    def message(self, log_id: bytes) -> bytes:
        return tree_head_message(log_id, self.tree_size, self.timestamp_ms, self.root_hash)

    def to_json(self) -> dict[str, Any]:
        """The head as a bundle's ``heads.jsonl`` holds it (hashes and signature in hex)."""
        return {"signer": self.signer, "tree_size": self.tree_size,
                "root_hash": self.root_hash.hex(), "timestamp": self.timestamp_ms,
                "key_id": self.key_id.hex(), "signature": self.signature.hex()}  # fmt: skip

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> TreeHead:
        try:
            return cls(
                signer=str(obj["signer"]), tree_size=int(obj["tree_size"]),
                root_hash=bytes.fromhex(obj["root_hash"]), timestamp_ms=int(obj["timestamp"]),
                key_id=bytes.fromhex(obj["key_id"]), signature=bytes.fromhex(obj["signature"]),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(
                f"Not a tree head: {exc}", code="ledger.bad_head", params={"reason": str(exc)}
            ) from exc


@dataclass(frozen=True)
class InclusionProof:
    """``path`` proves that entry ``index`` is in the tree of ``tree_size`` leaves."""

    index: int
    tree_size: int
    path: tuple[bytes, ...]

    def verify(self, leaf_hash_: bytes, head: TreeHead) -> bool:
        """Whether the proof leads from the leaf hash to ``head``'s root (not its signature:
        :meth:`Ledger.head_signed`)."""
        return head.tree_size == self.tree_size and merkle.verify_inclusion(
            leaf_hash_, self.index, self.tree_size, self.path, head.root_hash
        )

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "tree_size": self.tree_size,
                "path": [h.hex() for h in self.path]}  # fmt: skip


@dataclass(frozen=True)
class ConsistencyProof:
    """``path`` proves that the tree of ``old_size`` leaves is a prefix of that of ``new_size``."""

    old_size: int
    new_size: int
    path: tuple[bytes, ...]

    def verify(self, old: TreeHead, new: TreeHead) -> bool:
        """Whether ``old``'s tree is a prefix of ``new``'s (signatures: :meth:`Ledger.head_signed`)."""
        return (old.tree_size, new.tree_size) == (self.old_size, self.new_size) and (
            merkle.verify_consistency(
                self.old_size, self.new_size, old.root_hash, new.root_hash, self.path
            )
        )

    def to_json(self) -> dict[str, Any]:
        return {"old_size": self.old_size, "new_size": self.new_size,
                "proof": [h.hex() for h in self.path]}  # fmt: skip


@dataclass(frozen=True)
class Problem:
    """One finding of :meth:`Ledger.verify`: a stable ``code``, a message, the entry if any."""

    code: str
    message: str
    index: int | None = None


@dataclass
class VerifyReport:
    """What :meth:`Ledger.verify` found; ``ok`` when nothing."""

    tree_size: int = 0
    entries_checked: int = 0
    heads_checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    more: int = 0  # problems beyond the first 100, counted only

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, code: str, message: str, index: int | None = None) -> None:
        if len(self.problems) < 100:
            self.problems.append(Problem(code, message, index))
        else:
            self.more += 1

    def codes(self) -> set[str]:
        return {p.code for p in self.problems}


# -- the ledger ---------------------------------------------------------------------------------


class Ledger:
    """The platform's usage ledger over a metadata store and a key folder (module docstring)."""

    def __init__(self, meta: MetadataStore, keys: LedgerKeys) -> None:
        self.meta = meta
        self.keys = keys
        self.store: LedgerStore = ledger_store(meta)
        self._names: dict[int, str] = {}

    @classmethod
    def at(cls, meta: MetadataStore, data_dir: str | Path) -> Ledger:
        """The ledger with its keys in ``<data_dir>/keys/ledger``."""
        return cls(meta, LedgerKeys(Path(data_dir) / "keys" / "ledger"))

    @property
    def log_id(self) -> bytes:
        """The log's id: the platform key's id (made with the key on first use)."""
        return self.keys.signer(None).key_id

    # -- writing ----------------------------------------------------------------------------

    def append(self, org: int, entries: Sequence[Entry]) -> list[tuple[int, bytes]]:
        """Append entries acted by organisation ``org`` as one batch, with a tree head signed by
        the platform and one by ``org``; returns each entry's index and leaf hash. Joins the
        caller's transaction if one is open (the entries commit with it, or not at all). When
        another process appended first, tries again (a few times) if the transaction is its
        own, else raises Conflict ``ledger.busy`` for the caller to redo its transaction."""
        if not entries:
            return []
        acting = self._name(org)
        rows: list[tuple[Entry, datetime, str, list[int]]] = []
        for entry in entries:
            at = _utc(entry.at) if entry.at is not None else datetime.now(UTC)
            party_ids = sorted({int(org), *(int(p) for p in entry.parties)})
            leaf = _leaf(entry, acting, [self._name(p) for p in party_ids], at)
            rows.append((entry, at, leaf, party_ids))
        hashes = [leaf_hash(leaf.encode("utf-8")) for _, _, leaf, _ in rows]
        platform, own = self.keys.signer(None), self.keys.signer(org)
        for attempt in range(_RETRIES):
            try:
                n = self._write(int(org), rows, hashes, platform, own)
                break
            except Conflict as exc:
                # Another process appended between this one's read of the log's size and its
                # write (SQLite: each process has its own writer). Try again on the new size,
                # unless the caller's transaction holds other changes: then it is theirs to redo.
                if exc.code != "ledger.busy" or self.store.in_transaction():
                    raise
                if attempt == _RETRIES - 1:
                    raise
                time.sleep(0.005 * (attempt + 1))
        return [(n + i, h) for i, h in enumerate(hashes)]

    def _write(
        self,
        org: int,
        rows: list[tuple[Entry, datetime, str, list[int]]],
        hashes: list[bytes],
        platform: SigningKey,
        own: SigningKey,
    ) -> int:
        """One batch in one transaction: its entries, parties, subtree hashes and two signed
        heads; returns the index of its first entry."""
        with self.store.writing():
            n = self.store.size()
            edge = self._edge(n)
            edge, nodes, size = merkle.extend(edge, n, hashes)
            root = merkle.fold(edge)
            stamp = max(int(time.time() * 1000), self.store.last_timestamp())
            message = tree_head_message(platform.key_id, size, stamp, root)
            heads = [
                HeadRow(None, size, root, stamp, platform.key_id.hex(), platform.sign(message)),
                HeadRow(org, size, root, stamp, own.key_id.hex(), own.sign(message)),
            ]
            self.store.insert(
                [
                    EntryRow(n + i, e.kind, org, _text(e.contract), _text(e.dataset), at, leaf)
                    for i, (e, at, leaf, _) in enumerate(rows)
                ],
                [(n + i, p) for i, (_, _, _, ps) in enumerate(rows) for p in ps],
                nodes,
                heads,
            )
        return n

    def _edge(self, size: int) -> list[bytes]:
        ids = merkle.frontier_ranges(size)
        found = self.store.node_hashes(ids)
        if len(found) != len(ids):
            raise StorageError(
                f"The ledger's stored hashes of its {size:,} entries are incomplete; "
                f"nothing was appended.",
                hint="Run the ledger's verify to see what is wrong.",
                code="ledger.damaged",
            )
        return [found[i] for i in ids]

    # -- reading ----------------------------------------------------------------------------

    def size(self) -> int:
        """Number of entries in the log."""
        return self.store.size()

    def tree_head(self, org: int | None = None) -> TreeHead | None:
        """The newest signed tree head of the platform, or of organisation ``org``."""
        row = self.store.last_head(org)
        return None if row is None else self._head(row)

    def heads(self, org: int | None = None) -> list[TreeHead]:
        """Every signed tree head of the platform (or of ``org``), by tree size."""
        return [self._head(r) for r in self.store.heads(org)]

    def entries(self, org: int, *, after: int = -1, limit: int = 100) -> list[LedgerEntry]:
        """The entries concerning organisation ``org`` (acting or a party), by index."""
        return [_entry(r) for r in self.store.entries_of(org, after=after, limit=limit)]

    def entry(self, index: int) -> LedgerEntry:
        rows = self.store.entries_between(int(index), int(index) + 1)
        if not rows:
            raise NotFound(
                f"No ledger entry {index}.", code="ledger.no_entry", params={"index": index}
            )
        return _entry(rows[0])

    def head_signed(self, head: TreeHead) -> bool:
        """Whether ``head`` carries a valid signature of its signer's key, held here."""
        org = self._signer_org(head.signer)
        if org is False:
            return False
        public = self.keys.public_key(org)
        return (
            public is not None
            and head.key_id == key_id(public)
            and signature_ok(public, head.message(self.log_id), head.signature)
        )

    def public_keys(self, orgs: Iterable[int] | None = None) -> list[dict[str, str]]:
        """The platform's public key and those of ``orgs`` (default: every organisation with a
        key), as a bundle's ``keys.json`` lists them."""
        out = []
        wanted: list[int | None] = [None]
        if orgs is None:
            wanted += [o["id"] for o in self.meta.list_orgs()]
        else:
            wanted += [int(o) for o in orgs]
        for org in wanted:
            public = self.keys.signer(None).public if org is None else self.keys.public_key(org)
            if public is not None:
                signer = "platform" if org is None else f"org:{self._name(org)}"
                out.append({"signer": signer, "key_id": key_id(public).hex(),
                            "public_key": public.hex()})  # fmt: skip
        return out

    # -- proofs -----------------------------------------------------------------------------

    def inclusion_proof(self, index: int, size: int | None = None) -> InclusionProof:
        """Proof that entry ``index`` is in the tree of ``size`` leaves (default: the newest
        platform tree head's size)."""
        size = self._proof_size(size)
        if not 0 <= index < size:
            raise NotFound(
                f"No ledger entry {index} in a tree of {size:,} entries.",
                code="ledger.no_entry",
                params={"index": index},
            )
        ranges = merkle.inclusion_ranges(index, size)
        return InclusionProof(index, size, tuple(self._range_hashes(ranges)))

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> ConsistencyProof:
        """Proof that the tree of ``old_size`` leaves is a prefix of that of ``new_size``
        (default: the newest platform tree head's size)."""
        new_size = self._proof_size(new_size)
        if not 0 <= old_size <= new_size:
            raise InvalidInput(
                f"No consistency proof from {old_size:,} to {new_size:,} entries.",
                code="ledger.bad_sizes",
                params={"old": old_size, "new": new_size},
            )
        ranges = merkle.consistency_ranges(old_size, new_size)
        return ConsistencyProof(old_size, new_size, tuple(self._range_hashes(ranges)))

    def _proof_size(self, size: int | None) -> int:
        if size is None:
            head = self.store.last_head(None)
            return 0 if head is None else head.tree_size
        have = self.store.size()
        if not 0 <= size <= have:
            raise InvalidInput(
                f"The ledger has no tree of {size:,} entries ({have:,} now).",
                code="ledger.bad_size",
                params={"size": size, "have": have},
            )
        return int(size)

    def _range_hashes(self, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        parts = [merkle.range_ids(lo, m) for lo, m in ranges]
        found = self.store.node_hashes([i for ids in parts for i in ids])
        try:
            return [merkle.fold([found[i] for i in ids]) for ids in parts]
        except KeyError:
            raise StorageError(
                "The ledger's stored hashes are incomplete.",
                hint="Run the ledger's verify to see what is wrong.",
                code="ledger.damaged",
            ) from None

    # -- verification -----------------------------------------------------------------------

    def verify(self, trusted: Iterable[TreeHead] = ()) -> VerifyReport:
        """Recompute the tree from every stored leaf and check it against every signed tree head
        (and the ``trusted`` heads kept outside), the signatures, and the indexes kept beside the
        leaves. Never raises for what it finds: the report lists it."""
        t0 = time.perf_counter()
        report = VerifyReport()
        names = {int(o["id"]): str(o["name"]) for o in self.meta.list_orgs()}
        n = report.tree_size = self.store.size()
        heads = [self._head(r, names) for r in self.store.heads()]
        extra = list(trusted)
        self._check_signatures(heads + extra, report)
        report.heads_checked = len(heads) + len(extra)
        at_size: dict[int, list[TreeHead]] = {}
        for head in heads + extra:
            at_size.setdefault(head.tree_size, []).append(head)
        for head in at_size.pop(0, []):
            if head.root_hash != merkle.EMPTY_ROOT:
                report.add("head_root", f"{_label(head)}: the empty tree has another root")
        newest = max((h.tree_size for h in heads if h.signer == "platform"), default=0)
        edge: list[bytes] = []  # hashes of the complete subtrees before the chunk
        expected = 0
        for lo in range(0, n, CHUNK):
            rows = self.store.scan(lo, lo + CHUNK)
            for row in rows:
                if row[0] != expected:
                    report.add("gap", f"entries {expected:,} to {row[0] - 1:,} are missing "
                               f"(removed, or the entries after them were moved)", expected)  # fmt: skip
                    expected = row[0]
                expected += 1
            hashes = [leaf_hash(r[6].encode("utf-8")) for r in rows]
            self._check_indexes(rows, names, report)
            nodes, tops = merkle.chunk_nodes(lo, hashes)
            self._check_nodes(lo, nodes, report)
            for size in sorted(s for s in at_size if lo < s <= lo + len(rows)):
                # the parts of [lo, size) are complete subtrees inside the chunk: never None
                part = [nodes[i - 2 * lo] or b"" for i in merkle.range_ids(lo, size - lo)]
                root = merkle.fold(edge + part)
                for head in at_size.pop(size):
                    if head.root_hash != root:
                        report.add("head_root", f"{_label(head)}: the stored entries give "
                                   f"another root: an entry up to {size - 1:,} was changed, "
                                   f"removed, added or moved", size - 1)  # fmt: skip
            edge = _merge_edge(edge, tops, lo, len(rows))
            report.entries_checked += len(rows)
        for _, missing in sorted(at_size.items()):
            for head in missing:
                report.add("head_size", f"{_label(head)}: the log holds only {n:,} entries "
                           f"(entries were removed since)", n)  # fmt: skip
        if n > newest:
            report.add("unsigned", f"entries {newest:,} to {n - 1:,} are not covered by a signed "
                       f"tree head", newest)  # fmt: skip
        report.seconds = time.perf_counter() - t0
        return report

    def _check_nodes(self, lo: int, nodes: list[bytes | None], report: VerifyReport) -> None:
        """The stored subtree hashes of a chunk are exactly those its leaves give."""
        hi = 2 * lo + len(nodes)
        if None not in nodes:  # a whole chunk: every id of the range is a complete subtree
            if self.store.node_hashes_between(2 * lo, hi) == nodes:
                return
        elif self.store.nodes_between(2 * lo, hi) == [
            (2 * lo + p, h) for p, h in enumerate(nodes) if h is not None
        ]:
            return
        have = dict(self.store.nodes_between(2 * lo, hi))
        want = {2 * lo + p: h for p, h in enumerate(nodes) if h is not None}
        bad = sorted(i for i in have.keys() | want.keys() if have.get(i) != want.get(i))
        report.add("node_cache", f"{len(bad):,} stored subtree hashes between entries {lo:,} and "
                   f"{lo + (len(nodes) + 1) // 2 - 1:,} differ from the leaves'", bad[0] // 2)  # fmt: skip

    def _check_signatures(self, heads: Sequence[TreeHead], report: VerifyReport) -> None:
        log_id = self.log_id
        last: dict[str, tuple[int, int]] = {}
        for head in sorted(heads, key=lambda h: (h.tree_size, h.timestamp_ms)):
            org = self._signer_org(head.signer)
            public = None if org is False else self.keys.public_key(org)
            if public is None:
                report.add("head_key", f"{_label(head)}: no key of its signer is held here")
            elif head.key_id != key_id(public):
                report.add("head_key", f"{_label(head)}: signed with another key than its "
                           f"signer's ({head.key_id.hex()[:16]}…)")  # fmt: skip
            elif not signature_ok(public, head.message(log_id), head.signature):
                report.add("head_signature", f"{_label(head)}: the signature does not match "
                           f"(a forged or altered head)")  # fmt: skip
            prev = last.get(head.signer)
            if prev is not None and head.timestamp_ms < prev[1]:
                report.add(
                    "head_time", f"{_label(head)}: dated before the head of size {prev[0]:,}"
                )
            last[head.signer] = (head.tree_size, head.timestamp_ms)

    def _check_indexes(
        self, rows: Sequence[ScanRow], names: Mapping[int, str], report: VerifyReport
    ) -> None:
        """The columns and parties kept beside each leaf say what the leaf says: the leaf's
        canonical text starts with the head and ends with the tail rebuilt from them. (A leaf is
        canonical JSON, checked against the signed heads by its hash; tokens are read left to
        right without ambiguity, so an equal head means equal values, and the tail's key
        ``"kind"`` cannot occur unescaped inside a text value, so an equal tail does too.)"""
        # Few distinct (kind, organisations) and (contract, dataset) recur: their texts are
        # made once.
        tails: dict[tuple[str, int, str | None], str] = {}
        refs: dict[tuple[str | None, str | None], str] = {}
        for seq, kind, org_id, contract, dataset, at, leaf, party_ids in rows:
            key = (kind, org_id, party_ids)
            tail = tails.get(key)
            if tail is None:
                ids = [int(i) for i in party_ids.split(",")] if party_ids else []
                party_names = sorted(names.get(o, f"#{o}") for o in ids)
                tail = tails[key] = leaf_tail(kind, names.get(org_id, f"#{org_id}"), party_names)
            ref = refs.get((contract, dataset))
            if ref is None:
                ref = refs[contract, dataset] = leaf_head("", contract, dataset)[len('{"at":""') :]
            start = f'{{"at":"{at}"'
            if not (
                leaf.startswith(start) and leaf.startswith(ref, len(start)) and leaf.endswith(tail)
            ):
                report.add("index", f"entry {seq:,}: its stored columns or parties (kind, "
                           f"organisations, contract, dataset, time) differ from its leaf", seq)  # fmt: skip

    # -- export -----------------------------------------------------------------------------

    def export(self, folder: str | Path, org: int | None = None) -> Path:
        """Write an auditor's bundle into ``folder`` (made if missing, must be empty): every
        entry and tree head (``org`` None), or the entries concerning ``org`` with their
        inclusion proofs, its tree heads and their consistency proofs. Check it with
        ``python verify_standalone.py FOLDER`` (:mod:`openkamp.sharing.verify_standalone`)."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        if any(out.iterdir()):
            raise InvalidInput(
                f"The folder {out} is not empty; give an empty one.",
                code="ledger.export_not_empty",
                params={"folder": str(out)},
            )
        newest = self.store.last_head(None)
        if newest is None:
            raise NotFound("The ledger has no entries yet.", code="ledger.empty")
        size = newest.tree_size
        names = {int(o["id"]): str(o["name"]) for o in self.meta.list_orgs()}
        if org is None:
            head_rows = [h for h in self.store.heads() if h.tree_size <= size]
            key_orgs = sorted({h.org_id for h in head_rows if h.org_id is not None})
        else:
            head_rows = [h for h in self.store.heads(org) if h.tree_size <= size] + [newest]
            key_orgs = [int(org)]
        heads = [self._head(r, names) for r in head_rows]
        with (out / "heads.jsonl").open("w", encoding="utf-8") as f:
            for head in heads:
                f.write(json.dumps(head.to_json()) + "\n")
        with (out / "entries.jsonl").open("w", encoding="utf-8") as f:
            if org is None:
                for lo in range(0, size, CHUNK):
                    for row in self.store.entries_between(lo, min(size, lo + CHUNK)):
                        f.write(json.dumps({"index": row.seq, "leaf": row.leaf},
                                           ensure_ascii=False) + "\n")  # fmt: skip
            else:
                after = -1
                while True:
                    page = [r for r in self.store.entries_of(org, after=after, limit=_PROOF_PAGE)
                            if r.seq < size]  # fmt: skip
                    if not page:
                        break
                    proofs = self._inclusion_paths([r.seq for r in page], size)
                    for row, path in zip(page, proofs, strict=True):
                        f.write(json.dumps({"index": row.seq, "leaf": row.leaf,
                                            "inclusion_proof": [h.hex() for h in path]},
                                           ensure_ascii=False) + "\n")  # fmt: skip
                    after = page[-1].seq
        if org is not None:
            with (out / "consistency.jsonl").open("w", encoding="utf-8") as f:
                for old in sorted({h.tree_size for h in heads if 0 < h.tree_size < size}):
                    f.write(json.dumps(self.consistency_proof(old, size).to_json()) + "\n")
        keys = self.public_keys(key_orgs)
        (out / "keys.json").write_text(json.dumps({"keys": keys}, indent=1) + "\n", "utf-8")
        manifest = {
            "format": FORMAT,
            "scope": "log" if org is None else "organisation",
            "organisation": None if org is None else names.get(int(org)),
            "log_id": self.log_id.hex(),
            "tree_size": size,
            "exported_at": _iso(datetime.now(UTC)),
        }
        (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", "utf-8")
        return out

    def _inclusion_paths(self, indices: Sequence[int], size: int) -> list[list[bytes]]:
        """Inclusion proofs of many entries, their stored hashes read in one query."""
        plans = [[merkle.range_ids(lo, m) for lo, m in merkle.inclusion_ranges(i, size)]
                 for i in indices]  # fmt: skip
        found = self.store.node_hashes(sorted({i for p in plans for ids in p for i in ids}))
        return [[merkle.fold([found[i] for i in ids]) for ids in p] for p in plans]

    # -- helpers ----------------------------------------------------------------------------

    def _name(self, org: int) -> str:
        name = self._names.get(int(org))
        if name is None:
            name = self._names[int(org)] = str(self.meta.get_org(int(org))["name"])
        return name

    def _signer_org(self, signer: str) -> int | bool | None:
        """The organisation id of a signer label (None: the platform; False: unknown)."""
        if signer == "platform":
            return None
        name = signer.removeprefix("org:")
        if name == signer:
            return False
        org = self.meta.find_org(name)
        return False if org is None else int(org["id"])

    def _head(self, row: HeadRow, names: Mapping[int, str] | None = None) -> TreeHead:
        if row.org_id is None:
            signer = "platform"
        else:
            name = names.get(row.org_id) if names is not None else None
            signer = f"org:{name if name is not None else self._name(row.org_id)}"
        return TreeHead(signer, row.tree_size, row.root_hash, row.timestamp_ms,
                        bytes.fromhex(row.key_id), row.signature)  # fmt: skip


def _merge_edge(edge: list[bytes], tops: list[bytes], lo: int, length: int) -> list[bytes]:
    """The right edge after the chunk of ``length`` leaves at ``lo``: a full chunk is one
    subtree that merges with the equal-sized ones before it (``lo`` is aligned, so the edge
    folds like a binary counter); a shorter chunk is the last, and its parts follow."""
    if length != CHUNK:
        return edge + tops
    sizes = merkle.parts(lo)
    hashes = list(edge)
    h, width = tops[0], CHUNK
    while sizes and sizes[-1] == width:
        sizes.pop()
        h = merkle.node_hash(hashes.pop(), h)
        width <<= 1
    return [*hashes, h]


def _label(head: TreeHead) -> str:
    return f"tree head of {head.signer} at size {head.tree_size:,}"


# -- leaves ---------------------------------------------------------------------------------------


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def _iso(at: datetime) -> str:
    return _utc(at).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _json_text(value: str | None) -> str:
    return "null" if value is None else _encode_text(value)


def leaf_head(at: str, contract: str | None, dataset: str | None) -> str:
    """A leaf's canonical text before its details: ``{"at":…,"contract":…,"dataset":…,"details":``."""
    return (
        f'{{"at":{_encode_text(at)},"contract":{_json_text(contract)},'
        f'"dataset":{_json_text(dataset)},"details":'
    )


def leaf_tail(kind: str, org: str, parties: Sequence[str]) -> str:
    """A leaf's canonical text after its details: ``,"kind":…,"org":…,"parties":[…],"v":1}``."""
    names = ",".join(map(_encode_text, parties))
    return f',"kind":{_encode_text(kind)},"org":{_encode_text(org)},"parties":[{names}],"v":1}}'


def _leaf(entry: Entry, org: str, parties: list[str], at: datetime) -> str:
    """The canonical leaf of an entry: exactly ``canonical_json`` of its object, written as head
    + details + tail (the keys sort that way), so that verify can rebuild head and tail from the
    stored columns and compare texts instead of parsing a million leaves."""
    if entry.kind not in KINDS:
        raise InvalidInput(
            f"Unknown ledger entry kind {entry.kind!r}; known: {', '.join(KINDS)}.",
            code="ledger.bad_kind",
            params={"kind": entry.kind, "kinds": ", ".join(KINDS)},
        )
    refs = {}
    for name, ref in (("dataset", entry.dataset), ("contract", entry.contract)):
        if ref is not None and (isinstance(ref, bool) or not isinstance(ref, str | int)):
            raise _bad_value(name, "a text or an integer")
        refs[name] = _text(ref)
    details = _plain(dict(entry.details), "details")
    text = (
        leaf_head(_iso(at), refs["contract"], refs["dataset"])
        + canonical_json(details)
        + leaf_tail(entry.kind, org, sorted(set(parties)))
    )
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise _bad_value("details", "text without lone surrogate characters") from None
    if size > MAX_LEAF_BYTES:
        raise InvalidInput(
            f"A ledger entry is {size:,} bytes; at most {MAX_LEAF_BYTES:,}.",
            code="ledger.too_large",
            params={"size": size, "limit": MAX_LEAF_BYTES},
        )
    return text


def _plain(value: Any, where: str) -> Any:
    """``value`` as plain JSON values with no float: Decimals and times become strings."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)  # a StrEnum's value, not the member
    if isinstance(value, int):
        if abs(value) > MAX_JSON_INT:
            raise _bad_value(where, f"an integer within ±{MAX_JSON_INT} (larger: a decimal text)")
        return int(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _bad_value(where, "a finite amount")
        return format(value, "f")
    if isinstance(value, float):
        raise InvalidInput(
            f"The ledger entry's {where} holds a float ({value!r}); amounts are decimal texts.",
            code="ledger.float",
            params={"field": where},
        )
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise _bad_value(where, "an object with text keys")
            out[str(k)] = _plain(v, f"{where}.{k}")
        return out
    if isinstance(value, list | tuple):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise _bad_value(where, "JSON values (text, integer, decimal, true/false, list, object)")


def _bad_value(where: str, want: str) -> InvalidInput:
    return InvalidInput(
        f"The ledger entry's {where} must be {want}.",
        code="ledger.bad_value",
        params={"field": where, "want": want},
    )


def _entry(row: EntryRow) -> LedgerEntry:
    obj = json.loads(row.leaf)
    return LedgerEntry(
        index=row.seq, kind=obj["kind"], org=obj["org"], parties=tuple(obj["parties"]),
        contract=obj["contract"], dataset=obj["dataset"], details=obj["details"],
        at=datetime.fromisoformat(obj["at"]), leaf=row.leaf,
    )  # fmt: skip
