"""Data sharing (issue 11), the catalog's pages: every organisation's published offers searched and
filtered (``/sharing``), one offer with its anonymised preview, certificate, terms in words and
the request form (``/sharing/offers/{id}``), and the owner's offers: made from one of the
organisation's datasets, changed while a draft (``/sharing/offers/{id}/edit``; a published offer
is not changed: a new one is made), published and withdrawn (``/sharing/offers``). A consumer
whose organisation has no industry code recorded is told so where an offer's or a contract's
industry clause would refuse it, with the form to record it (administrators) or whom to ask. The
same service calls as ``/api/v1/sharing``; a refused form comes back with what was typed and the
reason in the user's language."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from openkamp.core.errors import InvalidInput, NotFound, OpenKampError
from openkamp.core.tenancy import Role
from openkamp.quality.profile import INDICES
from openkamp.sharing.catalog import draft_only
from openkamp.sharing.certificate import verify_certificate
from openkamp.sharing.offer_fields import error as catalog_error
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
    keep_formless,
    offer_text,
    org_names,
    policy_from_form,
    policy_to_form,
    price_from_form,
    price_text,
    price_to_form,
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


#: Pages whose industry notice posts the code and comes back (an offer's, a contract's).
_NEXT = re.compile(r"/sharing/(offers|contracts)/([0-9]{1,18})")


@router.post("/sharing/industry", response_class=HTMLResponse)
async def set_industry(request: Request, who: Posting) -> Response:
    """The organisation's KSIC industry code (administrators; empty clears it). From the
    notice of an offer's or a contract's page (``next``), back to that page; a refused code is
    shown there."""
    form = await request.form()
    back = _NEXT.fullmatch(str(form.get("next") or ""))  # only our own pages: no open redirect
    try:
        platform_of(request).sharing.set_industry(
            who.principal, str(form.get("industry") or "").strip().upper()
        )
    except OpenKampError as exc:
        if not refused(exc) or type(exc).__name__ == "Forbidden":
            raise
        shown = form_error(exc, lang_of(request))
        if back is not None and back.group(1) == "offers":
            return _offer_page(request, who, int(back.group(2)), status_code=422,
                               industry_error=shown)  # fmt: skip
        if back is not None:
            from openkamp.web.sharing_contracts_page import _contract_page

            return _contract_page(request, who, int(back.group(2)), status_code=422,
                                  industry_error=shown)  # fmt: skip
        return catalog_page(request, who, status_code=422, industry_error=shown)
    if back is not None:
        return RedirectResponse(f"{back.group(0)}#industry-needed", status_code=303)
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
    datasets = _datasets(request, who)
    return render(
        request, "sharing_offers.html", who, status_code=status_code, offers=offers,
        datasets=datasets, problems=PROBLEMS, purposes=PURPOSES, models=MODELS, units=UNITS,
        form=form or {}, error=error, note=note, section="offers",
    )  # fmt: skip


@router.get("/sharing/offers", response_class=HTMLResponse)
def offers_page(request: Request, who: Page) -> HTMLResponse:
    return _offers_page(request, who)


def _datasets(request: Request, who: Page, current: dict[str, Any] | None = None) -> list[Any]:
    """The organisation's datasets an offer can be made of (their latest versions), and the
    version a draft has now (``current``) when it is not the latest."""
    out = [
        {"ref": v.ref, "name": v.display_name or v.name, "rows": v.rows}
        for v in platform_of(request).datasets.list(who.principal)
    ]
    if current is not None:
        ref = f"{current['dataset_name']}@{current['dataset_version']}"
        if ref not in {d["ref"] for d in out}:
            rows = (current.get("coverage") or {}).get("rows") or 0
            out.insert(0, {"ref": ref, "name": current["dataset_name"], "rows": rows})
    return out


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


def _own_offer(request: Request, who: Page, offer_id: int) -> dict[str, Any]:
    """One of the organisation's offers (another's, even published, is not found here)."""
    offer = platform_of(request).sharing.catalog.get(who.principal, offer_id)
    if int(offer.get("org_id") or 0) != who.principal.org_id or "owner" in offer:
        raise catalog_error(NotFound, "not_found", id=offer_id)
    return dict(offer)


def _edit_page(
    request: Request,
    who: Page,
    offer_id: int,
    *,
    status_code: int = 200,
    error: tuple[str, str | None] | None = None,
    form: dict[str, Any] | None = None,
) -> HTMLResponse:
    """The draft's form filled with its values (or what was typed); for an offer that is no
    longer a draft, why it is not changed and what to do instead."""
    kamp = platform_of(request)
    lang = lang_of(request)
    offer = _own_offer(request, who, offer_id)
    editable = True
    try:
        draft_only(offer)
    except OpenKampError as exc:
        editable, status_code, error = False, 409, error or form_error(exc, lang)
    if form is None:
        form = {k: str(offer.get(k) or "") for k in (
            "title_ko", "title_en", "description_ko", "description_en", "equipment_type",
            "industry", "problem")}  # fmt: skip
        form["dataset"] = f"{offer['dataset_name']}@{offer['dataset_version']}"
        form.update(price_to_form(offer.get("price")))
        form.update(policy_to_form(offer, kamp.settings.tz))
    return render(
        request, "sharing_offer_edit.html", who, status_code=status_code,
        offer=_shown(offer, lang), editable=editable, form=form, error=error,
        datasets=_datasets(request, who, offer), problems=PROBLEMS, purposes=PURPOSES,
        models=MODELS, units=UNITS, section="offers",
    )  # fmt: skip


@router.get("/sharing/offers/{offer_id}/edit", response_class=HTMLResponse)
def edit_offer_page(request: Request, who: Page, offer_id: int) -> HTMLResponse:
    return _edit_page(request, who, offer_id)


@router.post("/sharing/offers/{offer_id}/edit", response_class=HTMLResponse)
async def edit_offer(request: Request, who: Posting, offer_id: int) -> Response:
    """Save a draft's changes: the same fields and checks as a new offer (the service's); the
    clauses the form has no field for are kept."""
    form = await request.form()
    kamp = platform_of(request)
    tz = kamp.settings.tz
    offer = _own_offer(request, who, offer_id)
    try:
        policy = policy_from_form(form)
        policy.update(window_from_form(form, tz))
        changes: dict[str, Any] = {
            field: str(form.get(field) or "").strip()
            for field in ("title_ko", "title_en", "description_ko", "description_en",
                          "equipment_type", "industry", "problem")
        }  # fmt: skip
        changes["price"] = price_from_form(form) or {}
        changes["policy"] = keep_formless(policy, offer, tz)
        dataset = str(form.get("dataset") or "")
        if dataset and dataset != f"{offer['dataset_name']}@{offer['dataset_version']}":
            changes["dataset"] = dataset  # another version: coverage and certificate anew
        kamp.sharing.catalog.update(who.principal, offer_id, **changes)
    except OpenKampError as exc:
        if not refused(exc) or type(exc).__name__ in ("NotFound", "Forbidden"):
            raise
        return _edit_page(request, who, offer_id, status_code=422,
                          error=form_error(exc, lang_of(request)), form=_kept(form))  # fmt: skip
    return RedirectResponse(f"/sharing/offers/{offer_id}", status_code=303)


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
    industry_error: tuple[str, str | None] | None = None,
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
    # another organisation's offer whose industry clause its missing code would fail
    industry = None if own else kamp.sharing.industry_check(who.principal, offer.get("policy"))
    return render(
        request, "sharing_offer.html", who, status_code=status_code, offer=offer, cert=cert,
        verified=verified, columns=columns, dropped=dropped, rows=preview.get("rows", []),
        clauses=clauses_in_words(offer.get("policy"), lang), own=own, mine=mine,
        owner_name=owner_name, purposes=PURPOSES, indices=INDICES, error=error,
        operator=who.principal.has(Role.OPERATOR), trace=trace, names=org_names(request), form=form or {},
        industry=industry, industry_error=industry_error,
        industry_next=f"/sharing/offers/{offer_id}", section="offers" if own else "catalog",
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
