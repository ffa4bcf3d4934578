"""Sharing data under contract (issue 11), the offers and the catalog: an owner's offers (create
from a dataset version, change a draft, publish, withdraw), the operator's golden marks, the
catalog every organisation searches (and its DCAT-AP 3 JSON-LD), tracing a leaked copy, the
organisation's industry. Contracts, deliveries and compute-to-data are in
:mod:`openkamp.api.routers.sharing_contracts`; the ledger and settlement in
:mod:`openkamp.api.routers.sharing_ledger`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import responses
from openkamp.api.records import record_out
from openkamp.core.errors import TooLarge

router = APIRouter(prefix="/sharing", tags=["sharing"])

#: Largest leaked copy a trace request may send (bytes).
MAX_LEAK_BYTES = 256 << 20


class OfferOut(BaseModel):
    """An offer: the owner sees every field of its own; another organisation a published
    offer's catalog fields, with its owner's names."""

    model_config = ConfigDict(extra="allow")

    id: int
    name: str
    state: Literal["draft", "published", "withdrawn"]
    dataset_name: str
    dataset_version: int
    title_ko: str
    title_en: str
    price: dict[str, Any] = Field(description="The price model (numbers as text, KRW)")
    policy: dict[str, Any] = Field(description="The usage policy: an ODRL 2.2 Offer, JSON-LD")
    transforms: dict[str, Any] | None = Field(
        None, description="What governed exports apply (None: ids pseudonymised, text dropped)"
    )
    certificate: dict[str, Any] = Field(description="The signed quality certificate")


class OfferCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128, description="The offer's name (a-z, 0-9)")
    dataset: str = Field(min_length=1, max_length=140, description='"name@3" or "name"')
    title_ko: str = Field(max_length=256)
    title_en: str = Field(max_length=256)
    description_ko: str = Field(max_length=4000)
    description_en: str = Field(max_length=4000)
    equipment_type: str = Field(max_length=64)
    industry: str = Field(max_length=16, description="KSIC code, e.g. C29")
    problem: str = Field(max_length=32)
    price: dict[str, Any] = Field(description='e.g. {"model": "flat", "amount": "300000"}')
    policy: dict[str, Any] | None = Field(None, description="The usage policy's clauses")
    transforms: dict[str, Any] | None = Field(None, description="A TransformSpec document")


class OfferUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title_ko: str | None = Field(None, max_length=256)
    title_en: str | None = Field(None, max_length=256)
    description_ko: str | None = Field(None, max_length=4000)
    description_en: str | None = Field(None, max_length=4000)
    equipment_type: str | None = Field(None, max_length=64)
    industry: str | None = Field(None, max_length=16)
    problem: str | None = Field(None, max_length=32)
    price: dict[str, Any] | None = None
    policy: dict[str, Any] | None = None
    dataset: str | None = Field(None, max_length=140)
    transforms: dict[str, Any] | None = None


class CatalogPage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[OfferOut]
    total: int
    limit: int
    offset: int


class Industry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    industry: str | None = Field(
        None, max_length=16, description="KSIC code of the organisation (None: not recorded)"
    )


class IndustryOut(Industry):
    """The organisation's industry, whether the caller may record it, and whom to ask."""

    can_set: bool = Field(description="The caller may record it (an administrator)")
    administrators: list[str] = Field(description="The organisation's administrators")


class IndustryCheckOut(BaseModel):
    """What the industry clauses of an offer's or a contract's terms ask of the calling
    organisation. ``met`` null: its KSIC code is not recorded, and every use under such terms is
    refused until an administrator records it (PUT /sharing/industry)."""

    model_config = ConfigDict(extra="forbid")

    restricted: bool = Field(description="The terms allow or exclude industries")
    industry: str | None = Field(description="The organisation's KSIC code (null: not recorded)")
    allowed: list[str] = Field(description="The codes the terms allow only (empty: any)")
    excluded: list[str] = Field(description="The codes the terms exclude")
    met: bool | None = Field(description="The organisation's code meets the clauses")
    can_set: bool = Field(description="The caller may record the code (an administrator)")
    administrators: list[str] = Field(description="Whom to ask otherwise")


def industry_out(kamp: Any, me: Any, check: Any) -> dict[str, Any]:
    """An :class:`IndustryCheckOut` of a check (None: the terms have no industry clause)."""
    if check is not None:
        return {"restricted": True, **check.to_json()}
    from openkamp.core.tenancy import Role

    return {"restricted": False, "industry": kamp.sharing.industry(me), "allowed": [],
            "excluded": [], "met": True, "can_set": me.has(Role.ADMIN),
            "administrators": []}  # fmt: skip


class TraceOut(BaseModel):
    """Whose copy a leaked file is: the contract named (None when no delivery's mark is in
    it) and the evidence per delivery scored."""

    model_config = ConfigDict(extra="forbid")

    identified: int | None = Field(description="The contract whose export the copy is")
    consumer_org_id: int | None
    consumer: str | None
    delivery_id: int | None
    rows: int
    columns: list[str] = Field(description="Marked columns found in the copy")
    missing_key_columns: list[str]
    candidates: list[dict[str, Any]]
    alpha: float = Field(description="The p-value below which a contract is named")
    unmarked: list[dict[str, Any]] = Field(
        default_factory=list,
        description="The offer's deliveries that carried no watermark (not scored: a copy of one "
        "cannot be traced), each with its reason and a text in Korean and English",
    )


def offer_out(rec: dict[str, Any]) -> dict[str, Any]:
    return record_out(rec)


# -- the owner's offers -----------------------------------------------------------------------


@router.post("/offers", status_code=201, response_model=OfferOut, responses=responses(404, 409))
def sharing_offers_create(kamp: Kamp, me: Me, body: OfferCreate) -> dict[str, Any]:
    """A draft offer of one of the organisation's dataset versions: its certificate, coverage
    and anonymised preview computed from the data."""
    fields = body.model_dump(exclude={"name", "dataset"})
    return offer_out(kamp.sharing.catalog.create(me, body.name, body.dataset, **fields))


@router.get("/offers", response_model=list[OfferOut])
def sharing_offers_list(
    kamp: Kamp, me: Me, state: Literal["draft", "published", "withdrawn"] | None = None
) -> list[dict[str, Any]]:
    """The organisation's own offers, newest first."""
    return [offer_out(r) for r in kamp.sharing.catalog.list_own(me, state)]


@router.patch("/offers/{offer_id}", response_model=OfferOut, responses=responses(409))
def sharing_offers_update(kamp: Kamp, me: Me, offer_id: int, body: OfferUpdate) -> dict[str, Any]:
    """Change a draft (only the fields sent)."""
    changes = body.model_dump(exclude_unset=True)
    return offer_out(kamp.sharing.catalog.update(me, offer_id, **changes))


@router.post("/offers/{offer_id}/publish", response_model=OfferOut, responses=responses(409))
def sharing_offers_publish(kamp: Kamp, me: Me, offer_id: int) -> dict[str, Any]:
    """Put the offer in the catalog every organisation searches (administrators)."""
    return offer_out(kamp.sharing.catalog.publish(me, offer_id))


@router.post("/offers/{offer_id}/withdraw", response_model=OfferOut, responses=responses(409))
def sharing_offers_withdraw(kamp: Kamp, me: Me, offer_id: int) -> dict[str, Any]:
    """Take the offer out of the catalog (contracts made keep their terms)."""
    return offer_out(kamp.sharing.catalog.withdraw(me, offer_id))


@router.post("/offers/{offer_id}/golden", response_model=OfferOut, responses=responses(409))
def sharing_offers_mark_golden(kamp: Kamp, me: Me, offer_id: int) -> dict[str, Any]:
    """Mark a published, certified offer as a golden dataset (the platform operator)."""
    return offer_out(kamp.sharing.catalog.mark_golden(me, offer_id))


@router.delete("/offers/{offer_id}/golden", response_model=OfferOut, responses=responses(409))
def sharing_offers_unmark_golden(kamp: Kamp, me: Me, offer_id: int) -> dict[str, Any]:
    """Take the golden mark off an offer (the platform operator)."""
    return offer_out(kamp.sharing.catalog.unmark_golden(me, offer_id))


@router.post(
    "/offers/{offer_id}/trace",
    response_model=TraceOut,
    responses=responses(413),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The leaked copy as CSV (a part of it is enough)",
            "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def sharing_offers_trace(
    request: Request, kamp: Kamp, me: Me, offer_id: int
) -> dict[str, Any]:
    """Which contract a leaked copy of the offer's data came from: every export of the offer
    is scored against the copy's hidden marks (the offer's owner; administrators)."""
    size = 0
    parts: list[bytes] = []
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_LEAK_BYTES:
            raise TooLarge("The leaked copy is too large.", code="upload.too_large",
                           params={"limit": f"{MAX_LEAK_BYTES >> 20} MB"})  # fmt: skip
        parts.append(chunk)
    data = b"".join(parts)
    # (the offer is checked before the copy is read: another's is not found either way)
    trace = await run_in_threadpool(kamp.sharing.trace_leak, me, offer_id, data)
    return dict(trace.to_json())


# -- the catalog ------------------------------------------------------------------------------


@router.get("/catalog", response_model=CatalogPage)
def sharing_catalog_search(
    kamp: Kamp,
    me: Me,
    text: Annotated[str | None, Query(max_length=256)] = None,
    equipment_type: Annotated[str | None, Query(max_length=64)] = None,
    industry: Annotated[str | None, Query(max_length=16)] = None,
    problem: Annotated[str | None, Query(max_length=32)] = None,
    golden: bool = False,
    min_grade: Literal["A", "B", "C", "D"] | None = None,
    price_model: Literal["flat", "metered", "lump_sum", "royalty"] | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    """Published offers of every organisation matching every filter given (golden first)."""
    page = kamp.sharing.catalog.search(
        me, text=text, equipment_type=equipment_type, industry=industry, problem=problem,
        golden=golden, min_grade=min_grade, price_model=price_model, limit=limit, offset=offset,
    )  # fmt: skip
    return {**page, "items": [offer_out(r) for r in page["items"]]}


@router.get(
    "/catalog/dcat",
    response_class=Response,
    response_model=None,
    responses={
        200: {
            "description": "The catalog as DCAT-AP 3.0 JSON-LD",
            "content": {"application/ld+json": {"schema": {"type": "object"}}},
        }
    },
)
def sharing_catalog_dcat(kamp: Kamp, me: Me) -> Response:
    """The published offers as one DCAT-AP 3.0 catalog (JSON-LD)."""
    import json

    doc = kamp.sharing.catalog.dcat_catalog(me)
    return Response(json.dumps(doc, ensure_ascii=False), media_type="application/ld+json")


@router.get("/catalog/{offer_id}", response_model=OfferOut)
def sharing_catalog_get(kamp: Kamp, me: Me, offer_id: int) -> dict[str, Any]:
    """One offer: the owner's own in any state; another organisation's when published."""
    return offer_out(kamp.sharing.catalog.get(me, offer_id))


@router.get("/catalog/{offer_id}/industry", response_model=IndustryCheckOut)
def sharing_catalog_industry(kamp: Kamp, me: Me, offer_id: int) -> dict[str, Any]:
    """What the offer's industry clauses ask of the calling organisation, before it asks for
    the data: ``met`` null means its KSIC code is not recorded and every use would be refused;
    ``can_set`` (record it with PUT /sharing/industry) or the ``administrators`` to ask."""
    return industry_out(kamp, me, kamp.sharing.offer_industry_check(me, offer_id))


# -- the organisation's industry ----------------------------------------------------------------


@router.get("/industry", response_model=IndustryOut)
def sharing_industry_get(kamp: Kamp, me: Me) -> dict[str, Any]:
    """The organisation's KSIC industry code (what an offer's industry clause checks), whether
    the caller may record it, and the administrators who may."""
    from openkamp.core.tenancy import Role

    return {"industry": kamp.sharing.industry(me), "can_set": me.has(Role.ADMIN),
            "administrators": kamp.sharing.administrators(me)}  # fmt: skip


@router.put("/industry", response_model=Industry)
def sharing_industry_set(kamp: Kamp, me: Me, body: Annotated[Industry, Body()]) -> dict[str, Any]:
    """Record the organisation's KSIC code (administrators; null clears it)."""
    return {"industry": kamp.sharing.set_industry(me, body.industry)}
