"""``Ledger.verify`` finds every kind of change made directly in the database (by someone who can
write the file and drops the append-only triggers first): a changed, removed, added or moved
entry, a changed index or stored hash, forged tree heads; and an owner's kept tree head catches
what the database alone cannot show (the newest entries removed with their heads, a history
rewritten and re-signed by the platform's own keys)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from openkamp.core.errors import InvalidInput
from openkamp.sharing import Ledger, ledger, merkle
from openkamp.sharing.verify_standalone import key_id, leaf_hash, tree_head_message
from openkamp.storage.metadata.sql import SqlMetadataStore
from openkamp.storage.testing.sql_backends import BACKENDS, metadata_url

from .ledger_support import World, fill, use, world

BATCHES = [5, 3, 8, 1, 4, 6, 2, 7, 4]  # 40 entries; the fifth batch is acme's


@pytest.fixture(params=BACKENDS)
def w(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[World]:
    monkeypatch.setattr(ledger, "CHUNK", 16)  # several chunks, so tampering meets chunk edges
    for x in world(tmp_path, request.param):
        fill(x, BATCHES)
        assert x.ledger.verify().ok
        yield x


def tamper(w: World, *statements: str, params: tuple[object, ...] = ()) -> None:
    con = w.raw()
    for sql in statements:
        con.execute(sql, params if "?" in sql else ())
    con.commit()
    con.close()


def leaf(w: World, seq: int) -> str:
    with w.connect() as con:
        (text,) = con.execute("SELECT leaf FROM ledger_entries WHERE seq = ?", (seq,)).fetchone()
    return str(text)


def codes(w: World) -> set[str]:
    report = w.ledger.verify()
    assert not report.ok
    return report.codes()


def test_a_changed_leaf(w: World) -> None:
    text = leaf(w, 23).replace('"rows":1023', '"rows":23')  # fewer rows used than were
    tamper(w, "UPDATE ledger_entries SET leaf = ? WHERE seq = 23", params=(text,))
    found = w.ledger.verify()
    assert found.codes() == {"head_root", "node_cache"}
    # every head from the first one covering entry 23 (size 27) on, none before
    wrong = sorted(p.index + 1 for p in found.problems if p.code == "head_root" and p.index)
    assert wrong == [27, 27, 29, 29, 36, 36, 40, 40]


def test_a_changed_leaf_with_its_stored_hash_rewritten(w: World) -> None:
    text = leaf(w, 3).replace('"fee":"1250.50"', '"fee":"12.50"')
    tamper(
        w,
        "UPDATE ledger_entries SET leaf = ? WHERE seq = 3",
        f"UPDATE ledger_nodes SET hash = x'{leaf_hash(text.encode()).hex()}' WHERE id = 6",
        params=(text,),
    )
    assert "head_root" in codes(w)


def test_a_removed_entry(w: World) -> None:
    tamper(
        w, "DELETE FROM ledger_entries WHERE seq = 20", "DELETE FROM ledger_parties WHERE seq = 20"
    )
    found = w.ledger.verify()
    assert {"gap", "head_root"} <= found.codes()
    assert any(p.code == "gap" and p.index == 20 for p in found.problems)


def test_the_last_entries_removed_but_their_heads_kept(w: World) -> None:
    tamper(
        w,
        "DELETE FROM ledger_entries WHERE seq >= 36",
        "DELETE FROM ledger_parties WHERE seq >= 36",
    )
    assert "head_size" in codes(w)


def test_an_entry_inserted_in_the_middle(w: World) -> None:
    # Everything from 10 on moves up by one, and a made-up use takes index 10.
    fake = leaf(w, 10).replace('"rows":1010', '"rows":1')
    tamper(
        w,
        "UPDATE ledger_entries SET seq = seq + 1000 WHERE seq >= 10",
        "UPDATE ledger_entries SET seq = seq - 999 WHERE seq >= 1000",
        "INSERT INTO ledger_entries SELECT 10, kind, org_id, contract, dataset, at, ? "
        "FROM ledger_entries WHERE seq = 11",
        params=(fake,),
    )
    assert {"head_root", "unsigned"} <= codes(w)


def test_an_entry_added_at_the_end(w: World) -> None:
    tamper(
        w,
        "INSERT INTO ledger_entries SELECT 40, kind, org_id, contract, dataset, at, leaf "
        "FROM ledger_entries WHERE seq = 39",
        "INSERT INTO ledger_parties SELECT 40, org_id FROM ledger_parties WHERE seq = 39",
    )
    assert codes(w) == {"unsigned", "node_cache"}  # and its leaf hash was never stored


def test_two_entries_swapped(w: World) -> None:
    tamper(
        w,
        "UPDATE ledger_entries SET seq = -1 WHERE seq = 12",
        "UPDATE ledger_entries SET seq = 12 WHERE seq = 13",
        "UPDATE ledger_entries SET seq = 13 WHERE seq = -1",
    )
    assert "head_root" in codes(w)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_entries SET kind = 'access' WHERE seq = 22",  # it was a training
        "UPDATE ledger_entries SET contract = '18' WHERE seq = 22",
        "UPDATE ledger_entries SET org_id = 3 WHERE seq = 22",
        "UPDATE ledger_entries SET at = '2020-01-01 00:00:00.000000' WHERE seq = 22",
        "DELETE FROM ledger_parties WHERE seq = 22 AND org_id = 1",  # hidden from acme's view
        "INSERT INTO ledger_parties VALUES (22, 3)",
    ],
)
def test_an_index_beside_the_leaves_changed(w: World, sql: str) -> None:
    tamper(w, sql)
    found = w.ledger.verify()
    assert found.codes() == {"index"} and [p.index for p in found.problems] == [22]


def test_a_stored_subtree_hash_changed(w: World) -> None:
    tamper(w, "UPDATE ledger_nodes SET hash = zeroblob(32) WHERE id = 7")  # leaves 0..7
    assert codes(w) == {"node_cache"}
    tamper(w, "DELETE FROM ledger_nodes WHERE id = 47")  # leaves 16..31
    assert "node_cache" in codes(w)


@pytest.mark.parametrize(
    ("sql", "code"),
    [
        ("UPDATE ledger_heads SET root_hash = zeroblob(32) WHERE id = 5", "head_signature"),
        ("UPDATE ledger_heads SET tree_size = tree_size - 1 WHERE id = 5", "head_signature"),
        ("UPDATE ledger_heads SET timestamp_ms = timestamp_ms + 1 WHERE id = 5", "head_signature"),
        ("UPDATE ledger_heads SET signature = zeroblob(64) WHERE id = 6", "head_signature"),
        ("UPDATE ledger_heads SET org_id = 1 WHERE id = 6", "head_key"),  # beta's, as acme's
    ],
)
def test_an_altered_tree_head(w: World, sql: str, code: str) -> None:
    tamper(w, sql)
    assert code in codes(w)


def _forge(w: World, key: Ed25519PrivateKey, *, claim: bytes | None = None) -> None:
    """A platform head of the true tree, signed with ``key`` (claiming key id ``claim``)."""
    head = w.ledger.tree_head()
    assert head is not None
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    message = tree_head_message(w.ledger.log_id, 41, head.timestamp_ms + 1, head.root_hash)
    tamper(
        w,
        "INSERT INTO ledger_heads (org_id, tree_size, root_hash, timestamp_ms, key_id, signature) "
        "VALUES (NULL, 41, ?, ?, ?, ?)",
        params=(head.root_hash, head.timestamp_ms + 1, (claim or key_id(public)).hex(),
                key.sign(message)),
    )  # fmt: skip


def test_a_head_forged_with_another_key(w: World) -> None:
    _forge(w, Ed25519PrivateKey.generate())
    assert "head_key" in codes(w)


def test_a_head_forged_with_another_key_claiming_the_platforms(w: World) -> None:
    _forge(w, Ed25519PrivateKey.generate(), claim=w.ledger.log_id)
    assert "head_signature" in codes(w)


def test_a_truncation_with_its_heads_is_caught_by_a_kept_head(w: World) -> None:
    kept = w.ledger.tree_head()  # the owner exported it
    assert kept is not None and kept.tree_size == 40
    # Back to the tree of 29 entries, as if the last two batches had never been appended.
    hashes = [leaf_hash(leaf(w, i).encode()) for i in range(29)]
    keep = ", ".join(str(i) for i, _ in merkle.extend([], 0, hashes)[1])
    tamper(
        w,
        "DELETE FROM ledger_entries WHERE seq >= 29",
        "DELETE FROM ledger_parties WHERE seq >= 29",
        f"DELETE FROM ledger_nodes WHERE id NOT IN ({keep})",
        "DELETE FROM ledger_heads WHERE tree_size > 29",
    )
    assert w.ledger.verify().ok  # the database alone is coherent again ...
    found = w.ledger.verify(trusted=[kept])  # ... but not with what the owner kept
    assert found.codes() == {"head_size"}
    with pytest.raises(InvalidInput):
        w.ledger.consistency_proof(40)


def test_a_history_rewritten_and_re_signed_by_the_platform_itself(w: World, tmp_path: Path) -> None:
    """The platform, holding every key, builds a second log with one early entry changed and
    signs it: coherent on its own, but the owner's kept head is not a prefix of it."""
    kept = w.ledger.tree_head(w.acme)
    assert kept is not None
    from openkamp.storage import open_metadata

    backend = "postgresql" if w.url.startswith("postgresql") else "sqlite"
    with metadata_url(backend, tmp_path, "rewritten") as url:
        _rewrite(w, open_metadata(url), kept)


def _rewrite(w: World, meta: SqlMetadataStore, kept: ledger.TreeHead) -> None:
    for name in ("acme", "beta", "gamma"):
        meta.create_org(name)
    forged = Ledger.at(meta, w.data_dir)  # the same keys
    k = 0
    for b, n in enumerate(BATCHES):
        if b % 5 == 4:
            forged.append(w.acme, [ledger.Entry("export", dataset="own@1", details={"i": k + i})
                                   for i in range(n)])  # fmt: skip
        else:
            forged.append(w.beta, [use(k + i, w.acme, **({"rows": 1} if k + i == 2 else {}))
                                   for i in range(n)])  # fmt: skip
        k += n
    assert forged.verify().ok
    newest = forged.tree_head()
    assert newest is not None and forged.head_signed(kept) and forged.head_signed(newest)
    assert not forged.consistency_proof(kept.tree_size).verify(kept, newest)
    assert forged.verify(trusted=[kept]).codes() == {"head_root"}
    meta.close()


def test_every_problem_names_the_entry_or_head(w: World) -> None:
    checks: list[Callable[[World], None]] = [
        lambda x: tamper(x, "UPDATE ledger_entries SET kind = 'export' WHERE seq = 30"),
        lambda x: tamper(x, "UPDATE ledger_heads SET root_hash = zeroblob(32) WHERE id = 2"),
    ]
    for check in checks:
        check(w)
    for problem in w.ledger.verify().problems:
        assert problem.message and (problem.index is not None or "tree head" in problem.message)
