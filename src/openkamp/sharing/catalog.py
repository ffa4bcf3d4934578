"""The data catalog (issue 11, item 1): organisations offer dataset versions, others find them.

::

    catalog = CatalogService(meta, datasets, keys, base_url="https://kamp.example.kr")
    offer = catalog.create(owner, "press-shots", "press-shots@3", title_ko=…, title_en=…,
                           description_ko=…, description_en=…, equipment_type="press",
                           industry="C29", problem="defect",
                           price={"model": "flat", "amount": "300000"},
                           policy={"purposes": ["quality"], "max_rows": 100000})
    catalog.publish(owner, offer["id"])
    catalog.search(supplier, text="프레스", min_grade="B")        # published offers, any owner
    catalog.mark_golden(operator, offer["id"])                      # the platform operator only
    catalog.dcat_catalog(supplier)                                  # DCAT-AP 3.0 JSON-LD

**An offer** is one immutable dataset version of the owner's organisation with catalog fields in
Korean and English, an equipment type, a KSIC industry code and a manufacturing problem; what
the platform computes from the data: its coverage, an anonymised preview and its signed quality
certificate (:mod:`openkamp.sharing.certificate`); the price model (validated by
:func:`openkamp.sharing.pricing.parse_price`) and the usage policy, an ODRL Offer built with
:func:`openkamp.sharing.policy.offer` (uid ``urn:openkamp:offer:<id>``, target
``urn:openkamp:dataset:<org>/<dataset>@<version>``, assigner ``urn:openkamp:org:<org>``).

**States**: ``draft`` (the owner edits it; nobody else sees it) → ``published`` (in every
organisation's search) → ``withdrawn`` (gone from the search; contracts already made keep their
own terms; it can be published again). Engineers create and edit drafts; publishing and
withdrawing offers data to other organisations, so it needs an administrator.

**What another organisation sees**: only published offers, and of them only the catalog fields
(:data:`PUBLIC_FIELDS`), the owner organisation's name, the certificate and the preview; never
the dataset itself (rows reach a consumer only through a contract, openkamp.sharing.contracts).

**The anonymised preview** (:mod:`openkamp.sharing.preview`): at most 20 rows, ids and groups
pseudonymised under a key that is discarded, times generalised to the day, free text dropped,
numbers rounded to three significant digits.

**Golden datasets**: the platform operator (``Role.OPERATOR``) marks published offers whose
certificate carries a valid platform signature; search can ask for golden offers only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from sqlalchemy import func, or_, select

from openkamp.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role, require
from openkamp.i18n import MESSAGES, t
from openkamp.quality.profile import INDICES
from openkamp.sharing import certificate as C
from openkamp.sharing import dcat as D
from openkamp.sharing import policy as P
from openkamp.sharing.offer_fields import (
    EQUIPMENT,
    MAX_TITLE,
    POLICY_CLAUSES,
    PROBLEMS,
    check_fields,
    check_name,
    check_transforms,
    clauses_of,
    policy_clauses,
)
from openkamp.sharing.offer_fields import error as _error
from openkamp.sharing.policy_jsonld import to_jsonld
from openkamp.sharing.preview import PREVIEW_ROWS, anonymised_preview, coverage
from openkamp.storage.metadata.schema import offers, orgs

if TYPE_CHECKING:
    from openkamp.datasets._version import DatasetVersion
    from openkamp.datasets.service import DatasetRef, DatasetService
    from openkamp.sharing.keys import LedgerKeys
    from openkamp.storage.metadata.base import MetadataStore, Record, RecordKind

__all__ = [
    "MAX_PAGE",
    "POLICY_CLAUSES",
    "PREVIEW_ROWS",
    "PROBLEMS",
    "PUBLIC_FIELDS",
    "STATES",
    "CatalogService",
    "anonymised_preview",
    "dataset_iri",
    "draft_only",
    "offer_iri",
    "org_iri",
]

_OFFER = cast("RecordKind", "offer")
#: Offer states.
STATES = ("draft", "published", "withdrawn")
#: Largest page of a search.
MAX_PAGE = 100
#: Fields of a published offer another organisation sees (with its owner's names).
PUBLIC_FIELDS = (
    "id", "name", "dataset_name", "dataset_version", "schema_hash", "content_hash", "title_ko",
    "title_en", "description_ko", "description_en", "equipment_type", "industry", "problem",
    "coverage", "preview", "certificate", "price", "policy", "transforms", "state", "golden",
    "golden_at", "created_at", "updated_at",
)  # fmt: skip
_EDITABLE = (
    "title_ko", "title_en", "description_ko", "description_en", "equipment_type", "industry",
    "problem", "price", "policy", "dataset", "transforms",
)  # fmt: skip
_GRADES = ("A", "B", "C", "D")


def org_iri(name: str) -> str:
    """An organisation's IRI in the usage policies (as openkamp.sharing.contracts reads them)."""
    return f"urn:openkamp:org:{quote(name, safe='')}"


def offer_iri(offer_id: int) -> str:
    """The IRI of an offer's ODRL Offer (its clauses are ``<iri>#<clause>``)."""
    return f"urn:openkamp:offer:{int(offer_id)}"


def dataset_iri(org_name: str, dataset: str, version: int) -> str:
    """The IRI of a dataset version, the target of the offer's usage policy."""
    return f"urn:openkamp:dataset:{quote(org_name, safe='')}/{quote(dataset, safe='')}@{version}"


# --- the service -----------------------------------------------------------------------------


class CatalogService:
    """Offers of dataset versions: the owner's side (create, update, publish, withdraw), the
    catalog every organisation searches, the operator's golden datasets and the DCAT-AP export.

    ``keys`` holds the platform key that signs certificates (the ledger's); ``base_url`` is the
    installation's public address (the DCAT IRIs); ``now`` a clock for tests."""

    def __init__(
        self,
        meta: MetadataStore,
        datasets: DatasetService,
        keys: LedgerKeys,
        *,
        base_url: str = "http://localhost:8000",
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.meta = meta
        self.datasets = datasets
        self.keys = keys
        self.base_url = base_url.rstrip("/")
        self.now = now or (lambda: datetime.now(UTC))

    # -- the owner ----------------------------------------------------------------------------

    def create(
        self,
        principal: Principal,
        name: str,
        dataset: DatasetRef,
        *,
        title_ko: str,
        title_en: str,
        description_ko: str,
        description_en: str,
        equipment_type: str,
        industry: str,
        problem: str,
        price: Mapping[str, Any] | str,
        policy: Mapping[str, Any] | None = None,
        transforms: Mapping[str, Any] | None = None,
    ) -> Record:
        """A draft offer of the dataset version ``dataset`` of the principal's organisation
        (``"name@3"``, ``"name"`` for the latest, or its id); everything is checked, and the
        certificate, coverage and preview computed, before anything is written. ``transforms``:
        what its governed exports apply (a TransformSpec document; None: the default)."""
        require(principal, Role.ENGINEER)
        name = check_name(name)
        fields = check_fields(
            {
                "title_ko": title_ko,
                "title_en": title_en,
                "description_ko": description_ko,
                "description_en": description_en,
                "equipment_type": equipment_type,
                "industry": industry,
                "problem": problem,
                "price": price,
            }
        )
        clauses = policy_clauses(policy)
        if self.meta.find(principal.org_id, _OFFER, name=name):  # before the costly part
            raise _error(Conflict, "duplicate", name=name)
        v = self.datasets.get(principal, dataset)
        spec = check_transforms(transforms, [c.name for c in v.columns])
        computed = self._computed(principal, v)
        owner = str(self.meta.get_org(principal.org_id)["name"])
        self._policy(owner, 0, v, clauses)  # refuse bad terms before writing
        now = self.now()
        with self.meta.transaction():
            if self.meta.find(principal.org_id, _OFFER, name=name):  # made meanwhile
                raise _error(Conflict, "duplicate", name=name)
            rec = self.meta.insert(
                principal.org_id,
                _OFFER,
                {
                    "name": name,
                    **fields,
                    **computed,
                    "policy": {},
                    "transforms": spec,
                    "state": "draft",
                    "golden": 0,
                    "created_by": principal.name,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            terms = self._policy(owner, int(rec["id"]), v, clauses)
            rec = self.meta.update(principal.org_id, _OFFER, rec["id"], {"policy": terms})
        return self._owner_view(rec)

    def update(self, principal: Principal, offer_id: int, **changes: Any) -> Record:
        """Change a draft: any of the catalog fields, ``price``, ``policy`` (the clauses, all
        of them: they replace the old ones) or ``dataset`` (another version: certificate,
        coverage and preview are computed again), each checked as :meth:`create` checks it.
        A published or withdrawn offer is not changed (:class:`Conflict`
        ``sharing.catalog.not_draft``): its terms are what requests and contracts refer to,
        so a change is a new offer."""
        require(principal, Role.ENGINEER)
        unknown = sorted(set(changes) - set(_EDITABLE))
        if unknown:
            raise _error(InvalidInput, "field", field=unknown[0], allowed=", ".join(_EDITABLE))
        fields = check_fields(changes)
        clauses = policy_clauses(changes["policy"]) if "policy" in changes else None
        rec = self._own(principal, offer_id)
        draft_only(rec)
        owner = str(self.meta.get_org(principal.org_id)["name"])
        if "dataset" in changes:
            v = self.datasets.get(principal, changes["dataset"])
            fields.update(self._computed(principal, v))
        else:
            v = self.datasets.get(principal, int(rec["dataset_id"]))
        if clauses is None and "dataset" in changes:  # same clauses, new target
            clauses = clauses_of(rec)
        if clauses is not None:
            fields["policy"] = self._policy(owner, int(rec["id"]), v, clauses)
        if "transforms" in changes or "dataset" in changes:  # (named columns of the version)
            spec = changes["transforms"] if "transforms" in changes else rec.get("transforms")
            fields["transforms"] = check_transforms(spec, [c.name for c in v.columns])
        with self.meta.transaction():
            rec = self._own(principal, offer_id)
            draft_only(rec)
            rec = self.meta.update(
                principal.org_id, _OFFER, rec["id"], {**fields, "updated_at": self.now()}
            )
        return self._owner_view(rec)

    def publish(self, principal: Principal, offer_id: int) -> Record:
        """Put a draft (or a withdrawn offer) in the catalog every organisation searches."""
        return self._move(principal, offer_id, ("draft", "withdrawn"), "published")

    def withdraw(self, principal: Principal, offer_id: int) -> Record:
        """Take a published offer out of the catalog (contracts made keep their terms)."""
        return self._move(principal, offer_id, ("published",), "withdrawn")

    def list_own(self, principal: Principal, state: str | None = None) -> list[Record]:
        """The organisation's offers (every state, or ``state``), newest first."""
        require(principal, Role.VIEWER)
        if state is not None and state not in STATES:
            raise _error(InvalidInput, "filter", field="state", value=P.shown(state))
        equals = {} if state is None else {"state": state}
        recs = self.meta.find(principal.org_id, _OFFER, **equals)
        return [self._owner_view(r) for r in sorted(recs, key=lambda r: -int(r["id"]))]

    # -- every organisation -------------------------------------------------------------------

    def get(self, principal: Principal, offer_id: int) -> Record:
        """One offer: the owner sees its own in any state; any other organisation a published
        offer's catalog fields only (anything else is "not found")."""
        require(principal, Role.VIEWER)
        rec = self._read(offer_id)
        if rec is not None and int(rec["org_id"]) == principal.org_id:
            return self._owner_view(rec)
        if rec is None or rec["state"] != "published":
            raise _error(NotFound, "not_found", id=offer_id)
        return self._public_view(rec)

    def search(
        self,
        principal: Principal,
        *,
        text: str | None = None,
        equipment_type: str | None = None,
        industry: str | None = None,
        problem: str | None = None,
        golden: bool = False,
        min_grade: str | None = None,
        price_model: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> dict[str, Any]:
        """Published offers of every organisation matching every filter given: ``text`` in a
        title or description (either language, case-insensitive), the equipment type, the
        industry (a KSIC code or its prefix: "C29" finds "C2919"), the problem, golden only,
        a grade at least ``min_grade``, the price model (flat, metered, lump_sum, royalty).
        Golden first, then the latest changed. ``{"items", "total", "limit", "offset"}``."""
        require(principal, Role.VIEWER)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:
            raise _error(InvalidInput, "page", max=MAX_PAGE)
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise _error(InvalidInput, "page", max=MAX_PAGE)
        stmt = select(offers, orgs.c.name.label("_owner"), orgs.c.display_name.label("_owner_d"))
        stmt = stmt.join(orgs, orgs.c.id == offers.c.org_id).where(offers.c.state == "published")
        if text is not None:
            if not isinstance(text, str) or len(text) > MAX_TITLE:
                raise _error(InvalidInput, "filter", field="text", value=P.shown(text))
            needle = text.strip().lower()
            if needle:
                cols = (
                    offers.c.title_ko,
                    offers.c.title_en,
                    offers.c.description_ko,
                    offers.c.description_en,
                )
                stmt = stmt.where(
                    or_(*(func.lower(c).contains(needle, autoescape=True) for c in cols))
                )
        if equipment_type is not None:
            if not isinstance(equipment_type, str) or not EQUIPMENT.fullmatch(equipment_type):
                raise _error(
                    InvalidInput, "filter", field="equipment_type", value=P.shown(equipment_type)
                )
            stmt = stmt.where(offers.c.equipment_type == equipment_type)
        if industry is not None:
            if not isinstance(industry, str) or not re.fullmatch(r"[A-U][0-9]{0,5}", industry):
                raise _error(InvalidInput, "filter", field="industry", value=P.shown(industry))
            stmt = stmt.where(offers.c.industry.startswith(industry, autoescape=True))
        if problem is not None:
            if problem not in PROBLEMS:
                raise _error(InvalidInput, "filter", field="problem", value=P.shown(problem))
            stmt = stmt.where(offers.c.problem == problem)
        if golden:
            stmt = stmt.where(offers.c.golden == 1)
        if min_grade is not None and min_grade not in _GRADES:
            raise _error(InvalidInput, "filter", field="min_grade", value=P.shown(min_grade))
        from openkamp.sharing.pricing import MODELS

        if price_model is not None and price_model not in MODELS:
            raise _error(InvalidInput, "filter", field="price_model", value=P.shown(price_model))
        stmt = stmt.order_by(offers.c.golden.desc(), offers.c.updated_at.desc(), offers.c.id.desc())
        with self.meta._read() as conn:  # type: ignore[attr-defined]
            rows = [_record(r) for r in conn.execute(stmt)]
        if min_grade is not None:
            best = _GRADES[: _GRADES.index(min_grade) + 1]
            rows = [r for r in rows if (r["certificate"] or {}).get("grade") in best]
        if price_model is not None:
            rows = [r for r in rows if (r["price"] or {}).get("model") == price_model]
        page = rows[offset : offset + limit]
        return {
            "items": [self._public_view(r) for r in page],
            "total": len(rows),
            "limit": limit,
            "offset": offset,
        }

    # -- the platform operator ----------------------------------------------------------------

    def mark_golden(self, principal: Principal, offer_id: int) -> Record:
        """Mark a published, certified offer as a golden dataset (``Role.OPERATOR`` only)."""
        return self._golden(principal, offer_id, True)

    def unmark_golden(self, principal: Principal, offer_id: int) -> Record:
        """Take the golden mark off an offer (``Role.OPERATOR`` only)."""
        return self._golden(principal, offer_id, False)

    def _golden(self, principal: Principal, offer_id: int, on: bool) -> Record:
        if not principal.has(Role.OPERATOR):
            raise _error(Forbidden, "operator")
        with self.meta.transaction():
            rec = self._read(offer_id)
            # The operator spans organisations, but a draft stays its owner's alone.
            if rec is None or (rec["state"] == "draft" and int(rec["org_id"]) != principal.org_id):
                raise _error(NotFound, "not_found", id=offer_id)
            if on:
                self._require_state(rec, "published")
                if not C.verify_certificate(rec["certificate"], self.keys.public_key(None)):
                    raise _error(Conflict, "uncertified", id=offer_id)
                values: dict[str, Any] = {
                    "golden": 1, "golden_by": principal.name, "golden_at": self.now(),
                }  # fmt: skip
            else:
                values = {"golden": 0, "golden_by": None, "golden_at": None}
            rec = self.meta.update(int(rec["org_id"]), _OFFER, int(rec["id"]), values)
        if int(rec["org_id"]) == principal.org_id:
            return self._owner_view(rec)
        return self._public_view(rec)

    # -- DCAT-AP ------------------------------------------------------------------------------

    def dcat_catalog(self, principal: Principal) -> dict[str, Any]:
        """The published offers as one DCAT-AP 3.0 JSON-LD catalog (:mod:`openkamp.sharing.dcat`)."""
        require(principal, Role.VIEWER)
        stmt = (
            select(offers, orgs.c.name.label("_owner"), orgs.c.display_name.label("_owner_d"))
            .join(orgs, orgs.c.id == offers.c.org_id)
            .where(offers.c.state == "published")
            .order_by(offers.c.id)
        )
        with self.meta._read() as conn:  # type: ignore[attr-defined]
            rows = [_record(r) for r in conn.execute(stmt)]
        records = [self._dcat_record(r) for r in rows]
        times = [r["updated_at"] for r in rows] or [self.now()]
        base = self.base_url
        info = D.CatalogInfo(
            base,
            D.Text("OpenKAMP 제조 데이터 카탈로그", "OpenKAMP manufacturing data catalog"),
            D.Text(
                "공장이 계약 조건을 걸고 제공하는 제조 데이터셋입니다.",
                "Manufacturing datasets that factories offer under contract terms.",
            ),
            D.Agent(f"{base}/orgs/platform", D.Text("OpenKAMP 플랫폼 운영자", "OpenKAMP operator")),
            issued=min(r["created_at"] for r in rows) if rows else times[0],
            modified=max(times),
            homepage=base,
        )
        return D.catalog_jsonld(info, records)

    def _dcat_record(self, r: Record) -> D.OfferRecord:
        base = self.base_url
        owner = str(r["_owner"])
        cov = r["coverage"] or {}
        start = _time(cov.get("start")) or r["created_at"]
        end = _time(cov.get("end")) or start
        industry = str(r["industry"])
        division = f"sharing.ksic.{industry[:3]}"
        if division in MESSAGES:
            label = D.Text(t(division, "ko"), t(division, "en"))
        else:
            label = D.Text(f"KSIC {industry}", f"KSIC {industry}")
        problem = f"sharing.offer.problem.{r['problem']}"
        cert = r["certificate"] or {}
        quality = None
        if cert.get("grade") and C.verify_certificate(cert, self.keys.public_key(None)):
            quality = D.QualityCertificate(
                cert["grade"],
                f"{base}/sharing/offers/{r['id']}/certificate",
                _time(cert["issued_at"]) or r["created_at"],
                {name: float(cert["indices"][name]) for name in INDICES},
            )
        return D.OfferRecord(
            str(r["id"]),
            D.Text(r["title_ko"], r["title_en"]),
            D.Text(r["description_ko"], r["description_en"]),
            D.Agent(f"{base}/orgs/{quote(owner, safe='')}", D.Text(r["_owner_d"] or owner, owner)),
            D.Concept(r["equipment_type"], D.Text(r["equipment_type"], r["equipment_type"])),
            D.Concept(industry, label),
            D.Concept(r["problem"], D.Text(t(problem, "ko"), t(problem, "en"))),
            coverage_start=start,
            coverage_end=max(end, start),
            issued=r["created_at"],
            modified=r["updated_at"],
            page_url=f"{base}/sharing/offers/{r['id']}",
            access_url=f"{base}/api/v1/sharing/offers/{r['id']}",
            policy_iri=offer_iri(int(r["id"])),
            version=str(r["dataset_version"]),
            schema_hash=r["schema_hash"],
            quality=quality,
        )

    # -- helpers ------------------------------------------------------------------------------

    def _computed(self, principal: Principal, v: DatasetVersion) -> dict[str, Any]:
        """What the platform computes from the version: certificate, coverage, preview."""
        cert = C.issue(self.datasets, principal, v.id, self.keys.signer(None), now=self.now())
        sample = self.datasets.sample(principal, v.id, rows=PREVIEW_ROWS)
        return {
            "dataset_id": v.id,
            "dataset_name": v.name,
            "dataset_version": v.version,
            "schema_hash": v.schema_hash,
            "content_hash": v.content_sha256,
            "certificate": cert,
            "coverage": coverage(self.datasets, principal, v),
            "preview": anonymised_preview(v, sample),
        }

    def _policy(
        self, owner: str, offer_id: int, v: DatasetVersion, clauses: Mapping[str, Any]
    ) -> dict[str, Any]:
        policy = P.offer(
            offer_iri(offer_id),
            target=dataset_iri(owner, v.name, v.version),
            assigner=org_iri(owner),
            **clauses,
        )
        return to_jsonld(P.validate(policy))

    def _read(self, offer_id: int) -> Record | None:
        if isinstance(offer_id, bool) or not isinstance(offer_id, int) or offer_id < 1:
            return None
        if offer_id >= 2**63:
            return None
        stmt = (
            select(offers, orgs.c.name.label("_owner"), orgs.c.display_name.label("_owner_d"))
            .join(orgs, orgs.c.id == offers.c.org_id)
            .where(offers.c.id == offer_id)
        )
        with self.meta._read() as conn:  # type: ignore[attr-defined]
            row = conn.execute(stmt).first()
        return None if row is None else _record(row)

    def _own(self, principal: Principal, offer_id: int) -> Record:
        rec = self._read(offer_id)
        if rec is None or int(rec["org_id"]) != principal.org_id:
            raise _error(NotFound, "not_found", id=offer_id)
        return rec

    @staticmethod
    def _require_state(rec: Record, *states: str) -> None:
        if rec["state"] not in states:
            state = rec["state"]
            raise _error(
                Conflict, "state", id=rec["id"], state=t(f"sharing.offer.state.{state}", "en")
            )

    def _move(
        self, principal: Principal, offer_id: int, from_states: tuple[str, ...], to: str
    ) -> Record:
        require(principal, Role.ADMIN)
        with self.meta.transaction():
            rec = self._own(principal, offer_id)
            self._require_state(rec, *from_states)
            rec = self.meta.update(
                principal.org_id, _OFFER, rec["id"], {"state": to, "updated_at": self.now()}
            )
        return self._owner_view(rec)

    def _owner_view(self, rec: Record) -> Record:
        return {k: v for k, v in rec.items() if not k.startswith("_")}

    def _public_view(self, rec: Record) -> Record:
        out = {k: rec.get(k) for k in PUBLIC_FIELDS}
        owner = rec.get("_owner")
        if owner is None:
            org = self.meta.get_org(int(rec["org_id"]))
            owner, display = org["name"], org.get("display_name")
        else:
            display = rec.get("_owner_d")
        out["golden"] = bool(out["golden"])
        out["owner"] = {"name": owner, "display_name": display or owner}
        return out


def draft_only(offer: Record) -> None:
    """Only a draft offer is changed: :class:`Conflict` ``sharing.catalog.not_draft`` for a
    published or withdrawn one, whose hint says what to do instead (a new offer)."""
    if offer["state"] == "draft":
        return
    state = str(offer["state"])
    params: dict[str, object] = {
        "id": offer["id"],
        "state": {lang: t(f"sharing.offer.state.{state}", lang) for lang in ("ko", "en")},
    }
    code = "sharing.catalog.not_draft"
    raise Conflict(t(f"err.{code}", "en", **params), hint=t(f"err.{code}.hint", "en"),
                   code=code, params=params)  # fmt: skip


def _record(row: Any) -> Record:
    """A row of ``offers`` (joined with its owner's names) with JSON decoded and times UTC."""
    import json

    rec = dict(row._mapping)
    for key in ("coverage", "preview", "certificate", "price", "policy", "transforms"):
        if isinstance(rec.get(key), str):
            rec[key] = json.loads(rec[key])
    for key, value in rec.items():
        if isinstance(value, datetime) and value.tzinfo is None:
            rec[key] = value.replace(tzinfo=UTC)
    return rec


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.utcoffset() is not None else at.replace(tzinfo=UTC)
