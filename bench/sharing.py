"""Sharing benchmark (issue 11): the usage ledger and the valuation of pooled data.

    python bench/sharing.py                          # both: 1,000,000 ledger entries, valuation
    python bench/sharing.py --entries 100000 --json
    python bench/sharing.py --only valuation         # one section (ledger or valuation)

The ledger, all in one run, on one SQLite metadata file (the embedded default) in a temporary
folder:

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

The valuation (``openkamp.sharing.valuation``), on injection-moulding shots of unequal owners
(``openkamp.sim.owners``: each owner 0.92 times the size of the one before; careless inspection
or worn sensors at some; the fourth the only one whose data records burns; the last, the
smallest, pure noise) and a consumer's validation set of ``--validation`` shots; linear discriminant analysis with uniform priors,
balanced accuracy over the five defect types:

* exact Shapley values of ``--owners`` owners pooling ``--rows`` shots (all 2^n coalitions), the
  fast path: the learner fitted from per-owner sums (the time includes computing them);
* the naive baseline in the same run: the same scikit-learn pipeline trained on the concatenated
  rows of each of the 2^n - 1 coalitions; ``shapley_max_abs_error`` is the largest difference
  between the two valuations' shares;
* Monte Carlo for ``--mc-owners`` owners pooling the same number of shots (antithetic orders)
  until every owner's standard error is at most ``--mc-stderr`` or ``--mc-max`` orders.
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


def valuation_owners(n: int, rows: int, seed: int) -> list[Any]:
    """``n`` owners of ``rows`` shots in all, unequal (see the module docstring)."""
    from openkamp.sim.owners import OwnerSpec

    weights = [0.92**i for i in range(n)]
    sizes = [max(200, int(rows * w / sum(weights))) for w in weights]
    sizes[0] += rows - sum(sizes)
    no_burn = ("short_shot", "flash", "sink_mark")
    specs = []
    for i, size in enumerate(sizes):
        if i == 3:  # the only owner whose inspection records burns
            specs.append(OwnerSpec(f"owner{i:02d}", size, seed + i))
        elif i == n - 1:  # pure noise, the smallest
            specs.append(OwnerSpec(f"owner{i:02d}", size, seed + i, pure_noise=True))
        else:
            specs.append(OwnerSpec(f"owner{i:02d}", size, seed + i, covers=no_burn,
                                   label_noise=(0.0, 0.1, 0.0, 0.25)[i % 4],
                                   sensor_noise=(0.0, 0.0, 0.5, 0.0)[i % 4]))  # fmt: skip
    return specs


def bench_valuation(
    owners: int, rows: int, validation: int, mc_owners: int, mc_stderr: float, mc_max: int
) -> dict[str, Any]:
    from openkamp.sharing.valuation import (
        LdaUtility,
        OwnerRows,
        exact_shapley,
        monte_carlo_shapley,
        naive_utility,
    )
    from openkamp.sim.owners import FEATURES, TARGET, OwnerSpec, owner_shots

    def shots(specs: list[Any]) -> list[OwnerRows]:
        return [OwnerRows.from_frame(s.name, owner_shots(s), FEATURES, TARGET) for s in specs]

    val = shots([OwnerSpec("consumer", validation, 999)])[0]
    specs = valuation_owners(owners, rows, 100)
    pool = shots(specs)
    t0 = time.perf_counter()
    fast = LdaUtility(pool, val)
    exact = exact_shapley(fast)
    fast_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    naive = exact_shapley(naive_utility(fast))
    naive_s = time.perf_counter() - t0
    error = max(abs(a - b) for a, b in zip(exact.shares, naive.shares, strict=True))
    mc_pool = shots(valuation_owners(mc_owners, rows, 500))
    t0 = time.perf_counter()
    mc = monte_carlo_shapley(LdaUtility(mc_pool, val), target_stderr=mc_stderr,
                             max_permutations=mc_max, seed=1)  # fmt: skip
    mc_s = time.perf_counter() - t0
    return {
        "owners": owners,
        "rows": sum(len(o) for o in pool),
        "validation": len(val),
        "shapley_s": fast_s,
        "naive_s": naive_s,
        "coalitions": exact.coalitions,
        "max_abs_error": error,
        "efficiency_error": abs(sum(exact.shares) - exact.total),
        "full_value": exact.full_value,
        "empty_value": exact.empty_value,
        "shares": dict(zip(exact.owners, exact.shares, strict=True)),
        "sizes": {s.name: s.rows for s in specs},
        "failure_owner": specs[3].name,
        "noise_owner": specs[-1].name,
        "mc_owners": mc_owners,
        "mc_rows": sum(len(o) for o in mc_pool),
        "mc_s": mc_s,
        "mc_max_stderr": max(mc.stderr),
        "mc_permutations": mc.permutations,
        "mc_coalitions": mc.coalitions,
        "mc_converged": mc.converged,
        "mc_efficiency_error": abs(sum(mc.shares) - mc.total),
    }


def print_valuation(v: dict[str, Any]) -> None:
    shares = v["shares"]
    top = max(shares, key=shares.get)
    print_table(
        f"Valuation: {v['owners']} owners pooling {v['rows']:,} shots, validation "
        f"{v['validation']:,} shots; LDA, balanced accuracy v(N) = {v['full_value']:.4f}, "
        f"v(empty) = {v['empty_value']:.4f}",
        [
            ("exact Shapley", f"{v['shapley_s']:.2f} s", f"{v['coalitions']:,} coalitions",
             f"naive {v['naive_s']:.1f} s ({v['naive_s'] / v['shapley_s']:,.0f}x)", "<= 120 s"),
            ("fast vs naive", f"{v['max_abs_error']:.1e}", "max |share difference|",
             f"efficiency {v['efficiency_error']:.1e}", "< 1e-9"),
            ("largest share", f"{shares[top]:.4f}", top,
             f"failure-mode owner {v['failure_owner']}", ""),
            ("noise owner", f"{shares[v['noise_owner']]:.4f}", v["noise_owner"],
             f"{v['sizes'][v['noise_owner']]:,} shots", "~ 0"),
            (f"Monte Carlo, {v['mc_owners']} owners", f"{v['mc_s']:.2f} s",
             f"max stderr {v['mc_max_stderr']:.4f}",
             f"{v['mc_permutations']:,} orders, {v['mc_coalitions']:,} coalitions", ""),
        ],
        ("", "measured", "", "baseline / detail", "target"),
    )  # fmt: skip
    print("\nShares: " + ", ".join(f"{o} ({v['sizes'][o]:,}) {s:+.4f}" for o, s in shares.items()))


def valuation_json(v: dict[str, Any]) -> dict[str, Any]:
    return {
        "valuation_owners": v["owners"],
        "valuation_rows": v["rows"],
        "valuation_validation_rows": v["validation"],
        "shapley_10_owners_s": v["shapley_s"],
        "naive_10_owners_s": v["naive_s"],
        "shapley_max_abs_error": v["max_abs_error"],
        "shapley_efficiency_error": v["efficiency_error"],
        "shapley_full_value": v["full_value"],
        "shapley_empty_value": v["empty_value"],
        "shapley_shares": v["shares"],
        "mc_owners": v["mc_owners"],
        "mc_30_owners_s": v["mc_s"],
        "mc_30_max_stderr": v["mc_max_stderr"],
        "mc_permutations": v["mc_permutations"],
        "mc_converged": v["mc_converged"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entries", type=int, default=1_000_000, help="ledger entries appended")
    ap.add_argument("--batch", type=int, default=1000, help="entries per append (signed batch)")
    ap.add_argument("--proofs", type=int, default=1000, help="inclusion proofs timed")
    ap.add_argument("--owners", type=int, default=10, help="owners valued exactly")
    ap.add_argument("--rows", type=int, default=100_000, help="shots pooled by the owners")
    ap.add_argument("--validation", type=int, default=20_000, help="the consumer's shots")
    ap.add_argument("--mc-owners", type=int, default=30, help="owners valued by Monte Carlo")
    ap.add_argument("--mc-stderr", type=float, default=0.003, help="target standard error")
    ap.add_argument("--mc-max", type=int, default=3000, help="most orders sampled")
    ap.add_argument("--only", choices=("ledger", "valuation"), help="run one section")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    out: dict[str, Any] = {"bench": "sharing", "machine": machine()}
    if args.only != "valuation":
        out.update(run_ledger(args))
    if args.only != "ledger":
        v = bench_valuation(args.owners, args.rows, args.validation, args.mc_owners,
                            args.mc_stderr, args.mc_max)  # fmt: skip
        print_valuation(v)
        out.update(valuation_json(v))
    out["peak_rss_mb"] = peak_rss_mb()
    emit_json(args.json, out)


def run_ledger(args: argparse.Namespace) -> dict[str, Any]:
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
    return {
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
    }


if __name__ == "__main__":
    main()
