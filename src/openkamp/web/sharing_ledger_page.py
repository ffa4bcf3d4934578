"""Data sharing (issue 11), the usage ledger and the money: ``/sharing/ledger`` shows who used
what (sums and entries concerning the organisation), an entry's inclusion proof checked against
the signed tree head, the newest signed head to download and keep, and the check of a kept head
against today's (the consistency proof: history was only appended to). ``/sharing/earnings``
shows an owner's settlement statements per month (lines per dataset and consumer, whole won) and
settles a month; a consumer's invoices. The same service calls as ``/api/v1/sharing``."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkamp.core.errors import InvalidInput, OpenKampError
from openkamp.i18n import t
from openkamp.sharing.pricing import format_won
from openkamp.web.page import Page, Posting, lang_of, platform_of, render
from openkamp.web.sharing_view import form_error, org_names, refused

router = APIRouter()

ENTRIES_SHOWN = 200


def _ledger_page(
    request: Request,
    who: Page,
    *,
    status_code: int = 200,
    proof: Any = None,
    consistency: Any = None,
    kept: str = "",
    error: tuple[str, str | None] | None = None,
) -> HTMLResponse:
    sharing = platform_of(request).sharing
    me = who.principal
    view = sharing.usage(me, limit=10_000)
    entries = list(reversed(view.entries))[:ENTRIES_SHOWN]  # newest first
    return render(
        request, "sharing_ledger.html", who, status_code=status_code, lines=view.lines,
        entries=entries, total=len(view.entries), head=sharing.head(me), proof=proof,
        consistency=consistency, kept=kept, error=error, section="ledger",
    )  # fmt: skip


@router.get("/sharing/ledger", response_class=HTMLResponse)
def ledger_page(request: Request, who: Page, proof: int | None = None) -> HTMLResponse:
    """The ledger; ``?proof=<index>``: that entry's inclusion proof, checked."""
    shown = None
    error = None
    if proof is not None:
        try:
            shown = platform_of(request).sharing.inclusion_proof(who.principal, proof)
        except OpenKampError as exc:
            if not refused(exc):
                raise
            error = form_error(exc, lang_of(request))
    return _ledger_page(request, who, proof=shown, error=error,
                        status_code=404 if error else 200)  # fmt: skip


@router.post("/sharing/ledger/head")
def download_head(request: Request, who: Posting) -> Response:
    """The newest signed tree head as a JSON file, to keep and check later."""
    head = platform_of(request).sharing.head(who.principal)
    body = json.dumps(head.to_json() if head else {}, indent=2)
    size = head.tree_size if head else 0
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="tree-head-{size}.json"'},
    )


@router.post("/sharing/ledger/consistency", response_class=HTMLResponse)
async def check_kept_head(request: Request, who: Posting) -> Response:
    """A kept head pasted in the form, checked against today's head."""
    form = await request.form()
    text = str(form.get("head") or "").strip()
    try:
        try:
            kept = json.loads(text)
            if not isinstance(kept, dict):
                raise ValueError(text)
        except ValueError:
            raise InvalidInput(
                "The kept tree head is not the JSON of a tree head.",
                code="sharing.web.bad_head",
            ) from None
        result = platform_of(request).sharing.consistency_proof(who.principal, kept)
    except OpenKampError as exc:
        if not refused(exc):
            raise
        return _ledger_page(request, who, status_code=422, kept=text,
                            error=form_error(exc, lang_of(request)))  # fmt: skip
    return _ledger_page(request, who, consistency=result, kept=text)


# --------------------------------------------------------------------------- earnings


def _won(value: Any, lang: str) -> str:
    """Whole won as the page's language writes an amount (``20,051원`` / ``KRW 20,051``)."""
    return t("sharing_web.won", lang, amount=format_won(Decimal(str(value))))


def _earnings_page(
    request: Request,
    who: Page,
    *,
    status_code: int = 200,
    error: tuple[str, str | None] | None = None,
    month: str = "",
) -> HTMLResponse:
    sharing = platform_of(request).sharing
    me = who.principal
    lang = lang_of(request)
    names = org_names(request)
    statements = list(sharing.statements(me)) if hasattr(sharing, "statements") else []
    invoices = list(sharing.invoices(me)) if hasattr(sharing, "invoices") else []
    earnings = sharing.earnings(me) if hasattr(sharing, "earnings") else {}
    by_consumer = {
        names.get(int(k), k) if str(k).isdecimal() else k: v
        for k, v in (earnings.get("by_consumer") or {}).items()
    }
    return render(
        request, "sharing_earnings.html", who, status_code=status_code,
        statements=list(reversed(statements)), invoices=list(reversed(invoices)),
        by_dataset=earnings.get("by_dataset") or {}, by_consumer=by_consumer, names=names,
        won=lambda v: _won(v, lang), error=error,
        month=month or datetime.now(platform_of(request).settings.tz).strftime("%Y-%m"), can_settle=hasattr(sharing, "settle"),
        section="earnings",
    )  # fmt: skip


@router.get("/sharing/earnings", response_class=HTMLResponse)
def earnings_page(request: Request, who: Page) -> HTMLResponse:
    return _earnings_page(request, who)


@router.post("/sharing/earnings/settle", response_class=HTMLResponse)
async def settle(request: Request, who: Posting) -> Response:
    """Settle a month: the statement of every contract of the owner active in it."""
    form = await request.form()
    month = str(form.get("month") or "").strip()
    try:
        platform_of(request).sharing.settle(who.principal, month)
    except OpenKampError as exc:
        if not refused(exc):
            raise
        return _earnings_page(request, who, status_code=422, month=month,
                              error=form_error(exc, lang_of(request)))  # fmt: skip
    return RedirectResponse(f"/sharing/earnings#statement-{month}", status_code=303)
