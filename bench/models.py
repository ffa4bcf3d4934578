"""AI standard models on real benchmark data, by the protocols of ../shared/datasets/README.md.

    python bench/models.py --dataset tep [--json]
    python bench/models.py --dataset skab [--json]

The harness uses the public API a user uses (``openkamp.ml`` templates, ``openkamp.benchdata``
loaders, which implement each protocol's splits) and prints our figures beside the published
ones. Datasets are read from ``OPENKAMP_DATASETS_DIR`` or ``../shared/datasets``.

Status (issue 3 in progress): all five datasets run; see docs/benchmarks.md for which targets hold.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _common import emit_json, machine, print_table
from openkamp.benchdata import load
from openkamp.ml.metrics import alarm_rates
from openkamp.ml.selection import Run, select_across_runs
from openkamp.ml.templates.anomaly import AnomalyModel

UNDETECTABLE = {3, 9, 15}


def run_tep(seed: int) -> dict:
    """Fit on d00 (normal); choose among candidates with the training fault files (dXX.dat,
    separate recordings from the test files); report FAR on samples 1-160 and FDR on 161-960
    of every dXX_te.dat."""
    tep = load("tep")
    t0 = time.perf_counter()
    parts, labels, groups = (
        [tep.train_normal],
        [np.zeros(len(tep.train_normal))],
        [np.zeros(len(tep.train_normal))],
    )
    for fault, arr in sorted(tep.train_faults.items()):
        parts.append(arr)
        labels.append(np.ones(len(arr)))
        groups.append(np.full(len(arr), fault))
    # Default protocol: cross-validated threshold over blocks of d00, candidates ranked by the
    # share of training-fault readings caught at that threshold. Nothing here reads a test file.
    model = AnomalyModel(detector="auto", time_budget_s=300, random_state=seed)
    model.fit(np.vstack(parts), np.concatenate(labels), groups=np.concatenate(groups))
    train_s = time.perf_counter() - t0
    rows, fdr, far = [], {}, {}
    for fault, arr in sorted(tep.faults.items()):
        alarm = model.predict(arr)
        far[fault] = float(alarm[: tep.fault_start].mean())
        if fault:
            fdr[fault] = float(alarm[tep.fault_start :].mean())
    base = tep.baseline
    for fault in sorted(tep.faults):
        b = base.loc[fault] if base is not None and fault in base.index else None
        rows.append(
            (
                str(fault),
                f"{fdr.get(fault, float('nan')):.3f}",
                f"{far[fault]:.3f}",
                "-" if b is None else f"{b['fdr_q']:.3f}",
                "-" if b is None else f"{b['far_q']:.3f}",
            )
        )
    print_table(
        "TEP fault detection (ours vs local PCA Q baseline, 99 % limits)",
        rows,
        ("fault", "FDR ours", "FAR ours", "FDR PCA-Q", "FAR PCA-Q"),
    )
    counted = [f for f in fdr if f not in UNDETECTABLE]
    mean_fdr = float(np.mean([fdr[f] for f in counted]))
    mean_far = float(np.mean(list(far.values())))
    print(f"\nchosen: {model.params_}   training + selection {train_s:.1f} s")
    print(
        f"mean FDR over faults except 3, 9, 15: {mean_fdr:.3f}  (target >= 0.85; PCA Q baseline 0.79)"
    )
    print(f"mean FAR over samples 1-160 of all test files: {mean_far:.3f}  (target <= 0.05)")
    far_d00 = float(model.predict(tep.faults[0]).mean())
    print(f"FAR over all 960 samples of d00_te (normal throughout): {far_d00:.3f}")
    print(f"protocol: {model.split_}")
    return {
        "mean_fdr": mean_fdr,
        "mean_far": mean_far,
        "far_d00_te": far_d00,
        "fdr": fdr,
        "far": far,
        "params": model.params_,
        "leaderboard": model.leaderboard_,
        "seconds": train_s,
    }


def run_skab(seed: int) -> dict:
    """Per file: fit on the first 400 rows (anomaly-free), alarm on the rest; F1 / FAR / MAR
    over all test parts together. Two ways: the template's default settings, and settings chosen
    leave-one-file-out (each file's settings come from the other 33 files' labels only)."""
    skab = load("skab")
    t0 = time.perf_counter()
    ys, alarms = [], []
    for run in skab.runs:
        model = AnomalyModel(random_state=seed).fit(run.train)
        alarms.append(model.predict(pd.concat([run.train, run.test]))[len(run.train) :])
        ys.append(run.test_anomaly)
    default = alarm_rates(np.concatenate(ys), np.concatenate(alarms))
    t_default = time.perf_counter() - t0
    t0 = time.perf_counter()
    runs = [Run(r.name, r.train, r.test, r.test_anomaly) for r in skab.runs]
    selection = select_across_runs(runs, max_far=0.13, random_state=seed)
    t_lofo = time.perf_counter() - t0
    lofo = selection.estimate

    def row(name: str, r: dict) -> tuple[str, ...]:
        return (name, f"{r['f1']:.3f}", f"{100 * r['far']:.2f}", f"{100 * r['mar']:.2f}")

    rows = [
        row("OpenKAMP AnomalyModel, default settings", default),
        row("OpenKAMP, settings chosen leave-one-file-out", lofo),
        ("Conv-AE (leaderboard best)", "0.78", "13.55", "28.02"),
        ("MSET", "0.78", "39.73", "14.13"),
        ("T²+Q (PCA)", "0.76", "26.62", "24.92"),
        ("Isolation Forest", "0.29", "2.56", "82.89"),
    ]
    print_table(
        f"SKAB outlier detection, {len(skab.runs)} files", rows, ("model", "F1", "FAR %", "MAR %")
    )
    print(f"\nsettings chosen on all files (for new runs): {selection.settings}")
    print(
        f"target: F1 >= 0.80 with FAR <= 15 %   (default {t_default:.1f} s, selection {t_lofo:.1f} s)"
    )
    return {
        "default": default,
        "lofo": lofo,
        "settings": selection.settings,
        "seconds": t_default + t_lofo,
        "files": len(skab.runs),
    }


def run_cwru(seed: int) -> dict:
    """10 classes, 2048-sample windows at 12 kHz, split by recording segment (first 70 % of each
    recording trains, last 30 % tests: the loader cuts before windowing, so no window leaks).
    Features: time-domain statistics and log band energies; model: the classify template."""
    from openkamp.ml.spectral import spectral_features
    from openkamp.ml.templates.classify import ClassifyModel

    cw = load("cwru")
    t0 = time.perf_counter()
    f_train = spectral_features(cw.X_train, cw.sample_rate, n_bands=64)
    f_test = spectral_features(cw.X_test, cw.sample_rate, n_bands=64)
    names = np.asarray(cw.class_names)
    model = ClassifyModel(time_budget_s=120, random_state=seed).fit(f_train, names[cw.y_train])
    pred = model.predict(f_test)
    secs = time.perf_counter() - t0
    truth = names[cw.y_test]
    acc = float(np.mean(pred == truth))
    rows = [
        (c, str(int(np.sum(truth == c))), f"{np.mean(pred[truth == c] == c):.3f}") for c in names
    ]
    print_table("CWRU per class (test windows, accuracy)", rows, ("class", "windows", "accuracy"))
    print(
        f"\naccuracy {acc:.4f} on {len(truth)} test windows (target >= 0.99; published CNNs 0.99-1.00)"
    )
    print(f"chosen: {model.params_}   {secs:.1f} s")
    return {
        "accuracy": acc,
        "test_windows": len(truth),
        "train_windows": len(cw.y_train),
        "seconds": secs,
        "params": model.params_,
    }


def run_ai4i(seed: int) -> dict:
    """Stratified 5-fold CV; our classify template against logistic regression and random
    forest run in the same harness (bench/models_ai4i.py)."""
    from models_ai4i import run_ai4i as run

    return run(seed)


def run_cmapss(seed: int) -> dict:
    """Train on train_FD00x, predict RUL at the last cycle of every test engine; RMSE and PHM08
    score over seeds (bench/models_cmapss.py)."""
    from models_cmapss import run_cmapss as run

    return run(seeds=tuple(range(seed, seed + 5)))


RUNNERS = {
    "tep": run_tep,
    "skab": run_skab,
    "ai4i": run_ai4i,
    "cwru": run_cwru,
    "cmapss": run_cmapss,
}
PENDING: dict[str, str] = {}


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--dataset", required=True, choices=sorted([*RUNNERS, *PENDING]))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.dataset in PENDING:
        print(
            f"{args.dataset}: not implemented yet (needs the {PENDING[args.dataset]}; issue 3 in progress)"
        )
        sys.exit(2)
    result = RUNNERS[args.dataset](args.seed)
    emit_json(
        args.json, {"bench": "models", "dataset": args.dataset, **result, "machine": machine()}
    )


if __name__ == "__main__":
    main()
