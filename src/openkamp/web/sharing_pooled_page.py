"""Data sharing (issue 11, item 6), pooled training's pages: ``/sharing/pooled`` is the
consumer's form (several of its active contracts, one per owner, a model kind, a target and a
name) and the list of pooled trainings the organisation started or whose data came under its
contracts; ``/sharing/pooled/{id}`` is one of them, to its consumer and its owners only (any
other organisation gets "no such page"): its progress, the model, each owner's contribution
(Shapley value, standard error, payment weight) and, for the consumer's administrator, the form
that pays for the model for a month, split by contribution; the payments made, with each
owner's part. Owners find their part on their statements (``/sharing/earnings``). The same
service calls as ``/api/v1/sharing/pooled``."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkamp.core.errors import Forbidden, InvalidInput, OpenKampError
from openkamp.core.tenancy import Role
from openkamp.i18n import MESSAGES, t
from openkamp.sharing.pooled import METRICS
from openkamp.sharing.pricing import format_won
from openkamp.web.page import Page, Posting, lang_of, platform_of, render
from openkamp.web.sharing_view import form_error, label, org_names, refused

router = APIRouter()

#: What the training form sends besides the contracts (kept when a form is refused).
FIELDS = ("task", "target", "model_name")


def _may(who: Page, role: Role) -> None:
    """Refuse, in the page's language, a form posted by a role that cannot (the service's own
    refusal has no text in the catalogue); the service checks the role again."""
    if not who.principal.has(role):
        raise Forbidden(
            f"'{who.principal.name}' needs the role '{role.value}' for this action.",
            code="sharing.pooled.role",
            params={"role": label(f"web.role.{role.value}")},
        )


def _won(value: Any, lang: str) -> str:
    return t("sharing_web.won", lang, amount=format_won(Decimal(str(value))))


def _contracts(request: Request, who: Page) -> list[dict[str, Any]]:
    """The consumer's active contracts, with the owner, the offer's title and its columns."""
    kamp = platform_of(request)
    lang = lang_of(request)
    names = org_names(request)
    out = []
    for c in kamp.sharing.contracts.list(who.principal, role="consumer", state="active"):
        offer = kamp.sharing.contracts.store.offer(c.offer_id) or {}
        preview = offer.get("preview") or {}
        if isinstance(preview, str):
            preview = json.loads(preview or "{}")
        other = "en" if lang == "ko" else "ko"
        out.append({
            "id": c.id, "owner": names.get(c.owner_org_id, ""), "owner_org_id": c.owner_org_id,
            "dataset": c.dataset or "",
            "title": str(offer.get(f"title_{lang}") or offer.get(f"title_{other}") or ""),
            "columns": list(preview.get("columns") or []),
        })  # fmt: skip
    return out


def _targets(contracts: list[dict[str, Any]]) -> list[str]:
    """Columns to predict: the labels of the contracts' data first, then their inputs."""
    seen: dict[str, None] = {}
    for role in ("label", "input"):
        for c in contracts:
            for col in c["columns"]:
                if col.get("role") == role and col.get("name"):
                    seen.setdefault(str(col["name"]), None)
    return list(seen)


def _pooled_page(
    request: Request,
    who: Page,
    *,
    status_code: int = 200,
    error: tuple[str, str | None] | None = None,
    form: dict[str, Any] | None = None,
    chosen: list[str] | None = None,
) -> HTMLResponse:
    kamp = platform_of(request)
    me = who.principal
    contracts = _contracts(request, who)
    jobs = [
        {**j, "role": "consumer" if j["consumer_org_id"] == me.org_id else "owner"}
        for j in kamp.sharing.pooled.jobs(me)
    ]
    owners = {c["owner_org_id"] for c in contracts}
    return render(
        request, "sharing_pooled.html", who, status_code=status_code, error=error,
        form=form or {}, chosen=chosen or [], contracts=contracts, can_pool=len(owners) >= 2,
        targets=_targets(contracts), tasks=tuple(METRICS), jobs=jobs, section="pooled",
    )  # fmt: skip


@router.get("/sharing/pooled", response_class=HTMLResponse)
def pooled_page(request: Request, who: Page) -> HTMLResponse:
    return _pooled_page(request, who)


@router.post("/sharing/pooled", response_class=HTMLResponse)
async def start(request: Request, who: Posting) -> Response:
    """Start a pooled training on the contracts ticked; the page of the job follows."""
    form = await request.form()
    chosen = [str(v) for v in form.getlist("contracts")]
    kept = {k: str(form.get(k) or "") for k in FIELDS}
    try:
        _may(who, Role.ENGINEER)
        bad = [v for v in chosen if not v.isdecimal()]
        if bad:
            raise InvalidInput(
                f"'{bad[0]}' is not a contract number.",
                code="sharing.pooled.contract_id",
                params={"value": bad[0][:40]},
            )
        if not kept["model_name"].strip():
            raise InvalidInput("Give the model a name.", code="sharing.pooled.no_name")
        spec = {
            "task": kept["task"],
            "name": kept["model_name"].strip(),
            "target": kept["target"] or None,
            "independent": True,
            "time_budget_s": 20.0,
        }
        job = platform_of(request).sharing.pooled.compute(
            who.principal, [int(v) for v in chosen], spec
        )
    except OpenKampError as exc:
        if not refused(exc):
            raise
        code = 403 if type(exc).__name__ in ("Forbidden", "ContractEnded") else 422
        if type(exc).__name__ == "NotFound":
            code = 404
        return _pooled_page(request, who, status_code=code, form=kept, chosen=chosen,
                            error=form_error(exc, lang_of(request)))  # fmt: skip
    return RedirectResponse(f"/sharing/pooled/{job['id']}?started=1", status_code=303)


def _stopped(request: Request, job: dict[str, Any]) -> list[dict[str, Any]]:
    """The job's contracts that are no longer active (why a job was cancelled)."""
    store = platform_of(request).sharing.contracts.store
    out = []
    for c in job["contracts"]:
        rec = store.get(int(c["contract_id"])) or {}
        state = str(rec.get("state") or "")
        if state and state != "active":
            out.append({"id": c["contract_id"], "state": state,
                        "reason": rec.get("end_reason") or ""})  # fmt: skip
    return out


def _failure(request: Request, who: Page, job: dict[str, Any]) -> tuple[str, str | None] | None:
    """A failed job's reason in the page's language (its catalogue code and parameters)."""
    if job["status"] != "failed":
        return None
    lang = lang_of(request)
    found = platform_of(request).sharing.pooled.failure(who.principal, int(job["id"]))
    code = (found or {}).get("code")
    if code and f"err.{code}" in MESSAGES:
        params = dict((found or {}).get("params") or {})
        try:
            text = t(f"err.{code}", lang, **params)
        except (KeyError, IndexError, ValueError):
            text = t("err.sharing.pooled.failed", lang, kind=code)
        hint = t(f"err.{code}.hint", lang, **params) if f"err.{code}.hint" in MESSAGES else None
        return text, hint
    return t("err.sharing.pooled.failed", lang, kind="job.internal"), None


def _job_page(
    request: Request,
    who: Page,
    job_id: int,
    *,
    status_code: int = 200,
    error: tuple[str, str | None] | None = None,
    form: dict[str, Any] | None = None,
    note: str | None = None,
) -> HTMLResponse:
    kamp = platform_of(request)
    lang = lang_of(request)
    me = who.principal
    job = kamp.sharing.pooled.job(me, job_id)  # another organisation's: 404
    role = "consumer" if job["consumer_org_id"] == me.org_id else "owner"
    valuation = job.get("valuation")
    step = str(job.get("message") or "").split(" ")[0]
    step_key = f"sharing_web.pooled.step.{step}"
    month = datetime.now(kamp.settings.tz).strftime("%Y-%m")
    return render(
        request, "sharing_pooled_job.html", who, status_code=status_code, job=job, role=role,
        valuation=valuation, names=org_names(request),
        step=t(step_key, lang) if step_key in MESSAGES else "",
        stopped=_stopped(request, job) if job["status"] == "cancelled" else [],
        failure=_failure(request, who, job), payments=kamp.sharing.pooled.payments(me, job_id),
        can_pay=role == "consumer" and who.is_admin and valuation is not None,
        won=lambda v: _won(v, lang), error=error, form=form or {"month": month}, note=note,
        equal=valuation is not None and not any(o["share"] > 0 for o in valuation["owners"]),
        section="pooled",
    )  # fmt: skip


@router.get("/sharing/pooled/{job_id}", response_class=HTMLResponse)
def job_page(
    request: Request, who: Page, job_id: int, started: int = 0, paid: str = ""
) -> HTMLResponse:
    note = "sharing_web.pooled.started" if started else None
    if paid:
        note = "sharing_web.pooled.paid"
    return _job_page(request, who, job_id, note=note)


@router.post("/sharing/pooled/{job_id}/pay", response_class=HTMLResponse)
async def pay(request: Request, who: Posting, job_id: int) -> Response:
    """The consumer's administrator pays for the pooled model for a month."""
    form = await request.form()
    month = str(form.get("month") or "").strip()
    amount = str(form.get("amount") or "").strip().replace(",", "").replace(" ", "")
    kept = {"month": month, "amount": str(form.get("amount") or "")}
    try:
        _may(who, Role.ADMIN)
        if not amount.isdecimal():
            raise InvalidInput(
                f"The field amount needs a whole number, not '{amount}'.",
                code="sharing.web.bad_number",
                params={"field": label("sharing_web.pooled.amount"), "value": amount},
            )
        platform_of(request).sharing.pooled.pay(who.principal, job_id, month, amount)
    except OpenKampError as exc:
        if not refused(exc) or type(exc).__name__ == "NotFound":
            raise
        code = {"Forbidden": 403, "Conflict": 409}.get(type(exc).__name__, 422)
        return _job_page(request, who, job_id, status_code=code, form=kept,
                         error=form_error(exc, lang_of(request)))  # fmt: skip
    return RedirectResponse(f"/sharing/pooled/{job_id}?paid={month}#payments", status_code=303)
