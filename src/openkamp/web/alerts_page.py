"""The alerts page: current alerts (open, acknowledged) or their history (closed too), each with
its explanation (which signals), acknowledge with a comment and close; alert rules and
notification channels, added, edited, switched on and off and deleted by engineers and
administrators. The same service calls as ``/api/v1/alerts``.

An edit form sends every field the page shows; settings the page does not show (set through the
API: a rule's ``clear_for_s``, ``output``, ``states``; a channel's ``timeout_s``, ``retries``) are
kept, and a channel's secret left empty keeps the stored one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkamp.alerts import describe
from openkamp.alerts.notify import public_config
from openkamp.core.errors import InvalidInput, OpenKampError
from openkamp.i18n import error_text
from openkamp.web.overview import display
from openkamp.web.page import Page, Posting, lang_of, platform_of, render

router = APIRouter()

KINDS = ("limit", "rate", "stale", "offline", "score")
SEVERITIES = ("info", "warning", "critical")
NUMBERS = ("high", "low", "clear_high", "clear_low", "for_s", "max_age_s", "per_s")


def _page(
    request: Request,
    who: Page,
    *,
    history: bool = False,
    status_code: int = 200,
    error: tuple[str, str | None] | None = None,
    note: str | None = None,
) -> HTMLResponse:
    kamp = platform_of(request)
    lang = lang_of(request)
    me = who.principal
    tz = kamp.settings.tz
    machines = {n.id: n for n in kamp.assets.list_nodes(me, "equipment")}
    paths = {i: kamp.assets.path_of(me, i) for i in machines}
    listed = kamp.assets.list_signals(me)
    signals = {s.id: f"{paths.get(s.equipment_id, '?')}/{s.name}" for s in listed}
    labels = {(int(s.equipment_id), s.name): display(s, lang) for s in listed}
    models = {v.id: f"{v.name} v{v.version}" for v in kamp.models.list(me)
              if v.stage == "production" and v.task in ("anomaly", "classify", "regress", "rul")}  # fmt: skip
    alerts = []
    for a in kamp.alerts.list(me, history=history, limit=300):
        detail = a["detail"] or {}
        keys = [str(k) for k in detail.get("signals") or detail.get("top_signals") or []]
        eq = a["equipment_id"]
        alerts.append(
            {
                **a,
                "text": describe(a, lang, tz),
                "machine": paths.get(eq, ""),
                "signals": keys,
                # each in the page's language (a key no signal of the machine has, as it is)
                "signal_labels": [
                    labels.get((int(eq), k), k) if eq is not None else k for k in keys
                ],
                "active": bool(detail.get("active")),
                "cleared_at": detail.get("cleared_at"),
            }
        )
    channels = [{**c, "shown": public_config(c["config"] or {})} for c in kamp.channels.list(me)]
    return render(
        request, "alerts.html", who, status_code=status_code, alerts=alerts, history=history,
        rules=kamp.alert_rules.list(me), channels=channels, signals=signals, machines=paths,
        models=models, kinds=KINDS, severities=SEVERITIES, error=error, note=note,
    )  # fmt: skip


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, who: Page, history: bool = False) -> HTMLResponse:
    return _page(request, who, history=history)


def _back(history: bool = False) -> RedirectResponse:
    return RedirectResponse("/alerts?history=true" if history else "/alerts", status_code=303)


@router.post("/alerts/{alert_id}/handle")
def handle(
    request: Request,
    who: Posting,
    alert_id: int,
    action: Annotated[str, Form()] = "acknowledge",
    comment: Annotated[str, Form()] = "",
    history: Annotated[str, Form()] = "",
) -> Response:
    """Acknowledge (with the comment) or close an alert."""
    kamp = platform_of(request)
    try:
        if action == "close":
            kamp.alerts.close(who.principal, alert_id, comment or None)
        else:
            kamp.alerts.acknowledge(who.principal, alert_id, comment or None)
    except InvalidInput as exc:
        return _page(request, who, status_code=422, error=error_text(exc, lang_of(request)))
    return _back(bool(history))


def _number(form: Any, name: str) -> float | None:
    text = str(form.get(name) or "").strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(
            f"{name} is not a number.", code="alerting.bad_number", params={"field": name}
        ) from None


def _id(form: Any, name: str) -> int | None:
    text = str(form.get(name) or "").strip()
    return int(text) if text.isdecimal() else None


def _refused(exc: OpenKampError) -> bool:
    """A mistake in the form, said on the page (anything else goes to the error handlers)."""
    return isinstance(exc, InvalidInput) or type(exc).__name__ in ("Conflict", "NotFound")


def _rule_values(form: Any, kept: dict[str, Any] | None = None) -> dict[str, Any]:
    """A rule's fields from its form; ``kept``: settings the form does not show."""
    config: dict[str, Any] = {k: v for k, v in (kept or {}).items() if k not in NUMBERS}
    for name in NUMBERS:
        value = _number(form, name)
        if value is not None:
            config[name] = value
    kind = str(form.get("kind") or "")
    return {
        "name": str(form.get("name") or ""),
        "kind": kind,
        "signal_id": _id(form, "signal_id") if kind in ("limit", "rate", "stale") else None,
        "equipment_id": _id(form, "equipment_id") if kind != "score" else None,
        "model_id": _id(form, "model_id") if kind == "score" else None,
        "severity": str(form.get("severity") or "warning"),
        "config": config,
    }


@router.post("/alerts/rules", response_class=HTMLResponse)
async def add_rule(request: Request, who: Posting) -> Response:
    form = await request.form()
    try:
        platform_of(request).alert_rules.create(who.principal, **_rule_values(form))
    except OpenKampError as exc:
        if not _refused(exc):
            raise
        return _page(request, who, status_code=422, error=error_text(exc, lang_of(request)))
    return _page(request, who, note="alerting.saved")


@router.post("/alerts/rules/{rule_id}", response_class=HTMLResponse)
async def edit_rule(request: Request, who: Posting, rule_id: int) -> Response:
    """Change a rule: every field of its form (``enabled`` unchecked switches it off)."""
    form = await request.form()
    rules = platform_of(request).alert_rules
    old = rules.get(who.principal, rule_id)  # a wrong id: 404
    try:
        values = _rule_values(form, old["config"] or {})
        rules.update(who.principal, rule_id, **values, enabled=form.get("enabled") == "on")
    except OpenKampError as exc:
        if not _refused(exc):
            raise
        return _page(request, who, status_code=422, error=error_text(exc, lang_of(request)))
    return _page(request, who, note="alerting.saved")


@router.post("/alerts/rules/{rule_id}/toggle")
def toggle_rule(request: Request, who: Posting, rule_id: int) -> Response:
    kamp = platform_of(request)
    rec = kamp.alert_rules.get(who.principal, rule_id)
    kamp.alert_rules.update(who.principal, rule_id, enabled=not rec["enabled"])
    return _back()


@router.post("/alerts/rules/{rule_id}/delete")
def delete_rule(request: Request, who: Posting, rule_id: int) -> Response:
    platform_of(request).alert_rules.delete(who.principal, rule_id)
    return _back()


def _channel_config(form: Any, kind: str, kept: dict[str, Any] | None = None) -> dict[str, Any]:
    """A channel's settings from its form; ``kept``: the stored settings the form does not show
    (an empty secret is left to the service, which keeps the stored one)."""
    config: dict[str, Any]
    if kind == "email":
        port = str(form.get("port") or "587").strip()
        config = {
            "host": str(form.get("host") or "").strip(),
            "port": int(port) if port.isdecimal() else 0,
            "sender": str(form.get("sender") or "").strip(),
            "to": [t.strip() for t in str(form.get("to") or "").split(",") if t.strip()],
            "starttls": form.get("starttls") == "on",
            "username": str(form.get("username") or ""),
            "password": str(form.get("password") or ""),
            "on_clear": form.get("on_clear") == "on",
        }
    else:
        config = {
            "url": str(form.get("url") or "").strip(),
            "secret": str(form.get("secret") or ""),
            "on_clear": form.get("on_clear") == "on",
        }
    return {**{k: v for k, v in (kept or {}).items() if k in ("timeout_s", "retries")}, **config}


@router.post("/alerts/channels", response_class=HTMLResponse)
async def add_channel(request: Request, who: Posting) -> Response:
    form = await request.form()
    kind = str(form.get("kind") or "")
    try:
        platform_of(request).channels.create(
            who.principal, name=str(form.get("name") or ""), kind=kind,
            config=_channel_config(form, kind),
            min_severity=str(form.get("min_severity") or "warning"),
        )  # fmt: skip
    except OpenKampError as exc:
        if not _refused(exc):
            raise
        return _page(request, who, status_code=422, error=error_text(exc, lang_of(request)))
    return _page(request, who, note="alerting.saved")


@router.post("/alerts/channels/{channel_id}", response_class=HTMLResponse)
async def edit_channel(request: Request, who: Posting, channel_id: int) -> Response:
    """Change a channel (its kind stays): every field of its form; a secret left empty keeps
    the stored one, ``enabled`` unchecked switches it off."""
    form = await request.form()
    channels = platform_of(request).channels
    old = channels.get(who.principal, channel_id)  # a wrong id: 404
    try:
        channels.update(
            who.principal, channel_id, name=str(form.get("name") or ""),
            config=_channel_config(form, old["kind"], old["config"] or {}),
            min_severity=str(form.get("min_severity") or "warning"),
            enabled=form.get("enabled") == "on",
        )  # fmt: skip
    except OpenKampError as exc:
        if not _refused(exc):
            raise
        return _page(request, who, status_code=422, error=error_text(exc, lang_of(request)))
    return _page(request, who, note="alerting.saved")


@router.post("/alerts/channels/{channel_id}/toggle")
def toggle_channel(request: Request, who: Posting, channel_id: int) -> Response:
    channels = platform_of(request).channels
    rec = channels.get(who.principal, channel_id)
    channels.update(who.principal, channel_id, enabled=not rec["enabled"])
    return _back()


@router.post("/alerts/channels/{channel_id}/test", response_class=HTMLResponse)
def test_channel(request: Request, who: Posting, channel_id: int) -> Response:
    kamp = platform_of(request)
    before = kamp.channels.get(who.principal, channel_id)
    after = kamp.channels.test(who.principal, channel_id)
    if int(after.get("failures") or 0) > int(before.get("failures") or 0):
        lang = lang_of(request)
        from openkamp.i18n import t

        message = t("alerting.channel.tested_fail", lang, error=after.get("last_error") or "")
        return _page(request, who, status_code=200, error=(message, None))
    return _page(request, who, note="alerting.channel.tested_ok")


@router.post("/alerts/channels/{channel_id}/delete")
def delete_channel(request: Request, who: Posting, channel_id: int) -> Response:
    platform_of(request).channels.delete(who.principal, channel_id)
    return _back()
