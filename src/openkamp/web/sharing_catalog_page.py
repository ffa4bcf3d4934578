"""Data sharing (issue 11), the catalog's pages: every organisation's published offers searched
and filtered (``/sharing``), one offer with its anonymised preview, certificate, terms in words
and the request form (``/sharing/offers/{id}``), and the owner's offers: made from one of the
organisation's datasets, published and withdrawn (``/sharing/offers``). The same service calls
as ``/api/v1/sharing``; a refused form comes back with what was typed and the reason in the
user's language."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from openkamp.core.errors import InvalidInput, OpenKampError
from openkamp.core.tenancy import Role
from openkamp.quality.profile import INDICES
from openkamp.sharing.certificate import verify_certificate
from openkamp.web.page import Page, Posting, lang_of, platform_of, render
from openkamp.web.sharing_view import (
    GRADES,
    MODELS,
    PROBLEMS,
    PURPOSES,
    UNITS,
    clauses_in_words,
    form_error,
    industry_text,
    offer_text,
    org_names,
    policy_from_form,
    price_from_form,
    price_text,
    refused,
    window_from_form,
)

router = APIRouter()

FILTERS = ("text", "equipment_type", "industry", "problem", "min_grade", "price_model")
PAGE_SIZE = 20


def _shown(offer: dict[str, Any], lang: str) -> dict[str, Any]:
    """An offer as the pages list it, in the page's language."""
    cert = offer.get("certificate") or {}
    cov = offer.get("coverage") or {}
    owner = offer.get("owner") or {}
    owner_name = str(owner.get("display_name") or owner.get("name") or "")
    if " / " in owner_name:  # "기본 조직 / Default organisation": the page's language
        ko, _, en = owner_name.partition(" / ")
        owner_name = ko if lang == "ko" else en
    return {
        **offer,
        "title": offer_text(offer, "title", lang),
        "description": offer_text(offer, "description", lang),
        "price_text": price_text(offer.get("price"), lang),
        "grade": cert.get("grade"),
        "rows": cov.get("rows"),
        "start": str(cov.get("start") or "")[:10],
        "end": str(cov.get("end") or "")[:10],
        "industry_text": industry_text(offer.get("industry"), lang),
        "owner_name": owner_name,
    }


# --------------------------------------------------------------------------- the catalog


@router.get("/sharing", response_class=HTMLResponse)
def catalog_page(
    request: Request,
    who: Page,
    *,
    status_code: int | None = None,
    industry_error: tuple[str, str | None] | None = None,
) -> HTMLResponse:
    """The catalog (and the organisation's own industry, which contracts' industry clauses
    check)."""
    kamp = platform_of(request)
    lang = lang_of(request)
    q = request.query_params
    filters = {k: q.get(k, "").strip() for k in FILTERS}
    golden = q.get("golden") in ("on", "true", "1")
    try:
        offset = max(0, int(q.get("offset", "0")))
    except ValueError:
        offset = 0
    error = None
    found: dict[str, Any] = {"items": [], "total": 0}
    try:
        found = kamp.sharing.catalog.search(
            who.principal, golden=golden, limit=PAGE_SIZE, offset=offset,
            **{k: (v or None) for k, v in filters.items()},
        )  # fmt: skip
    except OpenKampError as exc:
        if not refused(exc):
            raise
        error = form_error(exc, lang)
    items = [_shown(o, lang) for o in found["items"]]
    return render(
        request, "sharing_catalog.html", who, status_code=status_code or (422 if error else 200),
        items=items, industry=kamp.sharing.industry(who.principal), industry_error=industry_error,
        total=found["total"], offset=offset, page_size=PAGE_SIZE, filters=filters,
        golden=golden, problems=PROBLEMS, grades=GRADES, models=MODELS, error=error,
        section="catalog", my_org=who.principal.org_id,
    )  # fmt: skip


@router.post("/sharing/industry", response_class=HTMLResponse)
async def set_industry(request: Request, who: Posting) -> Response:
    """The organisation's KSIC industry code (administrators; empty clears it)."""
    form = await request.form()
    try:
        platform_of(request).sharing.set_industry(
            who.principal, str(form.get("industry") or "").strip().upper()
        )
    except OpenKampError as exc:
        if not refused(exc) or type(exc).__name__ == "Forbidden":
            raise
        return catalog_page(request, who, status_code=422,
                            industry_error=form_error(exc, lang_of(request)))  # fmt: skip
    return RedirectResponse("/sharing#industry", status_code=303)


# --------------------------------------------------------------------------- the owner's offers


def _offers_page(
    request: Request,
    who: Page,
    *,
    status_code: int = 200,
    error: tuple[str, str | None] | None = None,
    form: dict[str, Any] | None = None,
    note: str | None = None,
) -> HTMLResponse:
    kamp = platform_of(request)
    lang = lang_of(request)
    me = who.principal
    offers = [_shown(o, lang) for o in kamp.sharing.catalog.list_own(me)]
    datasets = [
        {"ref": v.ref, "name": v.display_name or v.name, "rows": v.rows}
        for v in kamp.datasets.list(me)
    ]
    return render(
        request, "sharing_offers.html", who, status_code=status_code, offers=offers,
        datasets=datasets, problems=PROBLEMS, purposes=PURPOSES, models=MODELS, units=UNITS,
        form=form or {}, error=error, note=note, section="offers",
    )  # fmt: skip


@router.get("/sharing/offers", response_class=HTMLResponse)
def offers_page(request: Request, who: Page) -> HTMLResponse:
    return _offers_page(request, who)


def _kept(form: Any) -> dict[str, Any]:
    """What the form sent, to fill it again after a refusal (nothing typed is lost)."""
    kept: dict[str, Any] = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    kept["purposes"] = list(form.getlist("purposes"))
    return kept


@router.post("/sharing/offers", response_class=HTMLResponse)
async def create_offer(request: Request, who: Posting) -> Response:
    form = await request.form()
    kamp = platform_of(request)
    try:
        policy = policy_from_form(form)
        policy.update(window_from_form(form, kamp.settings.tz))
        offer = kamp.sharing.catalog.create(
            who.principal,
            str(form.get("name") or "").strip(),
            str(form.get("dataset") or ""),
            title_ko=str(form.get("title_ko") or ""),
            title_en=str(form.get("title_en") or ""),
            description_ko=str(form.get("description_ko") or ""),
            description_en=str(form.get("description_en") or ""),
            equipment_type=str(form.get("equipment_type") or "").strip(),
            industry=str(form.get("industry") or "").strip(),
            problem=str(form.get("problem") or ""),
            price=price_from_form(form) or {},
            policy=policy,
        )
    except OpenKampError as exc:
        if not refused(exc):
            raise
        return _offers_page(request, who, status_code=422,
                            error=form_error(exc, lang_of(request)), form=_kept(form))  # fmt: skip
    return RedirectResponse(f"/sharing/offers?made={offer['id']}", status_code=303)


def _move(request: Request, who: Posting, offer_id: int, action: str) -> Response:
    """Publish or withdraw one of the organisation's offers (administrators)."""
    catalog = platform_of(request).sharing.catalog
    try:
        getattr(catalog, action)(who.principal, offer_id)
    except OpenKampError as exc:
        if not refused(exc) or type(exc).__name__ == "Forbidden":
            raise
        return _offers_page(request, who, status_code=409, error=form_error(exc, lang_of(request)))
    return RedirectResponse("/sharing/offers", status_code=303)


@router.post("/sharing/offers/{offer_id}/publish", response_class=HTMLResponse)
def publish_offer(request: Request, who: Posting, offer_id: int) -> Response:
    return _move(request, who, offer_id, "publish")


@router.post("/sharing/offers/{offer_id}/withdraw", response_class=HTMLResponse)
def withdraw_offer(request: Request, who: Posting, offer_id: int) -> Response:
    return _move(request, who, offer_id, "withdraw")


# --------------------------------------------------------------------------- one offer


def _offer_page(
    request: Request,
    who: Page,
    offer_id: int,
    *,
    status_code: int = 200,
    error: tuple[str, str | None] | None = None,
    form: dict[str, Any] | None = None,
    trace: Any = None,
) -> HTMLResponse:
    kamp = platform_of(request)
    lang = lang_of(request)
    offer = _shown(kamp.sharing.catalog.get(who.principal, offer_id), lang)  # else 404
    cert = offer.get("certificate") or {}
    verified = bool(cert) and verify_certificate(cert, kamp.sharing.ledger.keys.public_key(None))
    preview = offer.get("preview") or {}
    columns = [c for c in preview.get("columns", []) if c.get("treatment") != "dropped"]
    dropped = [c for c in preview.get("columns", []) if c.get("treatment") == "dropped"]
    own = int(offer.get("org_id") or 0) == who.principal.org_id or "owner" not in offer
    mine = [
        c for c in kamp.sharing.contracts.list(who.principal, role="consumer", offer_id=offer_id)
    ]
    owner_name = offer["owner_name"] or who.org
    return render(
        request, "sharing_offer.html", who, status_code=status_code, offer=offer, cert=cert,
        verified=verified, columns=columns, dropped=dropped, rows=preview.get("rows", []),
        clauses=clauses_in_words(offer.get("policy"), lang), own=own, mine=mine,
        owner_name=owner_name, purposes=PURPOSES, indices=INDICES, error=error,
        operator=who.principal.has(Role.OPERATOR), trace=trace, names=org_names(request), form=form or {},
        section="offers" if own else "catalog",
    )  # fmt: skip


@router.get("/sharing/offers/{offer_id}", response_class=HTMLResponse)
def offer_page(request: Request, who: Page, offer_id: int) -> HTMLResponse:
    return _offer_page(request, who, offer_id)


@router.post("/sharing/offers/{offer_id}/golden", response_class=HTMLResponse)
async def golden(request: Request, who: Posting, offer_id: int) -> Response:
    """The platform operator marks a certified, published offer golden (or unmarks it)."""
    form = await request.form()
    catalog = platform_of(request).sharing.catalog
    try:
        if form.get("golden") == "on":
            catalog.mark_golden(who.principal, offer_id)
        else:
            catalog.unmark_golden(who.principal, offer_id)
    except OpenKampError as exc:
        if not refused(exc) or type(exc).__name__ in ("NotFound", "Forbidden"):
            raise
        return _offer_page(request, who, offer_id, status_code=409,
                           error=form_error(exc, lang_of(request)))  # fmt: skip
    return RedirectResponse(f"/sharing/offers/{offer_id}", status_code=303)


@router.post("/sharing/offers/{offer_id}/trace", response_class=HTMLResponse)
async def trace_leak(request: Request, who: Posting, offer_id: int) -> Response:
    """The owner uploads a copy found outside: whose contract's export it is (the watermark)."""
    form = await request.form()
    upload = form.get("file")
    data = await upload.read() if isinstance(upload, StarletteUpload) else b""
    try:
        if not data:
            raise InvalidInput("No file was chosen.", code="sharing.web.no_file")
        found = platform_of(request).sharing.trace_leak(who.principal, offer_id, data)
    except OpenKampError as exc:
        if not refused(exc) or type(exc).__name__ in ("NotFound", "Forbidden"):
            raise
        return _offer_page(request, who, offer_id, status_code=422,
                           error=form_error(exc, lang_of(request)))  # fmt: skip
    return _offer_page(request, who, offer_id, trace=found)


@router.post("/sharing/offers/{offer_id}/request", response_class=HTMLResponse)
async def request_offer(request: Request, who: Posting, offer_id: int) -> Response:
    form = await request.form()
    kamp = platform_of(request)
    try:
        contract = kamp.sharing.contracts.request(
            who.principal, offer_id, str(form.get("purpose") or ""), str(form.get("note") or "")
        )
    except OpenKampError as exc:
        if not refused(exc) or type(exc).__name__ == "NotFound":
            raise
        kept = {k: str(v) for k, v in form.items() if k != "csrf_token"}
        return _offer_page(request, who, offer_id, status_code=422,
                           error=form_error(exc, lang_of(request)), form=kept)  # fmt: skip
    return RedirectResponse(f"/sharing/contracts#contract-{contract.id}", status_code=303)
