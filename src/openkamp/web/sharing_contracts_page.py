"""Data sharing (issue 11), the contracts' pages: ``/sharing/contracts`` lists the organisation's
contracts as owner (requests to decide, active ones and their usage) and as consumer (its
requests); ``/sharing/contracts/{id}`` is one contract, to its two parties only (any other
organisation gets "no such page"): its terms in words, usage counters and what each side may do
now. The owner approves (with the offer's price or a changed one), rejects or revokes, with a
reason; the consumer accepts or declines a counter-offer, withdraws its request before it is
active, is told when the terms' industry clause needs its organisation's industry (and records
it, an administrator, or learns whom to ask), downloads a governed export, runs a
compute-to-data training (the job, then the model in its own registry) and confirms the deletion
of a delivered copy. The same service calls as ``/api/v1/sharing``."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from openkamp.core.errors import OpenKampError
from openkamp.sharing.compute import TASKS
from openkamp.sharing.contracts import Contract
from openkamp.sharing.pricing import MODELS, UNITS
from openkamp.web.page import Page, Posting, lang_of, platform_of, render
from openkamp.web.sharing_view import (
    clauses_in_words,
    form_error,
    label,
    org_names,
    price_from_form,
    price_text,
    refused,
)

router = APIRouter()

#: What each party may do, by the contract's state.
OWNER_ACTIONS = {"requested": ("approve", "reject"), "countered": ("reject",), "active": ("revoke",
                 "complete")}  # fmt: skip
CONSUMER_ACTIONS = {"requested": ("withdraw",), "countered": ("accept", "decline", "withdraw"),
                    "active": ("complete",)}  # fmt: skip


def _title(request: Request, c: Contract) -> str:
    offer = platform_of(request).sharing.contracts.store.offer(c.offer_id) or {}
    lang = lang_of(request)
    other = "en" if lang == "ko" else "ko"
    return str(offer.get(f"title_{lang}") or offer.get(f"title_{other}") or c.dataset or "")


def _row(request: Request, c: Contract, names: dict[int, str], me: int) -> dict[str, Any]:
    kamp = platform_of(request)
    lang = lang_of(request)
    usage = kamp.sharing.contracts.store.usage(c.id)
    role = "owner" if c.owner_org_id == me else "consumer"
    return {
        "c": c,
        "id": c.id,
        "role": role,
        "title": _title(request, c),
        "other": names.get(c.consumer_org_id if role == "owner" else c.owner_org_id, ""),
        "price_text": price_text(c.price, lang),
        "usage": {"rows": usage.rows, "queries": usage.queries, "trainings": usage.trainings},
    }


@router.get("/sharing/contracts", response_class=HTMLResponse)
def contracts_page(request: Request, who: Page) -> HTMLResponse:
    kamp = platform_of(request)
    me = who.principal
    names = org_names(request)
    rows = [_row(request, c, names, me.org_id) for c in kamp.sharing.contracts.list(me)]
    owner = [r for r in rows if r["role"] == "owner"]
    consumer = [r for r in rows if r["role"] == "consumer"]
    return render(
        request, "sharing_contracts.html", who,
        incoming=[r for r in owner if r["c"].state.value in ("requested", "countered")],
        active=[r for r in owner if r["c"].state.value == "active"],
        owner_ended=[r for r in owner if r["c"].state.value not in
                     ("requested", "countered", "active")],
        mine=consumer, section="contracts",
    )  # fmt: skip


def _models_of(request: Request, who: Page, c: Contract) -> list[dict[str, Any]]:
    """The consumer's models trained on the contract's dataset by compute-to-data."""
    out = []
    for mv in platform_of(request).models.list(who.principal):
        data = (mv.provenance.get("training") or {}).get("data") or {}
        if (
            data.get("compute_to_data")
            and data.get("dataset") == c.dataset
            and int(data.get("owner_org_id") or 0) == c.owner_org_id
        ):
            out.append({"name": mv.name, "version": mv.version, "task": mv.task,
                        "metrics": mv.metrics})  # fmt: skip
    return out


def _deliveries(request: Request, who: Page, c: Contract) -> list[dict[str, Any]]:
    """The copies delivered under the contract, as mappings (records or dataclasses)."""
    listing = getattr(platform_of(request).sharing, "deliveries", None)
    if listing is None:
        return []
    out = []
    for d in listing(who.principal, c.id):
        if dataclasses.is_dataclass(d) and not isinstance(d, type):
            out.append(dataclasses.asdict(d))
        else:
            out.append(dict(d))
    return out


def _contract_page(
    request: Request,
    who: Page,
    contract_id: int,
    *,
    status_code: int = 200,
    error: tuple[str, str | None] | None = None,
    note: str | None = None,
    form: dict[str, Any] | None = None,
    job: Any = None,
    industry_error: tuple[str, str | None] | None = None,
) -> HTMLResponse:
    """One contract as the principal's organisation sees it (``job``: just started)."""
    kamp = platform_of(request)
    lang = lang_of(request)
    me = who.principal
    c = kamp.sharing.contracts.get(me, contract_id)  # another's: 404
    names = org_names(request)
    row = _row(request, c, names, me.org_id)
    state = c.state.value
    actions = (OWNER_ACTIONS if row["role"] == "owner" else CONSUMER_ACTIONS).get(state, ())
    offer = kamp.sharing.contracts.store.offer(c.offer_id) or {}
    preview = offer.get("preview") or {}
    if isinstance(preview, str):
        import json

        preview = json.loads(preview or "{}")
    columns = preview.get("columns", [])
    # labels first: the usual target of a defect or quality model
    targets = [c["name"] for role in ("label", "input") for c in columns if c.get("role") == role]
    consumer_active = row["role"] == "consumer" and state == "active"
    sharing = kamp.sharing
    # the consumer is told when the terms' industry clause cannot be met for want of its code
    industry = None
    if row["role"] == "consumer" and state in ("requested", "countered", "active"):
        industry = sharing.contract_industry_check(me, c.id)
    return render(
        request, "sharing_contract.html", who, status_code=status_code, row=row, c=c,
        state=state, actions=actions, clauses=clauses_in_words(c.terms, lang),
        offered_price=price_text(offer.get("price"), lang), models=MODELS, units=UNITS,
        tasks=TASKS, targets=targets, error=error, note=note, form=form or {}, job=job,
        can_export=consumer_active and hasattr(sharing, "deliver"),
        can_compute=consumer_active and hasattr(sharing, "compute"),
        deliveries=[d for d in _deliveries(request, who, c) if d.get("kind") == "export"]
        if row["role"] == "consumer" else [],
        trained=_models_of(request, who, c) if row["role"] == "consumer" else [],
        jobs=list(sharing.compute_jobs(me, c.id)) if hasattr(sharing, "compute_jobs") else [],
        requester=names.get(c.consumer_org_id, ""), owner=names.get(c.owner_org_id, ""),
        industry=industry, industry_error=industry_error,
        industry_next=f"/sharing/contracts/{c.id}", section="contracts",
    )  # fmt: skip


@router.get("/sharing/contracts/{contract_id}", response_class=HTMLResponse)
def contract_page(request: Request, who: Page, contract_id: int) -> HTMLResponse:
    return _contract_page(request, who, contract_id)


def _back(contract_id: int) -> RedirectResponse:
    return RedirectResponse(f"/sharing/contracts/{contract_id}", status_code=303)


def _refusal(request: Request, who: Page, contract_id: int, exc: OpenKampError,
             form: Any = None) -> Response:  # fmt: skip
    """The contract's page again with the reason (a missing contract stays a 404)."""
    if not refused(exc) or type(exc).__name__ == "NotFound":
        raise exc
    kept = {k: str(v) for k, v in (form or {}).items() if k != "csrf_token"}
    code = 403 if type(exc).__name__ in ("Forbidden", "ContractEnded") else 422
    return _contract_page(request, who, contract_id, status_code=code,
                          error=form_error(exc, lang_of(request)), form=kept)  # fmt: skip


@router.post("/sharing/contracts/{contract_id}/approve", response_class=HTMLResponse)
async def approve(request: Request, who: Posting, contract_id: int) -> Response:
    """Approve with the offer's terms, or with the changed price of the form (a counter-offer
    the consumer accepts)."""
    form = await request.form()
    try:
        price = price_from_form(form)
        platform_of(request).sharing.contracts.approve(
            who.principal, contract_id, price=price, note=str(form.get("note") or "")
        )
    except OpenKampError as exc:
        return _refusal(request, who, contract_id, exc, form)
    return _back(contract_id)


async def _act(request: Request, who: Posting, contract_id: int, action: str) -> Response:
    form = await request.form()
    contracts = platform_of(request).sharing.contracts
    reason = str(form.get("reason") or "")
    try:
        if action in ("reject", "revoke", "decline", "withdraw"):
            getattr(contracts, action)(who.principal, contract_id, reason)
        elif action == "complete":
            contracts.complete(who.principal, contract_id, reason)
        else:
            contracts.accept(who.principal, contract_id)
    except OpenKampError as exc:
        return _refusal(request, who, contract_id, exc, form)
    return _back(contract_id)


@router.post("/sharing/contracts/{contract_id}/reject", response_class=HTMLResponse)
async def reject(request: Request, who: Posting, contract_id: int) -> Response:
    return await _act(request, who, contract_id, "reject")


@router.post("/sharing/contracts/{contract_id}/revoke", response_class=HTMLResponse)
async def revoke(request: Request, who: Posting, contract_id: int) -> Response:
    return await _act(request, who, contract_id, "revoke")


@router.post("/sharing/contracts/{contract_id}/accept", response_class=HTMLResponse)
async def accept(request: Request, who: Posting, contract_id: int) -> Response:
    return await _act(request, who, contract_id, "accept")


@router.post("/sharing/contracts/{contract_id}/decline", response_class=HTMLResponse)
async def decline(request: Request, who: Posting, contract_id: int) -> Response:
    return await _act(request, who, contract_id, "decline")


@router.post("/sharing/contracts/{contract_id}/withdraw", response_class=HTMLResponse)
async def withdraw(request: Request, who: Posting, contract_id: int) -> Response:
    """The consumer takes back its request (requested or countered), with an optional reason."""
    return await _act(request, who, contract_id, "withdraw")


@router.post("/sharing/contracts/{contract_id}/complete", response_class=HTMLResponse)
async def complete(request: Request, who: Posting, contract_id: int) -> Response:
    return await _act(request, who, contract_id, "complete")


# --------------------------------------------------------------------------- using the data


@router.post("/sharing/contracts/{contract_id}/export")
async def export(request: Request, who: Posting, contract_id: int) -> Response:
    """The consumer's governed export (authorised, transformed, watermarked, recorded): a CSV
    download."""
    form = await request.form()
    sharing = platform_of(request).sharing
    limit_text = str(form.get("limit") or "").strip().replace(",", "")
    try:
        if limit_text and not limit_text.isdecimal():
            from openkamp.core.errors import InvalidInput

            raise InvalidInput(
                f"The field limit needs a whole number, not '{limit_text}'.",
                code="sharing.web.bad_number",
                params={"field": label("sharing_web.export.limit"), "value": limit_text},
            )  # fmt: skip
        delivery = sharing.deliver(
            who.principal, contract_id, limit=int(limit_text) if limit_text else None
        )
    except OpenKampError as exc:
        return _refusal(request, who, contract_id, exc, form)
    name = str(getattr(delivery, "filename", None) or f"contract-{contract_id}.csv")
    path = getattr(delivery, "path", None)
    if path is not None:  # the file is the caller's to remove once sent
        return FileResponse(
            Path(path), media_type="text/csv", filename=name,
            background=BackgroundTask(Path(path).unlink, missing_ok=True),
        )  # fmt: skip
    data = getattr(delivery, "csv", None) or getattr(delivery, "data", b"")
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/sharing/contracts/{contract_id}/compute", response_class=HTMLResponse)
async def compute(request: Request, who: Posting, contract_id: int) -> Response:
    """Compute-to-data: the consumer's training runs in the owner's space; the page shows the
    job, and once it is done the model in the consumer's registry."""
    form = await request.form()
    kamp = platform_of(request)
    spec = {
        "task": str(form.get("task") or ""),
        "name": str(form.get("model_name") or "").strip(),
        "target": str(form.get("target") or "") or None,
        "independent": True,
        "time_budget_s": 20.0,
    }
    try:
        job = kamp.sharing.compute(who.principal, contract_id, spec)
    except OpenKampError as exc:
        return _refusal(request, who, contract_id, exc, form)
    return _contract_page(request, who, contract_id, job=job, note="sharing_web.compute.started")


@router.post("/sharing/contracts/{contract_id}/deliveries/{delivery_id}/deleted",
             response_class=HTMLResponse)  # fmt: skip
def confirm_deleted(request: Request, who: Posting, contract_id: int, delivery_id: int) -> Response:
    """The consumer confirms it deleted a delivered copy (the policy's delete-within clause)."""
    try:
        platform_of(request).sharing.confirm_deleted(who.principal, delivery_id)
    except OpenKampError as exc:
        return _refusal(request, who, contract_id, exc)
    return _back(contract_id)
