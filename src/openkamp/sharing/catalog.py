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

**The anonymised preview** (:func:`anonymised_preview`): at most :data:`PREVIEW_ROWS` rows spread
evenly over the version. Per column, by role and kind:

- ``ignore`` columns: dropped.
- ``id`` and ``group`` columns (part, lot, mould, serial numbers): pseudonymised with HMAC-SHA256
  under a random key made for this preview and then discarded: equal values stay equal inside
  the preview, and nothing, not even the platform, can map a pseudonym back.
- ``time`` columns (the role or the kind): generalised to the day (``2026-02-14``), never an exact
  time.
- text columns that are not labels: free text (operators' notes, names): dropped. Text labels
  (OK/NG, defect types) are kept when every value is a short category (at most 32 characters),
  else dropped.
- numbers: rounded to three significant digits; booleans kept.

The preview lists every column with what was done to it (``treatment``).

**Golden datasets**: the platform operator (``Role.OPERATOR``) marks published offers whose
certificate carries a valid platform signature; search can ask for golden offers only.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

import pandas as pd
from sqlalchemy import func, or_, select

from openkamp.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role, require
from openkamp.i18n import MESSAGES, t
from openkamp.quality.profile import INDICES
from openkamp.sharing import certificate as C
from openkamp.sharing import dcat as D
from openkamp.sharing import policy as P
from openkamp.sharing.policy_jsonld import to_jsonld
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
    "offer_iri",
    "org_iri",
]

_OFFER = cast("RecordKind", "offer")
#: Manufacturing problems an offer is for.
PROBLEMS = ("anomaly", "defect", "quality", "rul", "forecast", "setting", "vision", "other")
#: Offer states.
STATES = ("draft", "published", "withdrawn")
#: Rows an anonymised preview holds at most.
PREVIEW_ROWS = 20
#: Largest page of a search.
MAX_PAGE = 100
#: Clauses of the usage policy (keyword arguments of :func:`openkamp.sharing.policy.offer`).
POLICY_CLAUSES = (
    "purposes",
    "recipients",
    "excluded_recipients",
    "industries",
    "excluded_industries",
    "valid_from",
    "valid_until",
    "max_rows",
    "max_queries",
    "max_trainings",
    "compute_to_data_only",
    "anonymise",
    "delete_within_days",
    "no_redistribution",
)
#: Fields of a published offer another organisation sees (besides owner, certificate, preview).
PUBLIC_FIELDS = (
    "id",
    "name",
    "dataset_name",
    "dataset_version",
    "schema_hash",
    "content_hash",
    "title_ko",
    "title_en",
    "description_ko",
    "description_en",
    "equipment_type",
    "industry",
    "problem",
    "coverage",
    "preview",
    "certificate",
    "price",
    "policy",
    "state",
    "golden",
    "golden_at",
    "created_at",
    "updated_at",
)
_EDITABLE = (
    "title_ko",
    "title_en",
    "description_ko",
    "description_en",
    "equipment_type",
    "industry",
    "problem",
    "price",
    "policy",
    "dataset",
)
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,127}")
_EQUIPMENT = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_KSIC = re.compile(r"[A-U][0-9]{2,5}")
_GRADES = ("A", "B", "C", "D")
_MAX_TITLE = 256
_MAX_DESCRIPTION = 4000
_MAX_CATEGORY = 32


def _error(cls: type[Any], reason: str, **params: object) -> Any:
    """A domain error with code ``sharing.catalog.<reason>`` and its English text."""
    code = f"sharing.catalog.{reason}"
    return cls(t(f"err.{code}", "en", **params), code=code, params=params)


def org_iri(name: str) -> str:
    """An organisation's IRI in the usage policies (as openkamp.sharing.contracts reads them)."""
    return f"urn:openkamp:org:{quote(name, safe='')}"


def offer_iri(offer_id: int) -> str:
    """The IRI of an offer's ODRL Offer (its clauses are ``<iri>#<clause>``)."""
    return f"urn:openkamp:offer:{int(offer_id)}"


def dataset_iri(org_name: str, dataset: str, version: int) -> str:
    """The IRI of a dataset version, the target of the offer's usage policy."""
    return f"urn:openkamp:dataset:{quote(org_name, safe='')}/{quote(dataset, safe='')}@{version}"


# --- what the platform computes from the data ----------------------------------------------------


def _pseudonym(key: bytes, value: Any) -> str:
    return "p-" + hmac.new(key, str(value).encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def _round3(value: Any) -> Any:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(x):
        return None
    r = float(f"{x:.3g}")
    return int(r) if r.is_integer() and abs(r) < 2**53 else r


def _day(value: Any) -> str | None:
    at = pd.to_datetime(value, utc=True, errors="coerce")
    return None if pd.isna(at) else str(at.strftime("%Y-%m-%d"))


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def anonymised_preview(v: DatasetVersion, frame: pd.DataFrame) -> dict[str, Any]:
    """The anonymised preview of ``frame`` (at most :data:`PREVIEW_ROWS` rows of version
    ``v``): see the module docstring for the rule. ``{"columns": [...], "rows": [[...]]}``."""
    frame = frame.head(PREVIEW_ROWS)
    key = secrets.token_bytes(32)  # discarded with this call: pseudonyms cannot be reversed
    columns: list[dict[str, Any]] = []
    kept: list[list[Any]] = []
    for c in v.columns:
        out: list[Any] | None
        desc = {
            "name": c.name,
            "kind": c.kind,
            "role": c.role,
            "unit": c.unit,
            "display": dict(c.display),
        }
        values = list(frame[c.name]) if c.name in frame.columns else []
        if c.role == "ignore" or c.name not in frame.columns:
            treatment, out = "dropped", None
        elif c.role in ("id", "group"):
            treatment = "pseudonymised"
            out = [None if _missing(x) else _pseudonym(key, x) for x in values]
        elif c.role == "time" or c.kind == "time":
            treatment = "generalised_to_day"
            out = [_day(x) for x in values]
        elif c.kind == "text":
            short = all(_missing(x) or len(str(x)) <= _MAX_CATEGORY for x in values)
            if c.role == "label" and short:
                treatment = "kept"
                out = [None if _missing(x) else str(x) for x in values]
            else:
                treatment, out = "dropped", None
        elif c.kind == "bool":
            treatment, out = "kept", [None if _missing(x) else bool(x) for x in values]
        else:
            treatment, out = "rounded_3_significant", [_round3(x) for x in values]
        columns.append({**desc, "treatment": treatment})
        if out is not None:
            kept.append(out)
    shown = [col for col in columns if col["treatment"] != "dropped"]
    rows = [list(r) for r in zip(*kept, strict=True)] if kept else []
    return {"columns": columns, "shown": [col["name"] for col in shown], "rows": rows}


def _coverage(datasets: DatasetService, principal: Principal, v: DatasetVersion) -> dict[str, Any]:
    """Rows, time span, the machine and label classes of version ``v`` (read column by column
    in batches: bounded memory)."""
    start = end = None
    time = v.time_column
    if time is not None:
        for part in datasets.iter_batches(principal, v.id, [time]):
            at = pd.to_datetime(part[time], utc=True, errors="coerce").dropna()
            if len(at):
                lo, hi = at.min(), at.max()
                start = lo if start is None or lo < start else start
                end = hi if end is None or hi > end else end
    labels: dict[str, dict[str, int] | None] = {}
    for name in v.label_columns:
        counts: dict[str, int] | None = {}
        for part in datasets.iter_batches(principal, v.id, [name]):
            for value, n in part[name].dropna().astype(str).value_counts().items():
                assert counts is not None
                counts[str(value)] = counts.get(str(value), 0) + int(n)
            if len(counts or {}) > PREVIEW_ROWS:  # a measured quantity, not classes
                counts = None
                break
        labels[name] = counts
    roles: dict[str, int] = {}
    for c in v.columns:
        roles[c.role] = roles.get(c.role, 0) + 1
    return {
        "rows": v.rows,
        "start": None if start is None else start.isoformat(),
        "end": None if end is None else end.isoformat(),
        "equipment": 1 if v.equipment_id is not None else None,
        "columns": roles,
        "labels": labels,
    }


# --- checking what the owner gives ------------------------------------------------------------


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise _error(InvalidInput, "name", value=P.shown(name))
    return name


def _check_text(field: str, value: object, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise _error(InvalidInput, "text", field=field, max=limit)
    return value.strip()


def _check_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """The catalog fields in ``values`` checked and normalised (only those present)."""
    out: dict[str, Any] = {}
    for lang in ("ko", "en"):
        if f"title_{lang}" in values:
            out[f"title_{lang}"] = _check_text("title", values[f"title_{lang}"], _MAX_TITLE)
        if f"description_{lang}" in values:
            out[f"description_{lang}"] = _check_text(
                "description", values[f"description_{lang}"], _MAX_DESCRIPTION
            )
    if "equipment_type" in values:
        value = values["equipment_type"]
        if not isinstance(value, str) or not _EQUIPMENT.fullmatch(value):
            raise _error(InvalidInput, "equipment_type", value=P.shown(value))
        out["equipment_type"] = value
    if "industry" in values:
        value = values["industry"]
        if not isinstance(value, str) or not _KSIC.fullmatch(value):
            raise _error(InvalidInput, "industry", value=P.shown(value))
        out["industry"] = value
    if "problem" in values:
        value = values["problem"]
        if value not in PROBLEMS:
            raise _error(InvalidInput, "problem", value=P.shown(value), allowed=", ".join(PROBLEMS))
        out["problem"] = value
    if "price" in values:
        from openkamp.sharing.pricing import parse_price

        out["price"] = parse_price(values["price"]).to_json()
    return out


def _clause_time(field: str, value: object) -> datetime:
    at = value
    if isinstance(value, str):
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            at = None
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise _error(InvalidInput, "policy_value", field=field, value=P.shown(str(value)))
    return at


def _policy_clauses(policy: Mapping[str, Any] | None) -> dict[str, Any]:
    """Keyword arguments of :func:`openkamp.sharing.policy.offer` from the owner's clauses
    (JSON values: purposes and dates as strings)."""
    if policy is None:
        return {}
    if not isinstance(policy, Mapping):
        raise _error(InvalidInput, "policy_value", field="policy", value=P.shown(str(policy)))
    out: dict[str, Any] = {}
    for field, value in policy.items():
        if field not in POLICY_CLAUSES:
            raise _error(
                InvalidInput, "policy_field", field=str(field), allowed=", ".join(POLICY_CLAUSES)
            )
        bad = _error(InvalidInput, "policy_value", field=field, value=P.shown(value))
        if value is None:
            continue
        if field == "purposes":
            if not isinstance(value, Sequence) or isinstance(value, str):
                raise bad
            try:
                out[field] = [P.Purpose(p) for p in value]
            except ValueError:
                raise bad from None
        elif field in ("recipients", "excluded_recipients", "industries", "excluded_industries"):
            if not isinstance(value, Sequence) or isinstance(value, str):
                raise bad
            if not all(isinstance(x, str) and x for x in value):
                raise bad
            if "industries" in field and not all(_KSIC.fullmatch(x) for x in value):
                raise bad
            out[field] = list(value)
        elif field in ("valid_from", "valid_until"):
            out[field] = _clause_time(field, value)
        elif field in ("max_rows", "max_queries", "max_trainings", "delete_within_days"):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise bad
            out[field] = value
        else:  # the booleans
            if not isinstance(value, bool):
                raise bad
            out[field] = value
    return out


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
    ) -> Record:
        """A draft offer of the dataset version ``dataset`` of the principal's organisation
        (``"name@3"``, ``"name"`` for the latest, or its id); everything is checked, and the
        certificate, coverage and preview computed, before anything is written."""
        require(principal, Role.ENGINEER)
        name = _check_name(name)
        fields = _check_fields(
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
        clauses = _policy_clauses(policy)
        v = self.datasets.get(principal, dataset)
        computed = self._computed(principal, v)
        owner = str(self.meta.get_org(principal.org_id)["name"])
        self._policy(owner, 0, v, clauses)  # refuse bad terms before writing
        now = self.now()
        with self.meta.transaction():
            if self.meta.find(principal.org_id, _OFFER, name=name):
                raise _error(Conflict, "duplicate", name=name)
            rec = self.meta.insert(
                principal.org_id,
                _OFFER,
                {
                    "name": name,
                    **fields,
                    **computed,
                    "policy": {},
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
        coverage and preview are computed again)."""
        require(principal, Role.ENGINEER)
        unknown = sorted(set(changes) - set(_EDITABLE))
        if unknown:
            raise _error(InvalidInput, "field", field=unknown[0], allowed=", ".join(_EDITABLE))
        fields = _check_fields(changes)
        clauses = _policy_clauses(changes["policy"]) if "policy" in changes else None
        rec = self._own(principal, offer_id)
        self._require_state(rec, "draft")
        owner = str(self.meta.get_org(principal.org_id)["name"])
        if "dataset" in changes:
            v = self.datasets.get(principal, changes["dataset"])
            fields.update(self._computed(principal, v))
        else:
            v = self.datasets.get(principal, int(rec["dataset_id"]))
        if clauses is None and "dataset" in changes:  # same clauses, new target
            clauses = _clauses_of(rec)
        if clauses is not None:
            fields["policy"] = self._policy(owner, int(rec["id"]), v, clauses)
        with self.meta.transaction():
            rec = self._own(principal, offer_id)
            self._require_state(rec, "draft")
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
            if not isinstance(text, str) or len(text) > _MAX_TITLE:
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
            if not isinstance(equipment_type, str) or not _EQUIPMENT.fullmatch(equipment_type):
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
            if rec is None or (rec["state"] != "published" and on):
                if rec is None or int(rec["org_id"]) != principal.org_id:
                    raise _error(NotFound, "not_found", id=offer_id)
                self._require_state(rec, "published")
            assert rec is not None
            if on and not C.verify_certificate(rec["certificate"], self.keys.public_key(None)):
                raise _error(Conflict, "uncertified", id=offer_id)
            values: dict[str, Any] = (
                {"golden": 1, "golden_by": principal.name, "golden_at": self.now()}
                if on
                else {"golden": 0, "golden_by": None, "golden_at": None}
            )
            rec = self.meta.update(int(rec["org_id"]), _OFFER, int(rec["id"]), values)
        return self._public_view(rec) if int(rec["org_id"]) != principal.org_id else rec

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
            "coverage": _coverage(self.datasets, principal, v),
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


def _record(row: Any) -> Record:
    """A row of ``offers`` (joined with its owner's names) with JSON decoded and times UTC."""
    import json

    rec = dict(row._mapping)
    for key in ("coverage", "preview", "certificate", "price", "policy"):
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


def _clauses_of(rec: Record) -> dict[str, Any]:
    """The clauses of a stored offer's policy, as :func:`openkamp.sharing.policy.offer` takes
    them (to rebuild it for another dataset version)."""
    from openkamp.sharing.policy_jsonld import from_jsonld

    policy = from_jsonld(rec["policy"])
    out: dict[str, Any] = {"no_redistribution": bool(policy.prohibitions)}
    for perm in policy.permissions:
        for c in perm.constraints:
            if isinstance(c, P.PurposeIn):
                out["purposes"] = list(c.purposes)
            elif isinstance(c, P.RecipientIn):
                out["excluded_recipients" if c.exclude else "recipients"] = list(c.orgs)
            elif isinstance(c, P.IndustryIn):
                out["excluded_industries" if c.exclude else "industries"] = list(c.codes)
            elif isinstance(c, P.NotBefore):
                out["valid_from"] = c.at
            elif isinstance(c, P.Before):
                out["valid_until"] = c.at
            elif isinstance(c, P.MaxCount):
                out[f"max_{c.unit.value}s"] = c.limit
            elif isinstance(c, P.ChannelIs):
                out["compute_to_data_only"] = True
        for d in perm.duties:
            if isinstance(d, P.Anonymise):
                out["anonymise"] = True
            elif isinstance(d, P.DeleteWithin):
                out["delete_within_days"] = d.days
    return out
