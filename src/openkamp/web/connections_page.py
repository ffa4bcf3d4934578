"""Connections page: every connection with its live state and counters (refreshed by
``static/connections.js`` from ``/api/v1/connections``), add / edit (the form built from the
kind's config model), start, stop, delete. Every action is one ``ConnectorService`` call."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkamp.api.errors import status_of
from openkamp.connectors.base import MASK, Connector, secret_fields
from openkamp.core.errors import Conflict, InvalidInput
from openkamp.i18n import MESSAGES, error_text, t
from openkamp.web.page import Page, Posting, lang_of, platform_of, render

router = APIRouter()

#: Form fields every connection has; the rest come from the kind's config model.
_OWN = ("name", "enabled", "csrf_token", "kind")


def _kind_title(cls: type[Connector], lang: str) -> str:
    return cls.title.get(lang) or cls.title.get("en") or cls.kind


def form_fields(
    cls: type[Connector], config: dict[str, Any] | None = None, lang: str = "en"
) -> list[dict[str, Any]]:
    """The inputs of a kind's settings, from its config model's JSON Schema: a checkbox for
    a yes / no, a number, a password for a secret, JSON text for lists and mappings. Labels
    and help come from the catalogue (``connectors.field.<kind>.<name>``, else
    ``connectors.field.<name>``, and ``….help``), else the
    field's name and, in English, its description."""
    schema = cls.Config.model_json_schema()
    required = set(schema.get("required", []))
    secrets = set(secret_fields(cls.Config))
    out = []
    for name, prop in schema.get("properties", {}).items():
        kind = prop.get("type")
        if kind is None and "anyOf" in prop:
            kinds = [p.get("type") for p in prop["anyOf"] if p.get("type") != "null"]
            kind = kinds[0] if kinds else "string"
        if name in secrets:
            widget = "password"
        elif kind == "boolean":
            widget = "checkbox"
        elif kind in ("integer", "number"):
            widget = "number"
        elif kind in ("object", "array"):
            widget = "json"
        elif "enum" in prop:
            widget = "select"
        else:
            widget = "text"
        value = (config or {}).get(name, prop.get("default"))
        if widget == "json":
            value = json.dumps(value if value is not None else {}, ensure_ascii=False)
        key = f"connectors.field.{name}"
        if f"connectors.field.{cls.kind}.{name}" in MESSAGES:  # a kind's own text wins
            key = f"connectors.field.{cls.kind}.{name}"
        label = t(key, lang) if key in MESSAGES else name
        help_text = (
            t(f"{key}.help", lang)
            if f"{key}.help" in MESSAGES
            else (prop.get("description", "") if lang == "en" else "")
        )
        out.append(
            {
                "name": name, "widget": widget, "value": "" if value is None else value,
                "required": name in required, "label": label,
                "description": help_text, "options": prop.get("enum", []),
                "step": "1" if kind == "integer" else "any",
            }
        )  # fmt: skip
    return out


def config_from_form(cls: type[Connector], form: dict[str, Any]) -> dict[str, Any]:
    """The posted form's settings, typed as the kind's config model wants them."""
    config: dict[str, Any] = {}
    for field in form_fields(cls):
        name, widget = field["name"], field["widget"]
        raw = form.get(name)
        if widget == "checkbox":
            config[name] = raw is not None
            continue
        text = "" if raw is None else str(raw).strip()
        if widget == "password":
            config[name] = text or MASK  # empty: keep the stored secret
        elif text == "" and not field["required"]:
            continue  # the model's default
        elif widget == "number":
            try:
                config[name] = int(text) if field["step"] == "1" else float(text)
            except ValueError:
                config[name] = text  # the model refuses it in words
        elif widget == "json":
            try:
                config[name] = json.loads(text)
            except ValueError as exc:
                raise InvalidInput(
                    f"{name}: not JSON",
                    code="connectors.bad_config",
                    params={"kind": cls.kind, "problems": f"{name}: JSON"},
                ) from exc
        else:
            config[name] = text
    return config


def _list(request: Request, who: Page, status_code: int = 200, **extra: Any) -> HTMLResponse:
    kamp = platform_of(request)
    lang = lang_of(request)
    kinds = kamp.connections.kinds()
    return render(
        request, "connections.html", who, status_code=status_code,
        connections=kamp.connections.list(who.principal),
        kinds=[(k, _kind_title(c, lang)) for k, c in sorted(kinds.items())],
        **extra,
    )  # fmt: skip


@router.get("/connections", response_class=HTMLResponse)
def connections_page(request: Request, who: Page) -> HTMLResponse:
    return _list(request, who)


def _form(
    request: Request,
    who: Page,
    cls: type[Connector],
    *,
    rec: dict[str, Any] | None = None,
    config: dict[str, Any] | None = None,
    error: tuple[str, str | None] | None = None,
    status_code: int = 200,
    name: str = "",
    enabled: bool = True,
) -> HTMLResponse:
    return render(
        request, "connection_form.html", who, status_code=status_code,
        rec=rec, kind=cls.kind, kind_title=_kind_title(cls, lang_of(request)),
        fields=form_fields(
            cls, config if config is not None else (rec or {}).get("config"), lang_of(request)
        ),
        error=error, name=name or (rec or {}).get("name", ""),
        enabled=rec["enabled"] if rec is not None else enabled,
        reason_label=lambda r: t(f"connectors.reason.{r}", lang_of(request)),
    )  # fmt: skip


def _cls(request: Request, kind: str) -> type[Connector]:
    kinds = platform_of(request).connections.kinds()
    if kind not in kinds:
        raise InvalidInput(
            f"No connector of kind {kind!r} is installed.",
            code="connectors.unknown_kind",
            params={"kind": kind, "kinds": ", ".join(sorted(kinds))},
        )
    return kinds[kind]


@router.get("/connections/new", response_class=HTMLResponse)
def connection_new(request: Request, who: Page, kind: str = "http") -> HTMLResponse:
    return _form(request, who, _cls(request, kind))


@router.post("/connections/new", response_class=HTMLResponse, response_model=None)
async def connection_create(request: Request, who: Posting) -> Response:
    form = dict((await request.form()).items())
    cls = _cls(request, str(form.get("kind", "")))
    name = str(form.get("name", "")).strip()
    enabled = form.get("enabled") is not None
    try:
        config = config_from_form(cls, form)
        platform_of(request).connections.create(
            who.principal, name, cls.kind, config, enabled=enabled
        )
    except (InvalidInput, Conflict) as exc:  # the form again, with the problem in words
        return _form(
            request, who, cls, error=error_text(exc, lang_of(request)),
            status_code=status_of(exc), name=name, enabled=enabled,
        )  # fmt: skip
    return RedirectResponse("/connections", status_code=303)


@router.get("/connections/{connection_id}", response_class=HTMLResponse)
def connection_edit(request: Request, who: Page, connection_id: int) -> HTMLResponse:
    kamp = platform_of(request)
    rec = kamp.connections.get(who.principal, connection_id)
    return _form(request, who, _cls(request, rec["kind"]), rec=rec)


@router.post("/connections/{connection_id}", response_class=HTMLResponse, response_model=None)
async def connection_update(request: Request, who: Posting, connection_id: int) -> Response:
    kamp = platform_of(request)
    rec = kamp.connections.get(who.principal, connection_id)
    cls = _cls(request, rec["kind"])
    form = dict((await request.form()).items())
    try:
        kamp.connections.update(
            who.principal, connection_id,
            name=str(form.get("name", rec["name"])).strip(),
            config=config_from_form(cls, form),
            enabled=form.get("enabled") is not None,
        )  # fmt: skip
    except (InvalidInput, Conflict) as exc:
        return _form(request, who, cls, rec=rec, error=error_text(exc, lang_of(request)),
                     status_code=status_of(exc))  # fmt: skip
    return RedirectResponse("/connections", status_code=303)


@router.post("/connections/{connection_id}/start")
def connection_start(request: Request, who: Posting, connection_id: int) -> Response:
    platform_of(request).connections.start(who.principal, connection_id)
    return RedirectResponse("/connections", status_code=303)


@router.post("/connections/{connection_id}/stop")
def connection_stop(request: Request, who: Posting, connection_id: int) -> Response:
    platform_of(request).connections.stop(who.principal, connection_id)
    return RedirectResponse("/connections", status_code=303)


@router.post("/connections/{connection_id}/delete")
def connection_delete(request: Request, who: Posting, connection_id: int) -> Response:
    platform_of(request).connections.delete(who.principal, connection_id)
    return RedirectResponse("/connections", status_code=303)
