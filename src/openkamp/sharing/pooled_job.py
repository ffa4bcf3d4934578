"""The body of a pooled compute-to-data job (:mod:`openkamp.sharing.pooled`): each owner's
rows read in its own space, pooled, fitted and checked as single-contract compute-to-data fits
them, each owner's contribution valued (:func:`contributions`), the model registered and the
valuation recorded. The service that checks the contracts and starts the job is
:class:`openkamp.sharing.pooled.PooledService`; its docstring says what each step does and why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from openkamp.core.errors import InvalidInput
from openkamp.core.tenancy import Principal
from openkamp.i18n import MESSAGES, t
from openkamp.sharing.contracts import Contract
from openkamp.sharing.valuation import (
    EXACT_UP_TO,
    LdaUtility,
    OwnerRows,
    RidgeUtility,
    Valuation,
    shapley,
    split_validation,
)

if TYPE_CHECKING:
    from openkamp.datasets import DatasetVersion
    from openkamp.ml.service import TrainSpec
    from openkamp.sharing.settlement_service import SettlementService

__all__ = ["JOB_KIND", "METRICS", "contributions", "run_pooled"]

#: The job kind of a pooled training.
JOB_KIND = "pooled"
#: The validation metric each task is valued by.
METRICS = {"classify": "balanced_accuracy", "regress": "r2"}
#: The share of every owner's rows held out to value the coalitions.
VALIDATION_FRACTION = 0.2
#: Fewest held-out rows a valuation is made on.
MIN_VALIDATION_ROWS = 10
#: The Monte Carlo estimate's stops (beyond EXACT_UP_TO owners): a standard error, a time.
MONTE_CARLO = {"target_stderr": 1e-3, "max_permutations": 10_000, "max_seconds": 120.0}
#: The steps a pooled job reports (reading is one step per contract).
STEPS = ("read", "fit", "strip", "check", "value", "register")


def _error(cls: type[Any], reason: str, **params: object) -> Any:
    code = f"sharing.pooled.{reason}"
    hint_key = f"err.{code}.hint"
    hint = t(hint_key, "en", **params) if hint_key in MESSAGES else None
    return cls(t(f"err.{code}", "en", **params), hint=hint, code=code, params=params)


@dataclass(frozen=True)
class Part:
    """One contract of a pooled job: its owner, the dataset version read, the owner's
    principal the rows are read with."""

    contract: Contract
    owner: Principal
    version: DatasetVersion

    @property
    def owner_org_id(self) -> int:
        return self.contract.owner_org_id


# ---------------------------------------------------------------------------------------------
# the owners' contributions


def contributions(
    frames: Sequence[tuple[str, pd.DataFrame]],
    features: Sequence[str],
    target: str,
    task: str,
    *,
    validation: pd.DataFrame | None = None,
    seed: int = 0,
    exact_up_to: int = EXACT_UP_TO,
    monte_carlo: Mapping[str, Any] | None = None,
) -> Valuation:
    """Each owner's Shapley value of the validation metric of ``task`` (module docstring of
    :mod:`openkamp.sharing.pooled`, step 3): ``frames`` are (owner name, rows) in the owners'
    order; ``features`` the numeric columns valued; ``validation`` the consumer's own rows
    (None: a held-out fifth of every owner's rows, seeded with ``seed``). Exact up to
    ``exact_up_to`` owners, else a Monte Carlo estimate (``monte_carlo``:
    :func:`openkamp.sharing.valuation.monte_carlo_shapley`'s stops, seeded with ``seed``)."""
    if task not in METRICS:
        raise _error(InvalidInput, "task", task=task, allowed=", ".join(METRICS))
    cols = list(features)
    pooled = pd.concat([f[cols] for _, f in frames], ignore_index=True)
    medians = _numbers(pooled).median().fillna(0.0)

    def rows(name: str, frame: pd.DataFrame) -> OwnerRows:
        y = frame[target]
        if task == "regress":
            y = pd.to_numeric(y, errors="coerce")
        keep = y.notna().to_numpy()
        X = _numbers(frame[cols]).fillna(medians)
        yv = y[keep].to_numpy(dtype=np.float64) if task == "regress" else y[keep].astype(str)
        return OwnerRows(name, X[keep].to_numpy(dtype=np.float64), np.asarray(yv))

    owners = [rows(name, frame) for name, frame in frames]
    if validation is None:
        kept, held = split_validation(owners, VALIDATION_FRACTION, seed=seed, name="holdout")
    else:
        kept, held = owners, rows("consumer", validation)
    classes = len(np.unique(held.y)) if len(held) else 0
    if len(held) < MIN_VALIDATION_ROWS or (task == "classify" and classes < 2):
        raise _error(InvalidInput, "validation", rows=len(held), min=MIN_VALIDATION_ROWS)
    utility: LdaUtility | RidgeUtility
    if task == "classify":
        utility = LdaUtility(kept, held, metric=METRICS[task])
    else:
        utility = RidgeUtility(kept, held, metric=METRICS[task])
    options = dict(MONTE_CARLO if monte_carlo is None else monte_carlo)
    return shapley(utility, exact_up_to=exact_up_to, seed=seed, **options)


def _numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns as floats (text that is no number, and infinities, missing)."""
    return frame.apply(pd.to_numeric, errors="coerce").replace([np.inf, -np.inf], np.nan)


# ---------------------------------------------------------------------------------------------
# the job's body


def run_pooled(
    ctx: Any,
    c2d: Any,
    spec: TrainSpec,
    parts: Sequence[Part],
    columns: list[str],
    numeric: list[str],
    consumer: Principal,
    datasets: Any,
    settlement: SettlementService,
    checked: Callable[[], None],
    say: Callable[[str], None],
    exact_up_to: int,
    monte_carlo: Mapping[str, Any],
    validation: DatasetVersion | None = None,
) -> dict[str, Any]:
    """The job: read, pool, fit, strip, check, value, register, record (see
    :mod:`openkamp.sharing.pooled`); ``checked`` runs every contract's guard, ``say`` reports a
    step; ``validation``: the consumer's own dataset version to value the owners on."""
    target = str(spec.target)
    ref = f"pooled:{ctx.job_id}"
    frames: list[tuple[str, pd.DataFrame]] = []
    for i, p in enumerate(parts, start=1):
        checked()
        say(f"read {i}/{len(parts)}")
        frame = datasets.read(p.owner, p.version.id, columns=columns)
        frames.append((str(p.owner_org_id), frame))
    held = None
    if validation is not None:  # the consumer's own rows, read as the consumer
        held = datasets.read(consumer, validation.id, columns=[*numeric, target])
    checked()
    say("fit")
    pooled = pd.concat([f for _, f in frames], ignore_index=True)
    version = _pooled_version(parts, columns, ctx.job_id, len(pooled))
    origin = {
        "compute_to_data": True,
        "pooled": True,
        "pooled_ref": ref,
        "owner_org_ids": [p.owner_org_id for p in parts],
        "contracts": [p.contract.id for p in parts],
        "datasets": [p.version.ref for p in parts],
        "dataset": version.ref,
        "schema_hash": version.schema_hash,
    }
    prepared = c2d.prepare(spec, version, pooled, checked, origin, progress=say)
    checked()
    say("value")
    valued = contributions(frames, numeric, target, spec.task, validation=held,
                           seed=spec.random_state,
                           exact_up_to=exact_up_to, monte_carlo=monte_carlo)  # fmt: skip
    checked()
    say("register")
    result = c2d.register(prepared, consumer)
    owners = [int(o) for o in valued.owners]
    exact = valued.method == "exact"
    recorded = settlement.record_valuation(
        consumer, ref, dict(zip(owners, valued.shares, strict=True)),
        method=valued.method, metric=valued.metric,
        std_errors=None if exact else dict(zip(owners, valued.stderr, strict=True)),
        full_value=valued.full_value, samples=None if exact else valued.permutations,
    )  # fmt: skip
    ctx.log(f"registered: {result.version.name} v{result.version.version}; "
            f"valuation {recorded.id} ({valued.method})")  # fmt: skip
    rows = {str(p.owner_org_id): len(f) for p, (_, f) in zip(parts, frames, strict=True)}
    return {
        **result.summary(),
        "pooled_ref": ref,
        "valuation_id": recorded.id,
        "method": valued.method,
        "metric": valued.metric,
        "full_value": valued.full_value,
        "empty_value": valued.empty_value,
        "coalitions": valued.coalitions,
        "permutations": valued.permutations,
        "features_valued": list(numeric),
        "validation": "holdout" if validation is None else validation.ref,
        "owners": [
            {"org_id": p.owner_org_id, "contract_id": p.contract.id, "dataset": p.version.ref,
             "rows": rows[str(p.owner_org_id)], "share": float(s), "stderr": float(e)}
            for p, s, e in zip(parts, valued.shares, valued.stderr, strict=True)
        ],
    }  # fmt: skip


def _pooled_version(
    parts: Sequence[Part], columns: Sequence[str], job_id: int, rows: int
) -> DatasetVersion:
    """The pooled rows as one dataset version (``pooled@<job id>``): the first dataset's
    columns, features as inputs and the target as the label."""
    from openkamp.datasets import DatasetVersion
    from openkamp.datasets._version import DatasetColumn, schema_hash

    first = parts[0].version
    target = columns[-1]
    cols = tuple(
        DatasetColumn(c.name, c.kind, "label" if c.name == target else "input", c.header,
                      c.unit, c.display)
        for name in columns for c in first.columns if c.name == name
    )  # fmt: skip
    return DatasetVersion(
        id=0, org_id=first.org_id, name="pooled", version=int(job_id), origin="pooled",
        rows=rows, columns=cols, schema_hash=schema_hash(cols), content_sha256="", file_key="",
    )  # fmt: skip
