"""The OPC UA step of the connections page: browse a server, review the proposed asset tree
(check or uncheck equipment and signals, rename them in Korean and English), apply. Plain
forms (no script); every action is one call of :mod:`openkamp.connectors.opcua_browse`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from openkamp.api.errors import status_of
from openkamp.connectors.opcua_browse import Proposal, apply, browse
from openkamp.core.errors import Conflict, Forbidden, InvalidInput
from openkamp.core.tenancy import Role, require
from openkamp.i18n import error_text
from openkamp.web.page import Page, Posting, lang_of, platform_of, render

router = APIRouter()

#: Fields a review form may carry: a proposal of 5,000 signals has 15,000 of them.
MAX_FIELDS = 200_000
_LOGIN = ("endpoint", "username", "security_policy", "security_mode")


def _browse_form(
    request: Request,
    who: Page,
    values: dict[str, Any] | None = None,
    error: tuple[str, str | None] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request, "opcua_browse.html", who, status_code=status_code,
        values={"endpoint": "opc.tcp://", "username": "", "security_policy": "None",
                "security_mode": "None", **(values or {})},
        error=error,
    )  # fmt: skip


def _review(
    request: Request,
    who: Page,
    proposal: Proposal,
    login: dict[str, str],
    *,
    name: str = "",
    error: tuple[str, str | None] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request, "opcua_review.html", who, status_code=status_code,
        proposal=proposal, proposal_json=proposal.model_dump_json(), login=login,
        name=name or "opcua", error=error,
    )  # fmt: skip


@router.get("/connections/opcua/browse", response_class=HTMLResponse)
def opcua_browse_page(request: Request, who: Page) -> HTMLResponse:
    require(who.principal, Role.ENGINEER)
    return _browse_form(request, who)


@router.post("/connections/opcua/browse", response_class=HTMLResponse)
async def opcua_browse_post(request: Request, who: Posting) -> HTMLResponse:
    require(who.principal, Role.ENGINEER)
    form = {k: str(v) for k, v in (await request.form()).items()}
    login = {k: form.get(k, "").strip() for k in _LOGIN}
    try:
        proposal = await browse(
            login["endpoint"], username=login["username"], password=form.get("password", ""),
            security_policy=login["security_policy"] or "None",
            security_mode=login["security_mode"] or "None", timeout_s=10.0,
        )  # fmt: skip
    except InvalidInput as exc:
        return _browse_form(request, who, login, error_text(exc, lang_of(request)),
                            status_of(exc))  # fmt: skip
    return _review(request, who, proposal, login)


def edited(proposal: Proposal, form: dict[str, str]) -> Proposal:
    """The proposal with the review form's choices: ``use:<node id>`` checkboxes (equipment
    and signals; an unchecked one is left out) and ``ko:`` / ``en:<node id>`` names."""
    for site in proposal.sites:
        for line in site.lines:
            for eq in line.equipment:
                eq.selected = f"use:{eq.node_id}" in form
                eq.name_ko = form.get(f"ko:{eq.node_id}", eq.name_ko).strip()[:200]
                eq.name_en = form.get(f"en:{eq.node_id}", eq.name_en).strip()[:200]
                for sig in eq.signals:
                    sig.selected = f"use:{sig.node_id}" in form
                    sig.name_ko = form.get(f"ko:{sig.node_id}", sig.name_ko).strip()[:200]
                    sig.name_en = form.get(f"en:{sig.node_id}", sig.name_en).strip()[:200]
    return proposal


@router.post("/connections/opcua/apply", response_class=HTMLResponse, response_model=None)
async def opcua_apply_post(request: Request, who: Posting) -> Response:
    form = {k: str(v) for k, v in (await request.form(max_fields=MAX_FIELDS)).items()}
    login = {k: form.get(k, "").strip() for k in _LOGIN}
    try:
        proposal = Proposal.model_validate_json(form.get("proposal", ""))
    except ValidationError as exc:
        raise InvalidInput(
            "The proposal of the form cannot be read: browse the server again.",
            code="request.unreadable",
        ) from exc
    proposal = edited(proposal, form)
    name = form.get("name", "").strip()
    settings = {
        "username": login["username"], "password": form.get("password", ""),
        "security_policy": login["security_policy"] or "None",
        "security_mode": login["security_mode"] or "None",
    }  # fmt: skip
    try:
        apply(platform_of(request), who.principal, proposal, name=name, settings=settings)
    except (InvalidInput, Conflict, Forbidden) as exc:
        return _review(request, who, proposal, login, name=name,
                       error=error_text(exc, lang_of(request)), status_code=status_of(exc))  # fmt: skip
    return RedirectResponse("/connections", status_code=303)
