"""The sharing service (``Platform.sharing``): one door to the catalog, contracts, the check of
every access and the usage ledger, with the owner's and the consumer's views of the ledger.

    kamp.sharing.contracts.request(supplier, offer_id, Purpose.QUALITY)
    kamp.sharing.authorize(supplier, contract_id, Access.TRAIN)   # every access, recorded
    kamp.sharing.usage(factory)                                   # who used what of ours
    kamp.sharing.inclusion_proof(factory, index)                  # this entry is in the log
    kamp.sharing.consistency_proof(factory, kept_head)            # and history was not rewritten
    kamp.sharing.deliver(supplier, contract_id)                   # a governed, watermarked export
    kamp.sharing.compute(supplier, contract_id, spec)             # compute-to-data, as a job
    kamp.sharing.pooled.compute(supplier, [7, 9], spec)           # pooled over owners, valued
    kamp.sharing.settle(factory, "2026-12")                       # the month's statement

The bodies live in their modules: :mod:`openkamp.sharing.delivery` (exports, deletion
confirmations, leak tracing, compute-to-data), :mod:`openkamp.sharing.pooled` (one model on
several contracts' data, each owner's contribution, the payment split by it),
:mod:`openkamp.sharing.earnings` (the month's usage from the ledger, statements, invoices),
:mod:`openkamp.sharing.org_industry`. Expired contracts are written by
:meth:`SharingService.sweep`, which the server runs periodically
(:meth:`SharingService.start_sweep`).

An organisation sees the ledger entries that concern it (acting or a party): its own uses and
the uses of its data. Proofs are checked against signed tree heads: an entry's inclusion against
the organisation's newest co-signed head (or the platform's when the organisation never acted,
an owner whose data is only used by others), and a head the organisation kept against today's.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openkamp.core.errors import InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role, require
from openkamp.sharing import earnings as E
from openkamp.sharing import org_industry
from openkamp.sharing.access import Decision
from openkamp.sharing.contracts import ContractService
from openkamp.sharing.delivery import Delivery, DeliveryService, LeakTrace
from openkamp.sharing.ledger import (
    ConsistencyProof,
    InclusionProof,
    Ledger,
    LedgerEntry,
    TreeHead,
    VerifyReport,
)
from openkamp.sharing.platform_secret import PlatformSecret
from openkamp.sharing.policy import Access
from openkamp.sharing.pooled import PooledService
from openkamp.sharing.settlement import DEFAULT_TZ, Invoice, Period
from openkamp.sharing.settlement_service import IssuedStatement, SettlementService
from openkamp.storage.metadata.base import MetadataStore

if TYPE_CHECKING:
    import pandas as pd

    from openkamp.ml.service import TrainSpec

log = logging.getLogger(__name__)

#: Seconds between two passes of the contract sweep in a running server.
SWEEP_INTERVAL_S = 60.0

__all__ = ["Consistency", "Inclusion", "SharingService", "UsageLine", "UsageView"]


@dataclass(frozen=True)
class UsageLine:
    """Uses of one kind by one organisation under one contract (allowed or refused)."""

    contract: str | None
    dataset: str | None
    org: str  # who acted
    kind: str  # access / export / training / settlement
    allowed: bool
    count: int = 0
    rows: int = 0


@dataclass
class UsageView:
    """The ledger entries concerning an organisation (a page) and what they add up to."""

    entries: list[LedgerEntry] = field(default_factory=list)
    lines: list[UsageLine] = field(default_factory=list)
    next_after: int | None = None  # pass as ``after`` for the next page (None: no more)

    def to_json(self) -> dict[str, Any]:
        # fmt: off
        return {
            "entries": [
                {"index": e.index, "kind": e.kind, "org": e.org, "parties": list(e.parties),
                 "contract": e.contract, "dataset": e.dataset, "details": e.details,
                 "at": e.at.isoformat()}
                for e in self.entries
            ],
            "lines": [line.__dict__ for line in self.lines],
            "next_after": self.next_after,
        }
        # fmt: on


@dataclass(frozen=True)
class Inclusion:
    """An entry, a signed tree head, and the proof that the entry is in that head's tree."""

    entry: LedgerEntry
    head: TreeHead
    proof: InclusionProof
    verified: bool

    def to_json(self) -> dict[str, Any]:
        return {"index": self.entry.index, "leaf": self.entry.leaf,
                "leaf_hash": self.entry.leaf_hash.hex(), "head": self.head.to_json(),
                "proof": self.proof.to_json(), "verified": self.verified}  # fmt: skip


@dataclass(frozen=True)
class Consistency:
    """A kept tree head, today's, and the proof that the kept tree is a prefix of today's."""

    old: TreeHead
    new: TreeHead
    proof: ConsistencyProof
    verified: bool

    def to_json(self) -> dict[str, Any]:
        return {"old": self.old.to_json(), "new": self.new.to_json(),
                "proof": self.proof.to_json(), "verified": self.verified}  # fmt: skip


class SharingService:
    """``Platform.sharing``: ``ledger``, ``contracts`` and, once the catalog module exists,
    ``catalog``; authorize and the ledger's views for organisations."""

    def __init__(
        self,
        meta: MetadataStore,
        ledger: Ledger,
        jobs: Any = None,
        *,
        catalog: Any = None,
        datasets: Any = None,
        models: Any = None,
        secret: PlatformSecret | None = None,
        folder: str | Path | None = None,
        tz: str = DEFAULT_TZ,
    ) -> None:
        self.meta = meta
        self.ledger = ledger
        self.contracts = ContractService(meta, ledger, jobs)
        if catalog is not None:
            self.catalog = catalog
        self.settlement = SettlementService(meta, ledger=ledger, tz=tz)
        self.delivery = DeliveryService(
            meta, self.contracts, datasets, secret, models=models, jobs=jobs, folder=folder
        )
        #: Pooled compute-to-data over several contracts, its valuation and payment.
        self.pooled = PooledService(meta, self.contracts, self.delivery, self.settlement)
        self._sweep_stop: threading.Event | None = None
        self._sweep_thread: threading.Thread | None = None

    @classmethod
    def at(
        cls,
        meta: MetadataStore,
        data_dir: str | Path,
        jobs: Any = None,
        *,
        datasets: Any = None,
        base_url: str = "",
        models: Any = None,
        tz: str = DEFAULT_TZ,
    ) -> SharingService:
        """The service with the ledger's keys in ``<data_dir>/keys/ledger`` and the delivery
        secret in ``<data_dir>/keys/sharing``; with the dataset service, the catalog too (its
        certificates signed with the platform's ledger key; ``base_url``: the installation's
        public address, for the DCAT IRIs); with the model registry, compute-to-data."""
        ledger = Ledger.at(meta, data_dir)
        catalog = None
        if datasets is not None:
            from openkamp.sharing.catalog import CatalogService

            catalog = CatalogService(
                meta, datasets, ledger.keys, base_url=base_url or "http://localhost:8000"
            )
        return cls(
            meta, ledger, jobs, catalog=catalog, datasets=datasets, models=models,
            secret=PlatformSecret.at(data_dir), folder=Path(data_dir) / "tmp" / "deliveries",
            tz=tz,
        )  # fmt: skip

    # -- the organisation -------------------------------------------------------------------

    def industry(self, principal: Principal) -> str | None:
        """The organisation's KSIC industry code (what an industry clause checks)."""
        return org_industry.industry(self.meta, principal)

    def set_industry(self, principal: Principal, code: str | None) -> str | None:
        """Record the organisation's KSIC code (administrators); None clears it."""
        return org_industry.set_industry(self.meta, principal, code)

    def administrators(self, principal: Principal) -> list[str]:
        """The organisation's administrators (whom a member asks to record the industry)."""
        return org_industry.administrators(self.meta, principal)

    def industry_check(
        self, principal: Principal, policy: Mapping[str, Any] | str | None
    ) -> org_industry.IndustryCheck | None:
        """What the industry clauses of an offer's or a contract's terms ask of the
        organisation (None: no such clause); ``met`` None: its code is not recorded."""
        return org_industry.industry_check(self.meta, principal, policy)

    def offer_industry_check(
        self, principal: Principal, offer_id: int
    ) -> org_industry.IndustryCheck | None:
        """:meth:`industry_check` of an offer the organisation may see (its usage policy)."""
        return self.industry_check(principal, self.catalog.get(principal, offer_id)["policy"])

    def contract_industry_check(
        self, principal: Principal, contract_id: int
    ) -> org_industry.IndustryCheck | None:
        """:meth:`industry_check` of a contract the organisation is a party to: its agreed
        terms, or the offer's while the request is not decided."""
        c = self.contracts.get(principal, contract_id)
        if c.terms is not None:
            return self.industry_check(principal, c.terms)
        offer = self.contracts.store.offer(c.offer_id) or {}
        return self.industry_check(principal, offer.get("policy"))

    # -- delivery (openkamp.sharing.delivery) -----------------------------------------------

    def deliver(
        self,
        principal: Principal,
        contract_id: int,
        *,
        columns: list[str] | None = None,
        limit: int | None = None,
    ) -> Delivery:
        """A governed, watermarked export for the contract's consumer (a CSV file)."""
        return self.delivery.deliver(principal, contract_id, columns=columns, limit=limit)

    def confirm_deleted(self, principal: Principal, delivery_id: int) -> Delivery:
        """The consumer confirms it deleted its copy."""
        return self.delivery.confirm_deleted(principal, delivery_id)

    def deliveries(self, principal: Principal, contract_id: int) -> list[Delivery]:
        """The contract's deliveries (its parties only)."""
        return self.delivery.deliveries(principal, contract_id)

    def trace_leak(
        self, principal: Principal, offer_id: int, leaked: pd.DataFrame | str | Path | bytes
    ) -> LeakTrace:
        """The contract whose export a leaked copy is (the offer's owner)."""
        return self.delivery.trace_leak(principal, offer_id, leaked)

    def compute(
        self, principal: Principal, contract_id: int, spec: TrainSpec | Mapping[str, Any]
    ) -> dict[str, Any]:
        """Compute-to-data under the contract: the job record (the owner's job; the model lands
        in the consumer's registry)."""
        return self.delivery.compute(principal, contract_id, spec)

    def compute_jobs(self, principal: Principal, contract_id: int) -> list[dict[str, Any]]:
        """The contract's compute-to-data jobs as its parties see them."""
        return self.delivery.compute_jobs(principal, contract_id)

    # -- settlement (openkamp.sharing.earnings) ---------------------------------------------

    def settle(
        self,
        principal: Principal,
        month: Period | str,
        *,
        fee_rate: Decimal | str = "0",
        revenue: Mapping[int, Decimal | str | int] | None = None,
    ) -> IssuedStatement:
        """Bill the owner's contracts of ``month`` from the month's ledger entries and issue
        its statement."""
        return E.settle(
            self.settlement, self.ledger, principal, month, fee_rate=fee_rate, revenue=revenue
        )

    def statements(self, principal: Principal) -> list[IssuedStatement]:
        """The owner's issued statements, oldest month first."""
        return self.settlement.statements(principal)

    def invoices(self, principal: Principal) -> list[Invoice]:
        """The consumer's invoices, one per month billed."""
        return E.invoices(self.settlement, principal)

    def earnings(self, principal: Principal) -> dict[str, dict[str, str]]:
        """The owner's earnings per dataset and per consumer (whole won, as text)."""
        return self.settlement.earnings(principal)

    # -- the contract sweep -----------------------------------------------------------------

    def sweep(self) -> list[int]:
        """Write ``expired`` for contracts past their time window (and cancel their jobs);
        remove delivered files left behind for an hour. The expired contracts' ids."""
        self.delivery.clean_files()
        return self.contracts.sweep()

    def start_sweep(self, interval_s: float = SWEEP_INTERVAL_S) -> bool:
        """Run :meth:`sweep` every ``interval_s`` seconds on a thread (False: already running)."""
        if self._sweep_thread is not None and self._sweep_thread.is_alive():
            return False
        stop = self._sweep_stop = threading.Event()

        def loop() -> None:
            while not stop.wait(interval_s):
                try:
                    self.sweep()
                except Exception:  # a failed pass is retried at the next one
                    log.exception("contract sweep failed")

        self._sweep_thread = threading.Thread(target=loop, name="contract-sweep", daemon=True)
        self._sweep_thread.start()
        return True

    def stop_sweep(self) -> None:
        if self._sweep_stop is not None:
            self._sweep_stop.set()
        if self._sweep_thread is not None:
            self._sweep_thread.join(timeout=10)
        self._sweep_thread = self._sweep_stop = None

    # -- every access -----------------------------------------------------------------------

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
        """:meth:`ContractService.authorize`: allowed and recorded, or refused (recorded) and
        raised."""
        return self.contracts.authorize(
            principal, contract_id, access, rows, anonymised, details=details
        )

    # -- the ledger as an organisation sees it ----------------------------------------------

    def usage(self, principal: Principal, *, after: int = -1, limit: int = 1000) -> UsageView:
        """Who used what: the ledger entries concerning the organisation (its uses and the uses
        of its data), from index ``after`` on, and their sums per contract, acting organisation,
        kind and outcome."""
        require(principal, Role.VIEWER)
        limit = max(1, min(int(limit), 10_000))
        entries = self.ledger.entries(principal.org_id, after=after, limit=limit)
        sums: dict[tuple[str | None, str | None, str, str, bool], list[int]] = {}
        for e in entries:
            allowed = e.details.get("allowed", True) is not False
            key = (e.contract, e.dataset, e.org, e.kind, allowed)
            acc = sums.setdefault(key, [0, 0])
            acc[0] += 1
            rows = e.details.get("rows", 0)
            acc[1] += rows if isinstance(rows, int) and allowed else 0
        lines = [
            UsageLine(contract, dataset, org, kind, allowed, count, rows)
            for (contract, dataset, org, kind, allowed), (count, rows) in sums.items()
        ]
        nxt = entries[-1].index if len(entries) == limit else None
        return UsageView(entries, lines, nxt)

    def head(self, principal: Principal) -> TreeHead | None:
        """The organisation's newest co-signed tree head, else the platform's newest."""
        require(principal, Role.VIEWER)
        return self.ledger.tree_head(principal.org_id) or self.ledger.tree_head()

    def inclusion_proof(self, principal: Principal, index: int) -> Inclusion:
        """Proof that ledger entry ``index`` (one concerning the organisation) is in the tree
        of the organisation's newest signed head (the platform's if that one predates it)."""
        require(principal, Role.VIEWER)
        entry = self._entry_of(principal, index)
        head = self.ledger.tree_head(principal.org_id)
        if head is None or head.tree_size <= index:
            head = self.ledger.tree_head()
        if head is None or head.tree_size <= index:
            raise NotFound(
                f"No signed tree head covers ledger entry {index} yet.",
                code="ledger.no_entry",
                params={"index": index},
            )
        proof = self.ledger.inclusion_proof(index, head.tree_size)
        ok = self.ledger.head_signed(head) and proof.verify(entry.leaf_hash, head)
        return Inclusion(entry, head, proof, ok)

    def consistency_proof(
        self, principal: Principal, kept: TreeHead | Mapping[str, Any]
    ) -> Consistency:
        """Proof that the tree of a head the organisation kept is a prefix of today's (the
        platform's newest head): the log was only appended to since. A head whose signature
        does not hold is refused (a forged head proves nothing)."""
        require(principal, Role.VIEWER)
        old = kept if isinstance(kept, TreeHead) else TreeHead.from_json(kept)
        if not self.ledger.head_signed(old):
            raise InvalidInput(
                "The tree head's signature does not hold: it was not signed by the platform "
                "or an organisation of this log.",
                code="ledger.bad_head",
                params={"reason": "signature"},
            )
        new = self.ledger.tree_head()
        if new is None or new.tree_size < old.tree_size:
            size = 0 if new is None else new.tree_size
            raise InvalidInput(
                f"The kept head covers {old.tree_size:,} entries; the log's newest {size:,}: "
                f"entries were removed.",
                code="ledger.bad_sizes",
                params={"old": old.tree_size, "new": size},
            )
        proof = self.ledger.consistency_proof(old.tree_size, new.tree_size)
        ok = self.ledger.head_signed(new) and proof.verify(old, new)
        return Consistency(old, new, proof, ok)

    def verify(self, principal: Principal, trusted: list[TreeHead] | None = None) -> VerifyReport:
        """Recompute the whole log against every signed head (and ``trusted`` kept heads)."""
        require(principal, Role.ADMIN)
        return self.ledger.verify(trusted or ())

    def export(self, principal: Principal, folder: str | Path, *, whole: bool = False) -> Path:
        """The auditor's bundle of the organisation (``whole``: the entire log, operators only);
        checked by ``verify_standalone.py``."""
        require(principal, Role.OPERATOR if whole else Role.ADMIN)
        return self.ledger.export(folder, org=None if whole else principal.org_id)

    def _entry_of(self, principal: Principal, index: int) -> LedgerEntry:
        entry = self.ledger.entry(index)
        name = str(self.meta.get_org(principal.org_id)["name"])
        if name not in entry.parties and not principal.has(Role.OPERATOR):
            # another's entry is "not found", like a missing one
            raise NotFound(
                f"No ledger entry {index}.", code="ledger.no_entry", params={"index": index}
            )
        return entry
