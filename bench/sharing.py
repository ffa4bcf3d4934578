"""Sharing benchmark (issue 11): so far the usage ledger; valuation and settlement come later.

    python bench/sharing.py                          # 1,000,000 ledger entries
    python bench/sharing.py --entries 100000 --json

All in one run, on one SQLite metadata file (the embedded default) in a temporary folder:

* appends: ``--entries`` uses (access, training, export, settlement; a consumer acting on an
  owner's dataset, with a decimal fee) in batches of ``--batch``, each batch one transaction that
  ends with two Ed25519-signed tree heads (the platform's and the acting organisation's); entries
  per second over the whole build, from an empty log to the full one, and over its last tenth.
  Baseline: the same leaves made canonical and hashed into the tree in memory, without storage
  or signatures (what storing and signing add).
* verify: ``Ledger.verify`` over every entry: the tree recomputed from the stored leaves and
  checked against every signed head, the stored subtree hashes, the columns and parties. Baseline:
  the same leaves, already in memory, hashed into the tree's root (the hashing alone).
* proofs: inclusion proofs of ``--proofs`` random entries against the newest signed head, and
  consistency proofs from random older heads to it (each proof is verified, outside the timing).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import emit_json, machine, peak_rss_mb, print_table
from openkamp.sharing import Entry, Ledger, merkle
from openkamp.sharing.ledger import _leaf
from openkamp.sharing.verify_standalone import Frontier, leaf_hash
from openkamp.storage import open_metadata

KINDS = ("access", "training", "training", "export", "access", "settlement")


def uses(start: int, n: int, owner: int) -> list[Entry]:
    """``n`` uses of ``owner``'s datasets, numbered from ``start``."""
    return [
        Entry(
            KINDS[i % len(KINDS)],
            dataset=f"press-shots@{i % 7 + 1}",
            contract=1000 + i % 50,
            parties=[owner],
            details={"rows": 1000 + i % 5000, "fee_krw": Decimal(1250 + i % 100) / 4,
                     "purpose": "불량 예측 모델 학습"},
        )
        for i in range(start, start + n)
    ]  # fmt: skip


def build(ledger: Ledger, orgs: list[int], entries: int, batch: int) -> dict[str, float]:
    """Append ``entries`` in batches; seconds spent in ``append`` only."""
    spent, last_tenth = 0.0, 0.0
    tenth_from = entries - entries // 10
    done = 0
    while done < entries:
        n = min(batch, entries - done)
        acting, owner = orgs[(done // batch) % len(orgs)], orgs[(done // batch + 1) % len(orgs)]
        todo = uses(done, n, owner)
        t0 = time.perf_counter()
        ledger.append(acting, todo)
        dt = time.perf_counter() - t0
        spent += dt
        if done >= tenth_from:
            last_tenth += dt
        done += n
    return {"append_s": spent, "last_tenth_s": last_tenth, "last_tenth_n": entries - tenth_from}


def hash_only(entries: int, batch: int, names: list[str]) -> float:
    """The baseline of appends: the same leaves made canonical and hashed into the tree in
    memory (no storage, no signatures); entries per second."""
    from datetime import UTC, datetime

    edge: list[bytes] = []
    size = 0
    t0 = time.perf_counter()
    done = 0
    while done < entries:
        n = min(batch, entries - done)
        acting = names[(done // batch) % len(names)]
        owner = names[(done // batch + 1) % len(names)]
        now = datetime.now(UTC)
        hashes = [
            leaf_hash(_leaf(e, acting, [acting, owner], now).encode("utf-8"))
            for e in uses(done, n, 0)
        ]
        edge, _, size = merkle.extend(edge, size, hashes)
        done += n
    return entries / (time.perf_counter() - t0)


def hash_root(ledger: Ledger, size: int) -> tuple[float, bytes]:
    """The baseline of verify: the stored leaves hashed into the root (only the hashing is
    timed; each chunk is read beforehand)."""
    f = Frontier()
    spent = 0.0
    for lo in range(0, size, 65536):
        leaves = [r[6].encode("utf-8") for r in ledger.store.scan(lo, lo + 65536)]
        t0 = time.perf_counter()
        for leaf in leaves:
            f.push(leaf_hash(leaf))
        spent += time.perf_counter() - t0
    return spent, f.root()


def proofs(ledger: Ledger, count: int) -> dict[str, Any]:
    head = ledger.tree_head()
    assert head is not None
    rng = random.Random(7)
    size = head.tree_size
    incl, cons = [], []
    heads = ledger.heads()
    for _ in range(count):
        index = rng.randrange(size)
        t0 = time.perf_counter()
        proof = ledger.inclusion_proof(index)
        incl.append(time.perf_counter() - t0)
        assert proof.verify(ledger.entry(index).leaf_hash, head)
    for old in rng.sample(heads, min(count // 10 or 1, len(heads))):
        t0 = time.perf_counter()
        c = ledger.consistency_proof(old.tree_size)
        cons.append(time.perf_counter() - t0)
        assert c.verify(old, head)
    incl.sort()
    cons.sort()
    return {
        "inclusion_ms": 1000 * statistics.median(incl),
        "inclusion_p99_ms": 1000 * incl[int(0.99 * (len(incl) - 1))],
        "inclusion_hashes": len(proof.path),
        "consistency_ms": 1000 * statistics.median(cons),
        "consistency_p99_ms": 1000 * cons[int(0.99 * (len(cons) - 1))],
        "proofs": len(incl),
    }


def bench_ledger(root: Path, entries: int, batch: int, proof_count: int) -> dict[str, Any]:
    meta = open_metadata(f"sqlite:///{root}/meta.sqlite")
    try:
        names = ["acme", "beta", "gamma", "delta"]
        orgs = [meta.create_org(n)["id"] for n in names]
        ledger = Ledger.at(meta, root / "data")
        built = build(ledger, orgs, entries, batch)
        base_append = hash_only(min(entries, 200_000), batch, names)
        report = ledger.verify()
        if not report.ok:
            raise SystemExit(f"verify found problems in an untouched ledger: {report.problems}")
        hash_s, root_hash = hash_root(ledger, entries)
        head = ledger.tree_head()
        assert head is not None and head.root_hash == root_hash
        p = proofs(ledger, proof_count)
        size_mb = sum(f.stat().st_size for f in root.glob("meta.sqlite*")) / 2**20
    finally:
        meta.close()
    return {
        "entries": entries,
        "batch": batch,
        "appends_per_s": entries / built["append_s"],
        "appends_per_s_last_tenth": built["last_tenth_n"] / built["last_tenth_s"],
        "append_s": built["append_s"],
        "hash_only_per_s": base_append,
        "verify_s": report.seconds,
        "verify_heads": report.heads_checked,
        "hash_root_s": hash_s,
        "db_mb": size_mb,
        **p,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entries", type=int, default=1_000_000, help="ledger entries appended")
    ap.add_argument("--batch", type=int, default=1000, help="entries per append (signed batch)")
    ap.add_argument("--proofs", type=int, default=1000, help="inclusion proofs timed")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="okp-sharing-"))
    try:
        r = bench_ledger(root, args.entries, args.batch, args.proofs)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    per_million = 1_000_000 / r["entries"]
    print_table(
        f"Usage ledger: {r['entries']:,} entries in batches of {r['batch']:,}, each batch with "
        f"two signed tree heads (SQLite, {r['db_mb']:,.0f} MB)",
        [
            ("appends", f"{r['appends_per_s']:,.0f} entries/s",
             f"last tenth {r['appends_per_s_last_tenth']:,.0f}/s",
             f"hash only {r['hash_only_per_s']:,.0f}/s", ">= 20,000/s"),
            ("verify", f"{r['verify_s']:.2f} s", f"{r['verify_heads']:,} heads",
             f"hashing alone {r['hash_root_s']:.2f} s", "<= 10 s per 1,000,000"),
            ("inclusion proof", f"{r['inclusion_ms']:.3f} ms",
             f"p99 {r['inclusion_p99_ms']:.3f} ms", f"{r['inclusion_hashes']} hashes",
             "<= 1 ms"),
            ("consistency proof", f"{r['consistency_ms']:.3f} ms",
             f"p99 {r['consistency_p99_ms']:.3f} ms", "", ""),
        ],
        ("", "measured", "", "baseline / detail", "target"),
    )  # fmt: skip
    emit_json(
        args.json,
        {
            "bench": "sharing",
            "machine": machine(),
            "ledger_entries": r["entries"],
            "ledger_batch": r["batch"],
            "ledger_appends_per_s": r["appends_per_s"],
            "ledger_appends_per_s_last_tenth": r["appends_per_s_last_tenth"],
            "ledger_hash_only_per_s": r["hash_only_per_s"],
            "ledger_verify_s": r["verify_s"],
            "ledger_verify_1m_s": r["verify_s"] * per_million,
            "ledger_verify_1m_extrapolated": r["entries"] != 1_000_000,
            "ledger_hash_root_s": r["hash_root_s"],
            "inclusion_proof_ms": r["inclusion_ms"],
            "inclusion_proof_p99_ms": r["inclusion_p99_ms"],
            "consistency_proof_ms": r["consistency_ms"],
            "ledger_db_mb": r["db_mb"],
            "peak_rss_mb": peak_rss_mb(),
        },
    )


if __name__ == "__main__":
    main()
