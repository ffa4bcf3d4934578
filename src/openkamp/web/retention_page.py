"""Settings › data retention: how long raw points and their per-minute and per-hour aggregates
are kept, as the organisation's default and per signal. Everyone of the organisation sees the
policies; administrators change them (the same service calls as ``/api/v1/retention``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkamp.core.errors import InvalidInput
from openkamp.i18n import error_text
from openkamp.web.page import Page, Posting, lang_of, platform_of, render

router = APIRouter()


def _days(value: str) -> int | None:
    """A form's days: empty is forever; anything else a whole number of days."""
    text = value.strip()
    if not text:
        return None
    if not text.isdecimal():
        raise InvalidInput(f"{value!r} is not a number of days.", code="retention.not_days")
    return int(text)


def _page(
    request: Request,
    who: Page,
    *,
    status_code: int = 200,
    error: tuple[str, str | None] | None = None,
    saved: bool = False,
) -> HTMLResponse:
    kamp = platform_of(request)
    me = who.principal
    names = {s.id: s for s in kamp.assets.list_signals(me)}
    paths: dict[int, str] = {}
    for sid, sig in names.items():
        paths[sid] = f"{kamp.assets.path_of(me, sig.equipment_id)}/{sig.name}"
    own = kamp.retention.signal_policies(me)
    return render(
        request, "retention.html", who, status_code=status_code,
        default=kamp.retention.organisation(me), own=own, paths=paths,
        error=error, saved=saved,
    )  # fmt: skip


@router.get("/settings/retention", response_class=HTMLResponse)
def retention(request: Request, who: Page) -> HTMLResponse:
    return _page(request, who)


def _change(request: Request, who: Posting, signal: int | None, days: tuple[str, ...]) -> Response:
    kamp = platform_of(request)
    try:
        raw, minute, hour = (_days(d) for d in days)
        if signal is None:
            kamp.retention.set_organisation(who.principal, raw, minute, hour)
        else:
            kamp.retention.set_signal(who.principal, signal, raw, minute, hour)
    except InvalidInput as exc:
        return _page(request, who, status_code=422, error=error_text(exc, lang_of(request)))
    return _page(request, who, saved=True)


@router.post("/settings/retention", response_class=HTMLResponse)
def set_default(
    request: Request,
    who: Posting,
    raw_days: Annotated[str, Form()] = "",
    minute_days: Annotated[str, Form()] = "",
    hour_days: Annotated[str, Form()] = "",
) -> Response:
    return _change(request, who, None, (raw_days, minute_days, hour_days))


@router.post("/settings/retention/signals", response_class=HTMLResponse)
def set_signal(
    request: Request,
    who: Posting,
    signal: Annotated[int, Form()],
    raw_days: Annotated[str, Form()] = "",
    minute_days: Annotated[str, Form()] = "",
    hour_days: Annotated[str, Form()] = "",
) -> Response:
    return _change(request, who, signal, (raw_days, minute_days, hour_days))


@router.post("/settings/retention/signals/{signal_id}/clear")
def clear_signal(request: Request, who: Posting, signal_id: int) -> Response:
    platform_of(request).retention.clear_signal(who.principal, signal_id)
    return RedirectResponse("/settings/retention", status_code=303)
