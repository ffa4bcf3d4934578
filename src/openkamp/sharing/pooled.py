"""Pooled compute-to-data (issue 11, item 6): one model trained on the data of several owners'
contracts, each owner's contribution measured, and the consumer's payment for the model split
by it.

::

    job = kamp.sharing.pooled.compute(supplier, [7, 9, 12], spec)   # a job; no row leaves
    kamp.sharing.pooled.job(supplier, job["id"])                    # progress, then the shares
    kamp.sharing.pooled.pay(boss, job["id"], "2026-12", "1000001")  # split by contribution

**Asking.** The consumer names at least two of its *active* contracts, each with a different
owner, and a standard model of the same spec as single-contract compute-to-data
(:meth:`openkamp.sharing.delivery.DeliveryService.compute`), for ``classify`` or ``regress``.
Before anything is counted, every contract is checked: the caller is its consumer (another
organisation's contract is not found), it is active, its dataset version has the target and
every feature column with the first contract's kind (``features``: the spec's, else the first
dataset's input columns), and its terms allow the training now (the same decision as
``authorize``, without recording it). A refusal names the contract (``err.sharing.pooled.*``;
a policy's refusal is recorded on its contract's ledger as ``authorize`` records it, then said
with the contract's number and the clause). Then each contract is authorised as
``COMPUTE_TO_DATA`` (a training counted, a ``training`` entry on the ledger its owner and the
consumer share, with the rows the job reads) and a ``compute`` delivery recorded.

**The job** is one job of the consumer's organisation (kind ``pooled``): the one party of every
contract, so its record, progress and result are the consumer's to follow, and holds no row
(steps, the model's name and metrics, the shares). It is registered under every contract
(:meth:`~openkamp.sharing.contracts.ContractService.register_job` with ``pooled``; migration
0015 keys ``sharing_jobs`` by job and contract), so revoking or ending any of them cancels it
through the jobs service and each owner sees it among its contract's jobs; and it checks
**every** contract's guard
(:meth:`~openkamp.sharing.contracts.ContractService.contract_guard`) before and after each
step, so revoking or ending any of them stops the job at its next step, cancelled, with nothing
registered and no valuation recorded. The steps:

1. *read*: each owner's contracted dataset version is read with that owner's principal (the
   target and feature columns only), in the job, never stored on the consumer's side;
2. *fit, strip, check*: the rows pooled (rows without a target dropped, as a single
   training drops them) are fitted, stripped and checked by
   :meth:`openkamp.sharing.compute.ComputeToData.prepare`, the same code and the same
   refusals as single-contract compute-to-data; the pooled rows are independent parts
   (shuffled folds: the owners' time columns are not one timeline);
3. *value*: each owner's contribution (:func:`contributions`): the Shapley value over owners
   of a validation metric, exact up to :data:`EXACT_UP_TO` owners and a Monte Carlo estimate
   with its standard errors beyond (:func:`openkamp.sharing.valuation.shapley`). The learner
   valued is the linear model of the task fitted from per-owner sufficient statistics
   (:class:`~openkamp.sharing.coalitions.LdaUtility` with balanced accuracy for ``classify``,
   :class:`~openkamp.sharing.coalitions.RidgeUtility` with R² for ``regress``), on the numeric
   features (missing values: the pooled median), validated on the same random fifth of every
   owner's rows (:func:`~openkamp.sharing.coalitions.split_validation`, seeded by the spec's
   ``random_state``): the consumer's model itself may be a tree ensemble, but 2^n trainings of
   it would cost 2^n times its training, and what an owner's rows add to a linear model of the
   same target is what they add to the data. The shares sum to ``v(all) - v(none)``
   (efficiency: ``v(none)`` is the chance value, 1/K or R² 0);
4. *register*: the model lands in the consumer's registry as a candidate (provenance: every
   owner, dataset and contract, the pooled reference), then the valuation is recorded
   (:meth:`~openkamp.sharing.settlement_service.SettlementService.record_valuation`: shares
   per owner organisation, method, metric, standard errors for Monte Carlo, the full
   coalition's value, permutations) under the pooled reference ``pooled:<job id>``.

**Who sees what.** The consumer sees its pooled jobs; an owner sees the pooled jobs one of its
contracts took part in, with the valuation (every owner's share: the valuation names them all,
as :meth:`~openkamp.sharing.settlement_service.SettlementService.valuation` allows). Another
organisation finds nothing. Answers carry counts, metrics and shares, never a row.

**Paying** (:meth:`PooledService.pay`, the consumer's administrator): an amount in whole won for
a month, recorded with
:meth:`~openkamp.sharing.settlement_service.SettlementService.record_pooled` and split over the
owners by the valuation's shares (:func:`openkamp.sharing.settlement.split_by_shares`: largest
remainder, exact to the won). A negative share (rows that made the validation worse) weighs 0:
that owner earns nothing of it. **When no share is positive** (the pooled model is no better
than chance) the amount is split equally, the settlement's rule: nothing tells the owners apart,
and a consumer who pays for such a model chose to. Paying again for the same month replaces the
month's payment until an owner concerned has issued its statement of the month (then
``Conflict``). The owners' statements and earnings then carry the pooled line per dataset and
consumer, with the share.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from openkamp.core.errors import Conflict, Forbidden, InvalidInput, NotFound, OpenKampError
from openkamp.core.tenancy import Principal, Role, require
from openkamp.i18n import t
from openkamp.jobs.context import Cancelled
from openkamp.sharing.access import AccessRequest, Decision, Usage, evaluate
from openkamp.sharing.contracts import ContractService
from openkamp.sharing.policy import Access, Purpose
from openkamp.sharing.policy_jsonld import from_jsonld
from openkamp.sharing.pooled_job import (
    JOB_KIND,
    METRICS,
    MONTE_CARLO,
    STEPS,
    Part,
    _error,
    contributions,
    run_pooled,
)
from openkamp.sharing.pooled_views import as_json, job_view, org_names, status_pair, valuation_view
from openkamp.sharing.valuation import EXACT_UP_TO
from openkamp.storage.metadata.schema import deliveries
from openkamp.storage.metadata.schema import jobs as jobs_table

if TYPE_CHECKING:
    from openkamp.datasets import DatasetVersion
    from openkamp.ml.service import TrainSpec
    from openkamp.sharing.delivery import DeliveryService
    from openkamp.sharing.settlement import Period
    from openkamp.sharing.settlement_service import SettlementService
    from openkamp.storage.metadata.base import MetadataStore

__all__ = [
    "EXACT_UP_TO",
    "JOB_KIND",
    "MAX_CONTRACTS",
    "METRICS",
    "PooledService",
    "contributions",
]

#: Most contracts one pooled job may pool (a Monte Carlo valuation of 30 owners takes seconds).
MAX_CONTRACTS = 50


def _utcnow() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------------------------------------
# the service


class PooledService:
    """Pooled compute-to-data, its valuation and its payment (module docstring): the contracts
    and deliveries of the sharing service, its settlement."""

    def __init__(
        self,
        meta: MetadataStore,
        contracts: ContractService,
        delivery: DeliveryService,
        settlement: SettlementService,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.meta: Any = meta  # (the SQL store: jobs are read across organisations here)
        self.contracts = contracts
        self.delivery = delivery
        self.settlement = settlement
        self.clock: Callable[[], datetime] = clock or _utcnow
        #: Owners valued exactly; beyond, Monte Carlo (a test lowers it to see the estimate).
        self.exact_up_to = EXACT_UP_TO
        #: The Monte Carlo estimate's stops.
        self.monte_carlo: dict[str, Any] = dict(MONTE_CARLO)

    # -- starting -------------------------------------------------------------------------------

    def compute(
        self,
        principal: Principal,
        contract_ids: Sequence[int],
        spec: TrainSpec | Mapping[str, Any],
        *,
        validation: str | int | None = None,
    ) -> dict[str, Any]:
        """Check the contracts, authorise each, and start the pooled job (module docstring);
        returns the job as :meth:`job` shows it. ``validation``: one of the consumer's own
        dataset versions (``"name@3"``) to value the owners on, with the target and the
        numeric features (None: a held-out fifth of every owner's rows)."""
        from openkamp.sharing.compute import ComputeToData, restrict
        from openkamp.sharing.delivery import _train_spec

        require(principal, Role.ENGINEER)
        ids = _contract_ids(contract_ids)
        parts = [self._part(principal, cid) for cid in ids]
        seen: dict[int, int] = {}
        for p in parts:
            if p.owner_org_id in seen:
                raise _error(InvalidInput, "same_owner", first=seen[p.owner_org_id],
                             id=p.contract.id)  # fmt: skip
            seen[p.owner_org_id] = p.contract.id
        train = _train_spec(spec, "pooled")
        if train.task not in METRICS:
            raise _error(InvalidInput, "task", task=train.task, allowed=", ".join(METRICS))
        try:
            restrict(train, "pooled").check()  # a refused kind is said before anything counts
        except (TypeError, ValueError, KeyError, AttributeError) as exc:  # odd options
            raise _error(InvalidInput, "spec", field=str(exc)[:80]) from exc
        features, numeric = _columns(parts, train)
        held = (
            None
            if validation in (None, "")
            else self._validation(principal, validation, parts[0], numeric, train)
        )
        if self.delivery.jobs is None or self.delivery.models is None:
            raise _error(InvalidInput, "no_jobs")
        details = {"model": train.name, "task": train.task, "pooled": len(parts)}
        counted = {
            p.contract.id  # every contract allows it now, before any is counted
            for p in parts
            if self._check_terms(principal, p, {**details, "trained_rows": int(p.version.rows)})
        }
        for p in parts:
            if p.contract.id not in counted:
                self.contracts.authorize(
                    principal, p.contract.id, Access.COMPUTE_TO_DATA, rows=int(p.version.rows),
                    details={**details, "trained_rows": int(p.version.rows)},
                )  # fmt: skip
        c2d = ComputeToData(self.delivery._datasets(), self.delivery.models, self.delivery.jobs)
        run = self._job_fn(c2d, restrict(train, "pooled"), parts, features, numeric, principal,
                           held)  # fmt: skip
        job = self.delivery.jobs.submit(
            principal, JOB_KIND, f"pooled compute-to-data: {train.name}", run,
            params={"task": train.task, "model": train.name, "target": train.target,
                    "features": features, "consumer_org_id": principal.org_id,
                    "contracts": [p.contract.id for p in parts],
                    "owners": [p.owner_org_id for p in parts],
                    "datasets": [p.contract.dataset for p in parts],
                    "validation": None if held is None else held.ref},
        )  # fmt: skip
        try:
            for p in parts:  # revoking any of them cancels the job
                self.contracts.register_job(principal, p.contract.id, int(job["id"]),
                                            pooled=True)  # fmt: skip
        except OpenKampError:
            self.delivery.jobs.cancel(principal, int(job["id"]))  # (a contract ended just now)
            raise
        with self.meta._write() as conn:  # what left each owner's space: a compute delivery
            for p in parts:
                conn.execute(
                    deliveries.insert().values(
                        org_id=p.owner_org_id, contract_id=p.contract.id, kind="compute",
                        rows=0, columns="[]", sha256="", watermark="{}",
                        delivered_at=self.clock(),
                    )
                )  # fmt: skip
        return self.job(principal, int(job["id"]))

    def _part(self, principal: Principal, contract_id: int) -> Part:
        contract = self.delivery._consumer_contract(principal, contract_id, Access.COMPUTE_TO_DATA)
        offer = self.delivery._offer(contract)
        owner = self.delivery._owner(contract)
        version = self.delivery._datasets().get(owner, int(offer["dataset_id"]))
        return Part(contract, owner, version)

    def _validation(
        self,
        principal: Principal,
        ref: str | int,
        first: Part,
        numeric: Sequence[str],
        spec: TrainSpec,
    ) -> DatasetVersion:
        """The consumer's own dataset version to value the owners on: it has the target and
        the numeric features, of the first contract's kinds (NotFound: not the consumer's)."""
        version = self.delivery._datasets().get(principal, ref)
        kinds = {c.name: c.kind for c in first.version.columns}
        theirs = {c.name: c.kind for c in version.columns}
        for name in [str(spec.target), *numeric]:
            if theirs.get(name) != kinds[name]:
                raise _error(InvalidInput, "validation_column", dataset=version.ref, column=name,
                             expected=kinds[name])  # fmt: skip
        return version

    def _check_terms(self, principal: Principal, part: Part, details: dict[str, Any]) -> bool:
        """Check that the contract's terms allow the training now (decided as ``authorize``
        decides, nothing counted). A refusal is recorded on the contract's ledger by
        ``authorize`` and said with the contract's number. Returns whether this check counted
        the training: only when the check refused but ``authorize`` then allowed it (the
        counters moved meanwhile), so that it is counted once."""
        c = part.contract
        decision = _decide(self.contracts, c.id, Access.COMPUTE_TO_DATA, self.contracts.now())
        if decision.allowed:
            return False
        try:
            self.contracts.authorize(principal, c.id, Access.COMPUTE_TO_DATA,
                                     rows=int(part.version.rows), details=details)  # fmt: skip
        except OpenKampError as exc:
            r = decision.refusal
            if r is None:
                raise
            reason = {lang: r.text(lang) for lang in ("ko", "en")}
            raise Forbidden(
                t("err.sharing.pooled.refused", "en", id=c.id, reason=reason),
                code="sharing.pooled.refused",
                params={"id": c.id, "clause": r.clause, "reason": reason},
            ) from exc
        return True

    # -- the job ----------------------------------------------------------------------------------

    def _job_fn(
        self,
        c2d: Any,
        spec: TrainSpec,
        parts: Sequence[Part],
        features: list[str],
        numeric: list[str],
        consumer: Principal,
        validation: DatasetVersion | None,
    ) -> Callable[[Any], dict[str, Any]]:
        datasets = self.delivery._datasets()
        contracts = self.contracts
        settlement = self.settlement
        exact_up_to = self.exact_up_to
        monte_carlo = dict(self.monte_carlo)
        target = str(spec.target)
        columns = [*features, target]
        total = len(parts) + len(STEPS) - 1

        def run(ctx: Any) -> dict[str, Any]:
            done = [0]

            def say(step: str) -> None:
                ctx.progress(done[0] / total, step)
                ctx.log(step)
                done[0] += 1

            with ExitStack() as stack:
                guards = [stack.enter_context(contracts.contract_guard(p.contract.id, ctx))
                          for p in parts]  # fmt: skip

                def checked() -> None:
                    for g in guards:
                        g()

                try:
                    return run_pooled(ctx, c2d, spec, parts, columns, numeric, consumer,
                                       datasets, settlement, checked, say,
                                       exact_up_to, monte_carlo, validation)  # fmt: skip
                except (Cancelled, OpenKampError):
                    raise
                except Exception as exc:
                    # An unexpected error's text may quote a cell: the consumer's job keeps
                    # only that it failed, with the error's kind (never its message).
                    raise _error(InvalidInput, "failed", kind=type(exc).__name__) from None
            raise AssertionError("unreachable")  # pragma: no cover

        return run

    # -- reading ----------------------------------------------------------------------------------

    def jobs(self, principal: Principal) -> builtins.list[dict[str, Any]]:
        """The pooled jobs the organisation started (as consumer) or whose data came under one
        of its contracts (as owner), newest first."""
        require(principal, Role.VIEWER)
        out = [self._view(rec) for rec in self._visible(principal)]
        return sorted(out, key=lambda j: -int(j["id"]))

    def job(self, principal: Principal, job_id: int) -> dict[str, Any]:
        """One pooled job (its consumer, or an owner of one of its contracts): status,
        progress, the contracts and owners, the model and the valuation."""
        require(principal, Role.VIEWER)
        return self._view(self._record(principal, job_id))

    def failure(self, principal: Principal, job_id: int) -> dict[str, Any] | None:
        """Why a failed pooled job failed: its error's catalogue code and parameters (None
        while it has not failed), for a page to say in its reader's language."""
        rec = self._record(principal, job_id)
        if rec.get("status") != "failed":
            return None
        error = (as_json(rec.get("result")) or {}).get("error")
        return dict(error) if isinstance(error, Mapping) else {"code": "job.internal"}

    def valuation(self, principal: Principal, valuation_id: int) -> dict[str, Any]:
        """A recorded valuation (its consumer, or an owner it names), with the owners' names,
        contracts and datasets when it values a pooled job."""
        if isinstance(valuation_id, bool) or not 0 < int(valuation_id) < 2**63:
            raise _error(NotFound, "no_valuation", id=valuation_id)
        v = self.settlement.valuation(principal, valuation_id)  # NotFound for anyone else
        rec = self._job_of_ref(v.consumer_org_id, v.pooled_ref)
        return valuation_view(self.meta, v, rec)

    def payments(self, principal: Principal, job_id: int) -> builtins.list[dict[str, Any]]:
        """What the consumer paid for the pooled job's model, per month, with each owner's
        part (the consumer and the owners of the job see them)."""
        rec = self._record(principal, job_id)
        result = as_json(rec.get("result")) or {}
        ref = result.get("pooled_ref")
        if not ref:
            return []
        from openkamp.sharing.settlement_service import _pooled

        recs = self.settlement.store.charges(consumer=int(rec["org_id"]))
        names = org_names(self.meta)
        out = []
        for r in sorted(recs, key=lambda r: str(r["period"])):
            if r["kind"] != "pooled" or r["pooled_ref"] != ref:
                continue
            p = _pooled(r)
            split = p.split()
            out.append({
                "period": p.period.key if p.period else str(r["period"]), "amount": str(p.amount),
                "parts": [{"org_id": o, "name": names.get(o, ""), "amount": str(split[o]),
                           "contract_id": p.contracts.get(o), "dataset": p.datasets.get(o)}
                          for o in p.shares],
            })  # fmt: skip
        return out

    def pay(
        self,
        principal: Principal,
        job_id: int,
        period: Period | str,
        amount: Decimal | str | int,
    ) -> dict[str, Any]:
        """The consumer pays ``amount`` (whole won) for the pooled model for ``period``: split
        over the owners by the valuation's shares (module docstring). Returns the payment with
        each owner's part."""
        require(principal, Role.ADMIN)
        rec = self._record(principal, job_id)
        if int(rec["org_id"]) != principal.org_id:
            raise _error(Forbidden, "not_consumer", id=job_id)
        result = as_json(rec.get("result")) or {}
        valuation_id = result.get("valuation_id")
        if rec.get("status") != "done" or not valuation_id:
            raise _error(Conflict, "not_valued", id=job_id,
                         status=status_pair(str(rec.get("status"))))  # fmt: skip
        owners = result.get("owners") or []
        payment = self.settlement.record_pooled(
            principal, int(valuation_id), period, amount,
            contracts={int(o["org_id"]): int(o["contract_id"]) for o in owners},
            datasets={int(o["org_id"]): str(o["dataset"]) for o in owners if o.get("dataset")},
        )  # fmt: skip
        names = org_names(self.meta)
        split = payment.split()
        return {
            "job_id": int(job_id), "valuation_id": int(valuation_id), "pooled_ref": payment.ref,
            "period": payment.period.key if payment.period else str(period),
            "amount": str(payment.amount),
            "parts": [{"org_id": o, "name": names.get(o, ""), "share": float(payment.shares[o]),
                       "amount": str(split[o]), "contract_id": payment.contracts.get(o),
                       "dataset": payment.datasets.get(o)} for o in payment.shares],
        }  # fmt: skip

    # -- inside -----------------------------------------------------------------------------------

    def _pooled_records(self) -> builtins.list[dict[str, Any]]:
        with self.meta._read() as conn:
            rows = conn.execute(
                select(jobs_table)
                .where(jobs_table.c.kind == JOB_KIND)
                .order_by(jobs_table.c.id.desc())
            ).all()
        return [dict(r._mapping) for r in rows]

    def _visible(self, principal: Principal) -> builtins.list[dict[str, Any]]:
        owned = self._owned_contracts(principal.org_id)
        out = []
        for rec in self._pooled_records():
            params = as_json(rec.get("params")) or {}
            if int(rec["org_id"]) == principal.org_id or owned & set(params.get("contracts", [])):
                out.append(rec)
        return out

    def _owned_contracts(self, org_id: int) -> set[int]:
        from openkamp.storage.metadata.schema import contracts as contracts_table

        with self.meta._read() as conn:
            rows = conn.execute(
                select(contracts_table.c.id).where(contracts_table.c.org_id == int(org_id))
            ).all()
        return {int(r[0]) for r in rows}

    def _record(self, principal: Principal, job_id: int) -> dict[str, Any]:
        rec = None
        if isinstance(job_id, int) and not isinstance(job_id, bool) and 0 < job_id < 2**63:
            with self.meta._read() as conn:
                row = conn.execute(
                    select(jobs_table).where(
                        jobs_table.c.id == int(job_id), jobs_table.c.kind == JOB_KIND
                    )
                ).first()
            rec = None if row is None else dict(row._mapping)
        if rec is not None and int(rec["org_id"]) != principal.org_id:
            params = as_json(rec.get("params")) or {}
            if not self._owned_contracts(principal.org_id) & set(params.get("contracts", [])):
                rec = None
        if rec is None:
            raise _error(NotFound, "not_found", id=job_id)
        return rec

    def _job_of_ref(self, consumer_org_id: int, ref: str) -> dict[str, Any] | None:
        if not ref.startswith("pooled:") or not ref[7:].isdecimal():
            return None
        with self.meta._read() as conn:
            row = conn.execute(
                select(jobs_table).where(
                    jobs_table.c.id == int(ref[7:]),
                    jobs_table.c.kind == JOB_KIND,
                    jobs_table.c.org_id == int(consumer_org_id),
                )
            ).first()
        return None if row is None else dict(row._mapping)

    def _view(self, rec: Mapping[str, Any]) -> dict[str, Any]:
        return job_view(self.meta, self.settlement, rec)


# ---------------------------------------------------------------------------------------------
# checks before the job


def _contract_ids(values: Sequence[int]) -> list[int]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise _error(InvalidInput, "too_few", count=0)
    ids: list[int] = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or not 0 < v < 2**63:
            raise _error(InvalidInput, "contract_id", value=str(v)[:40])
        if v in ids:
            raise _error(InvalidInput, "duplicate", id=v)
        ids.append(v)
    if len(ids) < 2:
        raise _error(InvalidInput, "too_few", count=len(ids))
    if len(ids) > MAX_CONTRACTS:
        raise _error(InvalidInput, "too_many", count=len(ids), max=MAX_CONTRACTS)
    return ids


def _columns(parts: Sequence[Part], spec: TrainSpec) -> tuple[list[str], list[str]]:
    """The feature columns every contract's dataset shares with the first (the spec's, else
    the first dataset's input columns) and those of them that are numbers; a missing column or
    another kind names the contract."""
    first = parts[0]
    kinds = {c.name: c.kind for c in first.version.columns}
    target = spec.target
    if not target:
        raise _error(InvalidInput, "no_target")
    if target not in kinds:
        raise _error(InvalidInput, "missing_column", id=first.contract.id,
                     dataset=first.version.ref, column=target)  # fmt: skip
    if spec.features:
        features = [str(f) for f in spec.features if f != target]
    else:
        features = [c for c in first.version.input_columns if c != target]
    for name in features:
        if name not in kinds:
            raise _error(InvalidInput, "missing_column", id=first.contract.id,
                         dataset=first.version.ref, column=name)  # fmt: skip
    if not features:
        raise _error(InvalidInput, "no_features", id=first.contract.id)
    for p in parts[1:]:
        theirs = {c.name: c.kind for c in p.version.columns}
        for name in [target, *features]:
            if name not in theirs:
                raise _error(InvalidInput, "missing_column", id=p.contract.id,
                             dataset=p.version.ref, column=name)  # fmt: skip
            if theirs[name] != kinds[name]:
                raise _error(InvalidInput, "column_kind", id=p.contract.id, column=name,
                             kind=theirs[name], expected=kinds[name],
                             first=first.contract.id)  # fmt: skip
    if spec.task == "regress" and kinds[target] != "number":
        raise _error(InvalidInput, "target_kind", column=target, kind=kinds[target])
    numeric = [f for f in features if kinds[f] in ("number", "bool")]
    if not numeric:
        raise _error(InvalidInput, "no_numeric", id=first.contract.id)
    return features, numeric


def _decide(contracts: ContractService, contract_id: int, access: Access, at: datetime) -> Decision:
    """The decision ``authorize`` would make now for an active contract, from its terms, its
    counters and the consumer's industry (nothing counted, nothing recorded)."""
    rec = contracts.store.get(contract_id)
    if rec is None or rec.get("terms") is None:
        return Decision(False)
    policy = from_jsonld(rec["terms"])
    u = contracts.store.usage(contract_id)
    industry = contracts.meta.get_org(int(rec["consumer_org_id"])).get("industry")
    request = AccessRequest(
        org=policy.assignee or "", access=access, purpose=Purpose(rec["purpose"]), at=at,
        industry=industry, rows=0, anonymised=False,
        usage=Usage(u.rows, u.queries, u.trainings, u.oldest_undeleted),
    )  # fmt: skip
    return evaluate(policy, request)
