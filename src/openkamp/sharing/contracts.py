"""Contracts for shared data (issue 11, item 3) and the check run on every access to it.

A consumer organisation asks for a published offer with a stated purpose; the owner decides::

    c = contracts.request(supplier, offer_id, Purpose.QUALITY, "불량 예측 모델 개발")
    contracts.approve(factory, c.id)                    # the offer's terms: active at once
    contracts.approve(factory, c.id, terms=changed)     # other terms: countered ...
    contracts.accept(supplier, c.id)                    # ... until the consumer accepts
    contracts.withdraw(supplier, c.id, "필요 없어짐")      # or it takes its request back
    decision = contracts.authorize(supplier, c.id, Access.READ, rows=500)
    contracts.revoke(factory, c.id, "기술 유출 우려")     # access stops at once, jobs too

States and who moves them (any other move is a :class:`Conflict` naming the state)::

    requested ──approve──▶ active ──▶ expired    (its time window ended: on read, and by sweep)
        │  └─approve with other terms─▶ countered ──accept──▶ active
        │                                  ├──decline / reject──▶ rejected
        │                                  └──withdraw──▶ withdrawn
        ├──reject (with a reason)──▶ rejected
        └──withdraw (the consumer)──▶ withdrawn
    active ──revoke (owner, with a reason)──▶ revoked
    active ──complete (owner or consumer)──▶ completed

The owner approves, counters, rejects and revokes; the consumer requests, accepts, declines and
withdraws its request (before it is active; afterwards it completes); either completes. Who and
when are kept: ``requested_by``, ``decided_by``/``decided_at`` (the owner's decision and its
note), ``accepted_by``/``accepted_at`` (the consumer's user who accepted a counter-offer),
``starts_at`` (the moment it became active) and ``ended_by``/``ended_at``/``end_reason`` for
every end (rejected, declined, withdrawn, revoked, completed, expired). Lifecycle moves are kept
on the contract, not in the usage ledger, which records uses of the data (accesses, exports,
trainings) and settlements: a request, a decision or a withdrawal hands over no data. A contract
is visible to its two parties only; to any other organisation it does not exist
(:class:`NotFound`, as for a missing one).

**The agreement.** Approval binds an ODRL ``Agreement`` (:func:`openkamp.sharing.policy.agreement`)
built from the offer's ``Offer`` (or the owner's changed terms) with the consumer as assignee; its
clause ids live under the contract's IRI (``urn:openkamp:contract:<id>``), so a refusal names
the contract's clause. Its time window gives ``ends_at``.

**authorize.** Every read, export, training and compute-to-data job on shared rows goes through
:meth:`ContractService.authorize`, in one metadata transaction: the contract must be active, the
Agreement is evaluated (:func:`openkamp.sharing.access.evaluate`) with the contract's usage
counters, the consumer's industry and the time, and then the counters grow and a ledger entry
is appended (kind ``access``, ``export`` or ``training``; parties the owner and the consumer).
A refusal is recorded too (an ``access`` entry with ``allowed: false`` and the clause), since an
owner wants to see attempts as well as uses; then :class:`Forbidden` names the clause.

**Revocation** takes effect at the commit: the next authorize is refused. Jobs registered under
the contract (:meth:`ContractService.register_job`) are cancelled through the jobs service; a job
also calls its :meth:`ContractService.contract_guard` between steps, which stops it (cancelled,
with the reason) as soon as the contract is no longer active, even before the job's own cancel
check notices, and turns a refused access inside the job into the same cancellation.
"""

from __future__ import annotations

import builtins
import json
import math
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from types import TracebackType
from typing import Any
from urllib.parse import quote

from openkamp.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role, require
from openkamp.i18n import t
from openkamp.jobs.context import Cancelled, JobContext
from openkamp.sharing.access import AccessRequest, Decision, Usage, evaluate
from openkamp.sharing.ledger import Entry, Ledger
from openkamp.sharing.policy import (
    Access,
    Before,
    PolicyKind,
    Purpose,
    UsagePolicy,
    agreement,
)
from openkamp.sharing.policy_jsonld import from_jsonld, to_jsonld
from openkamp.sharing.pricing import parse_price
from openkamp.storage.metadata.base import MetadataStore, Record
from openkamp.storage.metadata.contracts import ContractStore, contract_store

__all__ = [
    "Contract",
    "ContractEnded",
    "ContractGuard",
    "ContractService",
    "ContractState",
    "contract_iri",
    "org_iri",
]

NOTE_MAX = 2000
_RETRIES = 5  # authorize transactions tried when another process appended to the ledger first


class ContractState(StrEnum):
    REQUESTED = "requested"
    COUNTERED = "countered"
    ACTIVE = "active"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    REVOKED = "revoked"
    COMPLETED = "completed"


S = ContractState
#: States from which nothing moves any more.
FINAL = (S.REJECTED, S.WITHDRAWN, S.EXPIRED, S.REVOKED, S.COMPLETED)
#: States a new request for the same offer by the same consumer is refused in.
OPEN = (S.REQUESTED, S.COUNTERED, S.ACTIVE)

#: The ledger kind of each access.
LEDGER_KIND = {
    Access.READ: "access",
    Access.EXPORT: "export",
    Access.REDISTRIBUTE: "export",
    Access.TRAIN: "training",
    Access.COMPUTE_TO_DATA: "training",
}


def contract_iri(contract_id: int) -> str:
    """The IRI of a contract's Agreement (its clauses are ``<iri>#<clause>``)."""
    return f"urn:openkamp:contract:{int(contract_id)}"


def org_iri(name: str) -> str:
    """An organisation's IRI where the offer's policy gives no pattern to follow."""
    return f"urn:openkamp:org:{quote(name, safe='')}"


def _consumer_iri(assigner: str, owner_name: str, consumer_name: str) -> str:
    """The consumer's IRI in the scheme of the offer's ``assigner`` (the owner's IRI ends with
    its name, as the catalog writes it), else :func:`org_iri`."""
    for owner in (quote(owner_name, safe=""), owner_name):
        if assigner.endswith(owner) and assigner[: -len(owner)][-1:] in ("/", ":", "#", "="):
            return assigner[: -len(owner)] + quote(consumer_name, safe="")
    return org_iri(consumer_name)


def _pair(prefix: str, value: str) -> dict[str, str]:
    return {lang: t(f"{prefix}.{value}", lang) for lang in ("ko", "en")}


def _pairs(prefix: str, values: Sequence[str]) -> dict[str, str]:
    sep = {"ko": ", ", "en": " or "}
    return {lang: sep[lang].join(t(f"{prefix}.{v}", lang) for v in values) for lang in sep}


def _error(cls: type[Any], reason: str, **params: object) -> Any:
    """A domain error of class ``cls`` with code ``sharing.contract.<reason>``; its English text
    from the catalogue."""
    code = f"sharing.contract.{reason}"
    hint_key = f"err.{code}.hint"
    from openkamp.i18n import MESSAGES

    hint = t(hint_key, "en", **params) if hint_key in MESSAGES else None
    return cls(t(f"err.{code}", "en", **params), hint=hint, code=code, params=params)


class ContractEnded(Forbidden):
    """An access under a contract that is not active (revoked, expired, completed …)."""


@dataclass(frozen=True)
class Contract:
    """A contract as its parties see it; ``state`` is the effective one (an active contract
    whose time window ended reads ``expired`` before the sweep writes it)."""

    id: int
    owner_org_id: int
    consumer_org_id: int
    offer_id: int
    state: ContractState
    purpose: Purpose
    request_note: str
    terms: dict[str, Any] | None  # ODRL JSON-LD: the Agreement once decided
    price: dict[str, Any] | None
    dataset: str | None  # "<dataset name>@<version>", as ledger entries name it
    requested_by: str
    created_at: datetime
    starts_at: datetime | None
    ends_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    accepted_by: str | None  # the consumer's user who accepted a counter-offer
    accepted_at: datetime | None
    ended_by: str | None
    ended_at: datetime | None
    end_reason: str | None
    updated_at: datetime | None
    secret_id: str  # names the per-contract key (pseudonymisation, watermark); never the key

    @property
    def iri(self) -> str:
        return contract_iri(self.id)

    def policy(self) -> UsagePolicy:
        """The contract's terms as a policy (the Agreement once approved)."""
        if self.terms is None:
            raise _error(NotFound, "no_terms", id=self.id)
        return from_jsonld(self.terms)

    def to_json(self) -> dict[str, Any]:
        """The contract as the API shows it (times in ISO 8601, no key name)."""

        def iso(v: datetime | None) -> str | None:
            return None if v is None else v.isoformat()

        return {
            "id": self.id, "owner_org_id": self.owner_org_id,
            "consumer_org_id": self.consumer_org_id, "offer_id": self.offer_id,
            "state": self.state.value, "purpose": self.purpose.value,
            "request_note": self.request_note, "terms": self.terms, "price": self.price,
            "dataset": self.dataset, "requested_by": self.requested_by,
            "created_at": iso(self.created_at), "starts_at": iso(self.starts_at),
            "ends_at": iso(self.ends_at), "decided_by": self.decided_by,
            "decided_at": iso(self.decided_at), "decision_note": self.decision_note,
            "accepted_by": self.accepted_by, "accepted_at": iso(self.accepted_at),
            "ended_by": self.ended_by, "ended_at": iso(self.ended_at),
            "end_reason": self.end_reason, "updated_at": iso(self.updated_at),
        }  # fmt: skip


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _json(value: Any) -> dict[str, Any] | None:
    if value is None or value == "":
        return None
    return dict(json.loads(value)) if isinstance(value, str) else dict(value)


def _dataset_ref(offer: Record | None) -> str | None:
    if offer is None:
        return None
    name, version = offer.get("dataset_name"), offer.get("dataset_version")
    if not name:
        return None
    return f"{name}@{version}" if version is not None else str(name)


class ContractService:
    """Contracts between an offer's owner and a consumer, and authorization of every access
    under them (module docstring). ``jobs`` is the jobs service revocation cancels through;
    ``clock`` gives the time (tests move it)."""

    def __init__(
        self,
        meta: MetadataStore,
        ledger: Ledger,
        jobs: Any = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.meta = meta
        self.ledger = ledger
        self.jobs = jobs
        self.store: ContractStore = contract_store(meta)
        self.clock: Callable[[], datetime] = clock or _utcnow

    def now(self) -> datetime:
        return self.clock()

    # -- reading ----------------------------------------------------------------------------

    def get(self, principal: Principal, contract_id: int) -> Contract:
        """A contract the principal's organisation is a party to (else NotFound)."""
        require(principal, Role.VIEWER)
        rec = self._party_record(principal, contract_id)
        return self._contract(rec, self.now())

    def list(
        self,
        principal: Principal,
        *,
        role: str | None = None,
        state: str | ContractState | None = None,
        offer_id: int | None = None,
        limit: int = 500,
    ) -> builtins.list[Contract]:
        """The organisation's contracts, newest first: as ``owner``, as ``consumer`` or both
        (``role`` None); ``state`` filters on the effective state."""
        require(principal, Role.VIEWER)
        org = principal.org_id
        if role not in (None, "owner", "consumer"):
            raise _error(InvalidInput, "bad_value", field="role", value=str(role),
                         allowed="owner, consumer")  # fmt: skip
        wanted = None if state is None else _choice(ContractState, state, "state")
        recs = self.store.list(
            owner=org if role == "owner" else None,
            consumer=org if role == "consumer" else None,
            either=org if role is None else None,
            offer_id=offer_id,
            # an expired contract may still be stored as active
            states=None if wanted is None else
            [wanted.value, S.ACTIVE.value] if wanted is S.EXPIRED else [wanted.value],
            limit=limit,
        )  # fmt: skip
        now = self.now()
        out = [self._contract(r, now) for r in recs]
        return out if wanted is None else [c for c in out if c.state is wanted]

    def usage(self, principal: Principal, contract_id: int) -> Usage:
        """The contract's usage counters (rows delivered, accesses, trainings)."""
        require(principal, Role.VIEWER)
        self._party_record(principal, contract_id)
        u = self.store.usage(contract_id)
        return Usage(u.rows, u.queries, u.trainings, u.oldest_undeleted)

    # -- the lifecycle ----------------------------------------------------------------------

    def request(
        self,
        principal: Principal,
        offer_id: int,
        purpose: Purpose | str,
        note: str = "",
    ) -> Contract:
        """Ask for a published offer (another organisation's) for a stated purpose."""
        require(principal, Role.ENGINEER)
        purpose = _purpose(purpose)
        note = _text(note, "request_note")
        now = self.now()
        with self.meta.transaction():
            offer = self.store.offer(offer_id)
            if offer is None:
                raise _error(NotFound, "offer_not_found", id=offer_id)
            if int(offer["org_id"]) == principal.org_id:
                # (an unpublished offer of another organisation is "not found" first)
                raise _error(InvalidInput, "own_offer")
            if offer.get("state") != "published":
                raise _error(NotFound, "offer_not_found", id=offer_id)
            for other in self.store.list(
                consumer=principal.org_id, offer_id=offer_id, states=[s.value for s in OPEN]
            ):
                state = self._contract(other, now).state
                if state in OPEN:
                    raise _error(
                        Conflict, "duplicate", id=other["id"],
                        state=_pair("sharing.contract.state", state.value),
                    )  # fmt: skip
            rec = self.store.insert(
                {
                    "org_id": int(offer["org_id"]),
                    "offer_id": int(offer_id),
                    "consumer_org_id": principal.org_id,
                    "requested_by": principal.name,
                    "purpose": purpose.value,
                    "request_note": note,
                    "state": S.REQUESTED.value,
                    "terms": None,
                    "price": offer.get("price"),
                    "secret_id": secrets.token_hex(16),
                    "created_at": now,
                    "updated_at": now,
                }
            )
        return self._contract(rec, now)

    def approve(
        self,
        principal: Principal,
        contract_id: int,
        *,
        terms: UsagePolicy | Mapping[str, Any] | str | None = None,
        price: Mapping[str, Any] | None = None,
        note: str = "",
    ) -> Contract:
        """The owner approves a request: with the offer's terms (and price) it is active at
        once; with changed ``terms`` (an ODRL Offer of the same dataset and owner) or ``price``
        it is countered, and active once the consumer accepts."""
        require(principal, Role.ADMIN)
        note = _text(note, "decision_note")
        now = self.now()
        with self.meta.transaction():
            rec = self._act(principal, contract_id, "approve", "owner", [S.REQUESTED])
            offer = self.store.offer(rec["offer_id"])
            if offer is None:
                raise _error(NotFound, "offer_not_found", id=rec["offer_id"])
            offered = from_jsonld(offer["policy"])
            proposed = offered if terms is None else _terms(terms, offered)
            changed = to_jsonld(proposed) != to_jsonld(offered)
            if price is not None:
                if not isinstance(price, Mapping):
                    raise _error(InvalidInput, "price")
                proposed_price = parse_price(price).to_json()  # InvalidInput sharing.price.*
                new_price: str | None = json.dumps(proposed_price, ensure_ascii=False)
                changed = changed or proposed_price != _canonical_price(offer.get("price"))
            else:
                new_price = offer.get("price")
            owner = self.meta.get_org(int(rec["org_id"]))
            consumer = self.meta.get_org(int(rec["consumer_org_id"]))
            bound = agreement(
                proposed,
                contract_iri(contract_id),
                _consumer_iri(proposed.assigner, str(owner["name"]), str(consumer["name"])),
            )
            values: Record = {
                "terms": json.dumps(to_jsonld(bound), ensure_ascii=False),
                "price": new_price,
                "decided_by": principal.name,
                "decided_at": now,
                "decision_note": note,
                "ends_at": _window_end(bound),
                "updated_at": now,
            }
            if changed:
                values["state"] = S.COUNTERED.value
            else:
                values.update(state=S.ACTIVE.value, starts_at=now)
            rec = self._update(rec, values, "approve")
        return self._contract(rec, now)

    def accept(self, principal: Principal, contract_id: int) -> Contract:
        """The consumer accepts the owner's changed terms: the contract is active, and who
        accepted it and when are kept (``accepted_by``, ``accepted_at``)."""
        require(principal, Role.ADMIN)
        now = self.now()
        with self.meta.transaction():
            rec = self._act(principal, contract_id, "accept", "consumer", [S.COUNTERED])
            rec = self._update(rec, {
                "state": S.ACTIVE.value, "starts_at": now, "accepted_by": principal.name,
                "accepted_at": now, "updated_at": now,
            }, "accept")  # fmt: skip
        return self._contract(rec, now)

    def decline(self, principal: Principal, contract_id: int, reason: str = "") -> Contract:
        """The consumer declines the owner's changed terms: the contract is rejected."""
        require(principal, Role.ADMIN)
        return self._end(principal, contract_id, "decline", "consumer", [S.COUNTERED],
                         S.REJECTED, reason)  # fmt: skip

    def withdraw(self, principal: Principal, contract_id: int, reason: str = "") -> Contract:
        """The consumer takes back its own request before it is active (requested, or
        countered by the owner): the contract is withdrawn, a final state; the owner sees who
        withdrew it, when and why (the optional ``reason``). A new request for the offer may
        follow. An active contract is completed instead (:meth:`complete`)."""
        require(principal, Role.ENGINEER)  # who may request may take the request back
        return self._end(principal, contract_id, "withdraw", "consumer",
                         [S.REQUESTED, S.COUNTERED], S.WITHDRAWN,
                         _text(reason, "end_reason"))  # fmt: skip

    def reject(self, principal: Principal, contract_id: int, reason: str) -> Contract:
        """The owner rejects a request (or withdraws its changed terms), saying why."""
        require(principal, Role.ADMIN)
        reason = _reason(reason, "reject")
        now = self.now()
        with self.meta.transaction():
            rec = self._act(principal, contract_id, "reject", "owner", [S.REQUESTED, S.COUNTERED])
            rec = self._update(rec, {
                "state": S.REJECTED.value, "decided_by": principal.name, "decided_at": now,
                "decision_note": reason, "ended_by": principal.name, "ended_at": now,
                "end_reason": reason, "updated_at": now,
            }, "reject")  # fmt: skip
        return self._contract(rec, now)

    def revoke(self, principal: Principal, contract_id: int, reason: str) -> Contract:
        """The owner revokes an active contract, saying why. Access stops at the commit; every
        job registered under the contract is cancelled (:meth:`contract_guard`)."""
        require(principal, Role.ADMIN)
        reason = _reason(reason, "revoke")
        contract = self._end(principal, contract_id, "revoke", "owner", [S.ACTIVE],
                             S.REVOKED, reason)  # fmt: skip
        self.cancel_jobs(contract)
        return contract

    def complete(self, principal: Principal, contract_id: int, note: str = "") -> Contract:
        """Either party ends an active contract (the work is done)."""
        require(principal, Role.ENGINEER)
        contract = self._end(principal, contract_id, "complete", "party", [S.ACTIVE],
                             S.COMPLETED, _text(note, "end_reason"))  # fmt: skip
        self.cancel_jobs(contract)
        return contract

    def sweep(self) -> builtins.list[int]:
        """Write ``expired`` for active contracts whose time window has ended (reads already
        show them expired); cancels their jobs. Returns their ids."""
        now = self.now()
        done = []
        for rec in self.store.ended_by_time(now):
            with self.meta.transaction():
                got = self.store.update(rec["id"], S.ACTIVE.value, self._expiry(rec))
            if got is not None:
                done.append(int(rec["id"]))
                self.cancel_jobs(self._contract(got, now))
        return done

    # -- jobs under a contract --------------------------------------------------------------

    def register_job(
        self, principal: Principal, contract_id: int, job_id: int, *, pooled: bool = False
    ) -> None:
        """Record that job ``job_id`` (of the principal's organisation) works under the contract,
        so that revoking or ending the contract cancels it. A job works under one contract,
        except a ``pooled`` one (:mod:`openkamp.sharing.pooled`), registered under each
        contract whose data it pools."""
        require(principal, Role.ENGINEER)
        with self.meta.transaction():
            rec = self._party_record(principal, contract_id)
            self.meta.get(principal.org_id, "job", job_id)  # NotFound for another's job
            state = self._state(rec, self.now())
            if state is not S.ACTIVE:
                raise self._not_active(rec, state)
            if not self.store.add_job(contract_id, job_id, shared=pooled):
                raise _error(Conflict, "job_taken", job=job_id, id=contract_id)

    def cancel_jobs(self, contract: Contract) -> builtins.list[int]:
        """Cancel every queued or running job registered under the contract; their ids."""
        if self.jobs is None:
            return []
        cancelled = []
        who = f"contract {contract.id} {contract.state.value}"
        for job_id in self.store.jobs(contract.id):
            for org in (contract.consumer_org_id, contract.owner_org_id):
                try:
                    job = self.meta.get(org, "job", job_id)
                except NotFound:
                    continue
                if job["status"] in ("queued", "running"):
                    acting = Principal(org_id=org, name=who, roles=frozenset({Role.ENGINEER}))
                    self.jobs.cancel(acting, job_id)
                    cancelled.append(job_id)
                break
        return cancelled

    def contract_guard(self, contract_id: int, ctx: JobContext | None = None) -> ContractGuard:
        """The check a job under the contract calls between steps: it raises
        :class:`~openkamp.jobs.context.Cancelled` with the reason once the contract is no longer
        active (and the job's own cancel check, given ``ctx``). Used as a context manager around
        the steps, it also turns a refusal of :meth:`authorize` for an ended contract into the
        same cancellation, so a revocation between two checks never fails the job."""
        return ContractGuard(self, int(contract_id), ctx)

    # -- authorization of every access ------------------------------------------------------

    def authorize(
        self,
        principal: Principal,
        contract_id: int,
        access: Access | str,
        rows: int = 0,
        anonymised: bool = False,
        *,
        details: Mapping[str, Any] | None = None,
    ) -> Decision:
        """Decide one access to the contract's data and record it (module docstring). Allowed:
        the usage counters grow and a ledger entry is appended, in one transaction; returns the
        decision (with the duties it carries). Refused: a refusal entry is appended, then
        :class:`Forbidden` names the clause (code ``policy.refused.<clause kind>``), or
        :class:`ContractEnded` when the contract is not active. ``details`` go into the ledger
        entry (e.g. the delivery's checksum)."""
        require(principal, Role.VIEWER)
        what: Access = _choice(Access, access, "access")
        if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
            raise _error(InvalidInput, "bad_value", field="rows", value=str(rows),
                         allowed="0, 1, 2, …")  # fmt: skip
        for attempt in range(_RETRIES):
            try:
                decision, refusal = self._authorize(
                    principal, int(contract_id), what, rows, anonymised, details or {}
                )
                break
            except Conflict as exc:  # another process appended to the ledger first
                if exc.code != "ledger.busy" or attempt == _RETRIES - 1:
                    raise
                time.sleep(0.005 * (attempt + 1))
        if refusal is not None:
            raise refusal
        return decision

    def _authorize(
        self,
        principal: Principal,
        contract_id: int,
        access: Access,
        rows: int,
        anonymised: bool,
        details: Mapping[str, Any],
    ) -> tuple[Decision, Exception | None]:
        with self.meta.transaction():
            at = self.now()
            rec = self._party_record(principal, contract_id)
            owner, consumer = int(rec["org_id"]), int(rec["consumer_org_id"])
            offer = self.store.offer(rec["offer_id"])
            base: dict[str, Any] = {
                "access": access.value, "rows": rows if access.delivers_rows else 0,
                "anonymised": bool(anonymised), "purpose": rec["purpose"],
            }  # fmt: skip
            if principal.org_id != consumer:
                base["on_behalf_of"] = str(self.meta.get_org(consumer)["name"])
            dataset = _dataset_ref(offer)

            def record(kind: str, **outcome: Any) -> None:
                self.ledger.append(principal.org_id, [Entry(
                    kind, dataset=dataset, contract=contract_id, parties=[owner, consumer],
                    details={**base, **details, **outcome}, at=at,
                )])  # fmt: skip

            stored = ContractState(rec["state"])
            if stored is not S.ACTIVE:
                record("access", allowed=False, state=stored.value)
                return Decision(False), self._not_active(rec, stored)
            policy = from_jsonld(rec["terms"])
            u = self.store.usage(contract_id)
            request = AccessRequest(
                org=policy.assignee or "",  # the use is the consumer's, whoever runs it
                access=access,
                purpose=Purpose(rec["purpose"]),
                at=at,
                industry=self.meta.get_org(consumer).get("industry"),
                rows=rows,
                anonymised=anonymised,
                usage=Usage(u.rows, u.queries, u.trainings, u.oldest_undeleted),
            )
            decision = evaluate(policy, request)
            if decision.refusal is not None:
                r = decision.refusal
                record("access", allowed=False, clause=r.clause, reason=r.kind)
                return decision, _refused(decision)
            if rec["ends_at"] is not None and at >= rec["ends_at"]:
                # (the policy has no such window, yet the contract's ended)
                record("access", allowed=False, state=S.EXPIRED.value)
                return Decision(False), self._not_active(rec, S.EXPIRED)
            self.store.add_usage(
                contract_id,
                rows=base["rows"],
                queries=1,
                trainings=1 if access.is_training else 0,
                at=at,
            )
            record(LEDGER_KIND[access], allowed=True, permission=decision.permission)
        return decision, None

    # -- inside -----------------------------------------------------------------------------

    def _party_record(self, principal: Principal, contract_id: int) -> Record:
        """The stored contract if the principal's organisation is a party, else NotFound."""
        rec = self.store.get(contract_id)
        if rec is None or principal.org_id not in (rec["org_id"], rec["consumer_org_id"]):
            raise _error(NotFound, "not_found", id=contract_id)
        return rec

    def _act(
        self,
        principal: Principal,
        contract_id: int,
        action: str,
        role: str,
        allowed: Sequence[ContractState],
    ) -> Record:
        """The contract ``principal`` may move by ``action``: a party (NotFound otherwise), in
        the right role (Forbidden), in one of the ``allowed`` states (Conflict). A contract
        past its time window is expired (the sweep writes it)."""
        rec = self._party_record(principal, contract_id)
        org = principal.org_id
        if (role == "owner" and org != rec["org_id"]) or (
            role == "consumer" and org != rec["consumer_org_id"]
        ):
            raise _error(
                Forbidden, "not_party", id=contract_id,
                action=_pair("sharing.contract.action", action),
                role=_pair("sharing.contract.role", role),
            )  # fmt: skip
        state = self._state(rec, self.now())  # an active one past its window reads expired
        if state not in allowed:
            raise _error(
                Conflict, "state", id=contract_id,
                state=_pair("sharing.contract.state", state.value),
                action=_pair("sharing.contract.action", action),
                allowed=_pairs("sharing.contract.state", [s.value for s in allowed]),
            )  # fmt: skip
        return rec

    def _end(
        self,
        principal: Principal,
        contract_id: int,
        action: str,
        role: str,
        allowed: Sequence[ContractState],
        to: ContractState,
        reason: str,
    ) -> Contract:
        now = self.now()
        with self.meta.transaction():
            rec = self._act(principal, contract_id, action, role, allowed)
            rec = self._update(rec, {
                "state": to.value, "ended_by": principal.name, "ended_at": now,
                "end_reason": reason, "updated_at": now,
            }, action)  # fmt: skip
        return self._contract(rec, now)

    def _update(self, rec: Record, values: Record, action: str) -> Record:
        got = self.store.update(rec["id"], rec["state"], values)
        if got is None:  # moved by someone else since it was read (another process)
            raise _error(
                Conflict, "state", id=rec["id"],
                state=_pair("sharing.contract.state", (self.store.get(rec["id"]) or rec)["state"]),
                action=_pair("sharing.contract.action", action),
                allowed=_pairs("sharing.contract.state", [rec["state"]]),
            )  # fmt: skip
        return got

    def _expiry(self, rec: Record) -> Record:
        reason = (
            t("sharing.contract.expired_reason", "ko")
            + " / "
            + t("sharing.contract.expired_reason", "en")
        )
        return {"state": S.EXPIRED.value, "ended_by": "system", "ended_at": rec["ends_at"],
                "end_reason": reason, "updated_at": self.now()}  # fmt: skip

    @staticmethod
    def _state(rec: Record, now: datetime) -> ContractState:
        state = ContractState(rec["state"])
        if state is S.ACTIVE and rec["ends_at"] is not None and now >= rec["ends_at"]:
            return S.EXPIRED
        return state

    def _not_active(self, rec: Record, state: ContractState) -> ContractEnded:
        err: ContractEnded = _error(
            ContractEnded, "not_active", id=rec["id"],
            state=_pair("sharing.contract.state", state.value),
        )  # fmt: skip
        return err

    def _contract(self, rec: Record, now: datetime) -> Contract:
        offer = self.store.offer(rec["offer_id"])
        return Contract(
            id=int(rec["id"]), owner_org_id=int(rec["org_id"]),
            consumer_org_id=int(rec["consumer_org_id"]), offer_id=int(rec["offer_id"]),
            state=self._state(rec, now), purpose=Purpose(rec["purpose"]),
            request_note=rec.get("request_note") or "", terms=_json(rec.get("terms")),
            price=_json(rec.get("price")), dataset=_dataset_ref(offer),
            requested_by=rec.get("requested_by") or "", created_at=rec["created_at"],
            starts_at=rec.get("starts_at"), ends_at=rec.get("ends_at"),
            decided_by=rec.get("decided_by"), decided_at=rec.get("decided_at"),
            decision_note=rec.get("decision_note"), accepted_by=rec.get("accepted_by"),
            accepted_at=rec.get("accepted_at"), ended_by=rec.get("ended_by"),
            ended_at=rec.get("ended_at"), end_reason=rec.get("end_reason"),
            updated_at=rec.get("updated_at"), secret_id=rec.get("secret_id") or "",
        )  # fmt: skip


class ContractGuard:
    """A job's check of its contract (:meth:`ContractService.contract_guard`): call it between
    steps; use it as a context manager around them."""

    def __init__(self, service: ContractService, contract_id: int, ctx: JobContext | None) -> None:
        self.service = service
        self.contract_id = contract_id
        self.ctx = ctx

    def __call__(self) -> None:
        rec = self.service.store.get(self.contract_id)
        if rec is None:
            self._stop(S.REVOKED, "")
            return
        state = self.service._state(rec, self.service.now())
        if state is not S.ACTIVE:
            self._stop(state, rec.get("end_reason") or "")
        if self.ctx is not None:
            self.ctx.check()

    def _stop(self, state: ContractState, reason: str) -> None:
        pair = _pair("sharing.contract.state", state.value)
        text = " / ".join(
            t("sharing.contract.job_stopped", lang, id=self.contract_id, state=pair, reason=reason)
            for lang in ("ko", "en")
        )
        if self.ctx is not None:
            self.ctx.log(text)
            self.ctx.progress(math.nan, text)
        raise Cancelled(text)

    def __enter__(self) -> ContractGuard:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if isinstance(exc, ContractEnded):
            self()  # the contract ended between two checks: stop as the check would
            raise Cancelled(str(exc)) from exc  # (not reached unless it is active again)


def _refused(decision: Decision) -> Forbidden:
    r = decision.refusal
    assert r is not None
    return Forbidden(r.text("en"), code=r.code, params={"clause": r.clause, **r.params})


def _choice(enum: type[Any], value: object, field: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        raise _error(InvalidInput, "bad_value", field=field, value=str(value),
                     allowed=", ".join(m.value for m in enum)) from None  # fmt: skip


def _purpose(value: Purpose | str) -> Purpose:
    try:
        return Purpose(value)
    except ValueError:
        raise _error(
            InvalidInput, "purpose", value=str(value), allowed=", ".join(p.value for p in Purpose)
        ) from None


def _text(value: str, field: str) -> str:
    value = str(value or "").strip()
    if len(value) > NOTE_MAX:
        raise _error(InvalidInput, "text_too_long", field=field, limit=NOTE_MAX)
    return value


def _reason(value: str, action: str) -> str:
    value = _text(value, "reason")
    if not value:
        raise _error(InvalidInput, "reason_required",
                     action=_pair("sharing.contract.action", action))  # fmt: skip
    return value


def _terms(terms: UsagePolicy | Mapping[str, Any] | str, offered: UsagePolicy) -> UsagePolicy:
    policy = terms if isinstance(terms, UsagePolicy) else from_jsonld(terms)
    if policy.kind is not PolicyKind.OFFER:
        raise _error(InvalidInput, "terms_kind")
    for field in ("target", "assigner"):
        if getattr(policy, field) != getattr(offered, field):
            raise _error(InvalidInput, "terms_target", field=field)
    return policy


def _canonical_price(text: str | None) -> dict[str, Any] | None:
    """The offer's price as :func:`parse_price` writes it (as stored, if it does not parse)."""
    try:
        return parse_price(text or "{}").to_json()
    except InvalidInput:
        return _json(text)


def _window_end(policy: UsagePolicy) -> datetime | None:
    """When the agreement's time window ends: the latest end among its permissions (None if
    one is open-ended)."""
    ends = []
    for perm in policy.permissions:
        mine = [c.at for c in perm.constraints if isinstance(c, Before)]
        if not mine:
            return None
        ends.append(min(mine))
    return max(ends) if ends else None
