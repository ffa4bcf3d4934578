"""The usage ledger: appends with signed tree heads, canonical leaves, proofs, an organisation's
view, transactions, keys, and the migration that makes its tables."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command

from openkamp.core.errors import InvalidInput, NotFound
from openkamp.i18n import MESSAGES, error_text
from openkamp.sharing import Entry, Ledger, LedgerKeys, TreeHead, ledger
from openkamp.sharing.verify_standalone import canonical_json, key_id, parse_leaf
from openkamp.storage.metadata.migrate import alembic_config
from openkamp.storage.testing.sql_backends import BACKENDS

from .ledger_support import World, fill, use, world

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(params=BACKENDS)
def w(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[World]:
    yield from world(tmp_path, request.param)


def test_append_gives_indices_and_leaf_hashes_and_two_signed_heads(w: World) -> None:
    got = w.ledger.append(w.beta, [use(0, w.acme), use(1, w.acme), use(2, w.acme)])
    assert [i for i, _ in got] == [0, 1, 2]
    for index, leaf_hash in got:
        assert w.ledger.entry(index).leaf_hash == leaf_hash
    platform, own = w.ledger.tree_head(), w.ledger.tree_head(w.beta)
    assert platform is not None and own is not None
    assert (platform.signer, own.signer) == ("platform", "org:beta")
    assert platform.tree_size == own.tree_size == 3 and platform.root_hash == own.root_hash
    assert platform.key_id != own.key_id and platform.key_id == w.ledger.log_id
    assert w.ledger.head_signed(platform) and w.ledger.head_signed(own)
    assert w.ledger.tree_head(w.acme) is None  # acme has not acted yet
    got = w.ledger.append(w.acme, [Entry("export", dataset="own@1")])
    assert got[0][0] == 3 and w.ledger.size() == 4
    assert [h.tree_size for h in w.ledger.heads()] == [3, 4]
    assert [h.tree_size for h in w.ledger.heads(w.acme)] == [4]
    assert w.ledger.append(w.beta, []) == []


def test_leaves_are_canonical_json_naming_organisations(w: World) -> None:
    at = datetime(2026, 12, 6, 10, 30, 0, 123456, tzinfo=UTC)
    entry = Entry(
        "settlement",
        contract=17,
        dataset=None,
        parties=[w.acme, w.gamma],
        details={"amount_krw": Decimal("1234567.00"), "period": date(2026, 11, 1),
                 "lines": [{"owner": "acme", "share": "0.625"}], "note": "정산 \u2028 완료"},
        at=at,
    )  # fmt: skip
    [(index, _)] = w.ledger.append(w.beta, [entry])
    leaf = w.ledger.entry(index).leaf
    obj = parse_leaf(leaf)  # canonical, or it raises
    assert leaf == canonical_json(obj)
    assert list(obj) == sorted(obj)
    assert obj == {
        "at": "2026-12-06T10:30:00.123456Z",
        "contract": "17",
        "dataset": None,
        "details": {"amount_krw": "1234567.00", "lines": [{"owner": "acme", "share": "0.625"}],
                    "note": "정산 \u2028 완료", "period": "2026-11-01"},
        "kind": "settlement",
        "org": "beta",
        "parties": ["acme", "beta", "gamma"],
        "v": 1,
    }  # fmt: skip
    assert "\\u" not in leaf  # UTF-8 text as is
    e = w.ledger.entry(index)
    assert (e.kind, e.org, e.parties, e.contract, e.at) == (
        "settlement", "beta", ("acme", "beta", "gamma"), "17", at,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        (Entry("access", details={"price": 12.5}), "ledger.float"),
        (Entry("access", details={"lines": [{"share": 0.5}]}), "ledger.float"),
        (Entry("download"), "ledger.bad_kind"),
        (Entry("access", details={"rows": 2**53}), "ledger.bad_value"),
        (Entry("access", details={"fee": Decimal("NaN")}), "ledger.bad_value"),
        (Entry("access", details={1: "x"}), "ledger.bad_value"),
        (Entry("access", details={"x": object()}), "ledger.bad_value"),
        (Entry("access", details={"x": "\ud800"}), "ledger.bad_value"),
        (Entry("access", dataset=1.5), "ledger.bad_value"),  # type: ignore[arg-type]
        (Entry("access", details={"x": "가" * 30_000}), "ledger.too_large"),
    ],
)
def test_bad_entries_are_refused_with_a_code_and_nothing_is_written(
    w: World, entry: Entry, code: str
) -> None:
    w.ledger.append(w.beta, [use(0, w.acme)])
    with pytest.raises(InvalidInput) as caught:
        w.ledger.append(w.beta, [use(1, w.acme), entry])
    assert caught.value.code == code
    assert f"err.{code}" in MESSAGES
    for lang in ("ko", "en"):
        message, _ = error_text(caught.value, lang)
        assert message and "{" not in message
    assert w.ledger.size() == 1 and len(w.ledger.heads()) == 1
    with pytest.raises(NotFound):
        w.ledger.append(w.beta, [Entry("access", parties=[9999])])
    assert w.ledger.verify().ok


def test_inclusion_proofs_of_every_entry_against_every_signed_head(w: World) -> None:
    sizes = fill(w, [1, 2, 3, 7, 1, 16, 5, 9, 2, 30])
    heads = {h.tree_size: h for h in w.ledger.heads()}
    assert sorted(heads) == sizes
    for size in (sizes[2], sizes[5], sizes[-1]):
        for index in range(size):
            proof = w.ledger.inclusion_proof(index, size)
            assert proof.verify(w.ledger.entry(index).leaf_hash, heads[size])
            assert not proof.verify(w.ledger.entry((index + 1) % size).leaf_hash, heads[size])
    newest = w.ledger.tree_head()
    assert newest is not None and w.ledger.inclusion_proof(0).tree_size == newest.tree_size
    with pytest.raises(NotFound) as caught:
        w.ledger.inclusion_proof(sizes[-1])
    assert caught.value.code == "ledger.no_entry"
    with pytest.raises(InvalidInput):
        w.ledger.inclusion_proof(0, sizes[-1] + 1)


def test_an_old_head_kept_by_the_owner_is_proven_consistent(w: World) -> None:
    fill(w, [3, 4, 2, 5, 1])  # the fifth batch is acme's
    kept = w.ledger.tree_head(w.acme)
    assert kept is not None
    kept = TreeHead.from_json(json.loads(json.dumps(kept.to_json())))  # as the owner stored it
    fill(w, [6, 1, 8], start=15)
    newest = w.ledger.tree_head()
    assert newest is not None and newest.tree_size == 30
    proof = w.ledger.consistency_proof(kept.tree_size)
    assert proof.verify(kept, newest) and w.ledger.head_signed(kept)
    forged = TreeHead(kept.signer, kept.tree_size, bytes(32), kept.timestamp_ms, kept.key_id,
                      kept.signature)  # fmt: skip
    assert not proof.verify(forged, newest) and not w.ledger.head_signed(forged)
    for old in range(0, 31):
        assert w.ledger.consistency_proof(old, 30).new_size == 30
    with pytest.raises(InvalidInput):
        w.ledger.consistency_proof(31)


def test_an_organisation_sees_the_entries_that_concern_it(w: World) -> None:
    fill(w, [4, 3, 2, 1, 5])  # 10 uses by beta of acme's data, then 5 exports by acme
    w.ledger.append(w.gamma, [Entry("export", dataset="g@1")])
    acme = w.ledger.entries(w.acme, limit=100)
    assert [e.index for e in acme] == list(range(15))
    beta = w.ledger.entries(w.beta, limit=100)
    assert [e.index for e in beta] == list(range(10))
    assert all(e.org == "beta" and "acme" in e.parties for e in beta)
    assert [e.index for e in w.ledger.entries(w.gamma)] == [15]
    page = w.ledger.entries(w.acme, after=4, limit=3)
    assert [e.index for e in page] == [5, 6, 7]


def test_an_append_inside_a_rolled_back_transaction_leaves_nothing(w: World) -> None:
    fill(w, [3])
    with pytest.raises(RuntimeError), w.meta.transaction():
        w.ledger.append(w.beta, [use(9, w.acme)])
        assert w.ledger.size() == 4  # seen inside the transaction
        raise RuntimeError("the contract change failed")
    assert w.ledger.size() == 3 and [h.tree_size for h in w.ledger.heads()] == [3]
    with w.meta.transaction():
        w.ledger.append(w.beta, [use(10, w.acme)])
    assert w.ledger.size() == 4 and w.ledger.verify().ok


def test_a_reopened_ledger_continues_the_same_tree(w: World, tmp_path: Path) -> None:
    fill(w, [5, 3])
    kept = w.ledger.tree_head()
    assert kept is not None
    w.meta.close()
    meta = w.reopen()
    again = Ledger.at(meta, w.data_dir)
    assert again.log_id == w.ledger.log_id  # the same keys, from the data folder
    again.append(w.beta, [use(20, w.acme), use(21, w.acme)])
    newest = again.tree_head()
    assert newest is not None and again.consistency_proof(8).verify(kept, newest)
    assert again.verify().ok
    meta.close()


def test_verify_in_several_chunks(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger, "CHUNK", 8)  # the chunk edges of a million entries, in 70
    sizes = fill(w, [3, 5, 8, 1, 16, 2, 7, 9, 4, 15])
    kept = [h for h in w.ledger.heads() if h.tree_size in (sizes[1], sizes[6])]
    report = w.ledger.verify(trusted=kept)
    assert report.ok, report.problems
    assert report.entries_checked == sizes[-1] == report.tree_size
    assert report.heads_checked == 2 * len(sizes) + 2


def test_keys_live_private_in_the_data_folder_and_export_public(w: World) -> None:
    fill(w, [2, 1, 1, 1, 1])  # beta and acme acted
    folder = w.data_dir / "keys" / "ledger"
    assert not folder.resolve().is_relative_to(REPO)
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["org-1.pem", "org-2.pem", "platform.pem"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for p in folder.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
        assert p.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    listed = {k["signer"]: k for k in w.ledger.public_keys()}
    assert set(listed) == {"platform", "org:acme", "org:beta"}  # gamma has no key
    for k in listed.values():
        assert bytes.fromhex(k["key_id"]) == key_id(bytes.fromhex(k["public_key"]))
        assert "PRIVATE" not in json.dumps(k)
    assert listed["platform"]["key_id"] == w.ledger.log_id.hex()
    # another process's view of the folder: the same keys; a loosened file is tightened
    os.chmod(folder / "org-1.pem", 0o644)
    other = LedgerKeys(folder)
    assert other.public_key(w.acme) == bytes.fromhex(listed["org:acme"]["public_key"])
    assert stat.S_IMODE((folder / "org-1.pem").stat().st_mode) == 0o600
    assert other.public_key(w.gamma) is None and not (folder / "org-3.pem").exists()


def test_the_tables_are_append_only(w: World) -> None:
    fill(w, [2])
    con = w.connect()
    for sql in (
        "UPDATE ledger_entries SET kind = 'access'",
        "DELETE FROM ledger_entries WHERE seq = 1",
        "UPDATE ledger_parties SET org_id = 3",
        "DELETE FROM ledger_parties",
        "UPDATE ledger_nodes SET hash = x'00'",
        "DELETE FROM ledger_nodes",
        "UPDATE ledger_heads SET tree_size = 1",
        "DELETE FROM ledger_heads",
    ):
        with pytest.raises(con.refused, match="append-only"):
            con.execute(sql)
    if con.postgres:  # TRUNCATE skips row triggers: a statement trigger refuses it
        for table in ("ledger_entries", "ledger_parties", "ledger_nodes", "ledger_heads"):
            with pytest.raises(con.refused, match="append-only"):
                con.execute(f"TRUNCATE {table} CASCADE")
    con.close()
    assert w.ledger.verify().ok


def test_migration_0009_goes_down_and_up(w: World) -> None:
    fill(w, [1])
    cfg = alembic_config(w.meta.engine)
    command.downgrade(cfg, "0008")
    with w.connect() as con:
        assert not {t for t in con.tables() if "ledger" in t}
        assert con.triggers("ledger_") == []
    command.upgrade(cfg, "head")
    assert w.ledger.size() == 0
    w.ledger.append(w.beta, [use(0, w.acme)])
    assert w.ledger.verify().ok


def test_every_ledger_error_code_has_korean_and_english_texts() -> None:
    import re

    import openkamp.sharing.ledger as module
    import openkamp.storage.metadata.ledger as storage

    codes = set()
    for path in (Path(module.__file__), Path(storage.__file__)):
        codes |= set(re.findall(r'code="(ledger\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert {"ledger.float", "ledger.busy", "ledger.damaged", "ledger.no_entry"} <= codes
    for code in codes:
        assert MESSAGES[f"err.{code}"]["ko"] and MESSAGES[f"err.{code}"]["en"], code


def test_two_writers_on_one_file_never_share_an_index(w: World, tmp_path: Path) -> None:
    """Two metadata stores on one database (as two processes would have): a writer that read
    the size before the other committed loses the race, writes nothing and appends again; only
    inside a caller's transaction does it give up with ``ledger.busy``. (On PostgreSQL the
    writers wait for each other's commit instead.)"""
    import threading

    from openkamp.core.errors import Conflict

    other_meta = w.reopen()
    other = Ledger.at(other_meta, w.data_dir)
    busy: list[str] = []
    done = [0, 0]

    def write(which: int, led: Ledger) -> None:
        for i in range(30):
            try:
                led.append(w.beta if which else w.acme, [use(i, w.acme), use(i + 1, w.acme)])
                done[which] += 2
            except Conflict as exc:
                busy.append(str(exc.code))

    pair = (w.ledger, other)
    threads = [threading.Thread(target=write, args=(k, led)) for k, led in enumerate(pair)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other_meta.close()
    assert set(busy) <= {"ledger.busy"} and len(busy) <= 2  # five tries each: lost races retried
    assert w.ledger.size() == sum(done) and len(w.ledger.heads()) == sum(done) // 2
    assert w.ledger.verify().ok


def test_a_lost_race_inside_a_callers_transaction_is_the_callers_to_redo(
    w: World, tmp_path: Path
) -> None:
    from openkamp.core.errors import Conflict

    fill(w, [2])
    other_meta = w.reopen()
    other = Ledger.at(other_meta, w.data_dir)
    stale = w.ledger.store.size
    # This writer reads the size as it was, and another process appends meanwhile.
    w.ledger.store.size = lambda: 2  # type: ignore[method-assign]
    other.append(w.beta, [use(5, w.acme)])
    with pytest.raises(Conflict) as caught, w.meta.transaction():
        w.ledger.append(w.beta, [use(6, w.acme)])
    assert caught.value.code == "ledger.busy"
    tries = []
    w.ledger.store.size = lambda: tries.append(1) or 2  # type: ignore[method-assign]
    with pytest.raises(Conflict):  # its own transaction: tried again, five times in all
        w.ledger.append(w.beta, [use(7, w.acme)])
    assert len(tries) == 5
    w.ledger.store.size = stale  # type: ignore[method-assign]
    w.ledger.append(w.beta, [use(7, w.acme)])
    other_meta.close()
    assert w.ledger.size() == 4 and w.ledger.verify().ok
