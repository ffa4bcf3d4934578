"""Equipment management ("설비 관리"): create, rename, move and delete sites, lines, equipment,
signals and label columns from the browser.

An equipment's page also holds its nameplate (manufacturer, product, year, the maker's
contact), which the AAS export writes as a Digital Nameplate; the page says which required
fields are still empty.

Every change is one :class:`~openkamp.assets.service.AssetService` call (the API's asset routes
make the same calls). A person types a display name ("사출기 3호기"); the machine name that
paths and files use is derived from it unless given. Deleting first shows what would go
(:meth:`AssetService.deletion_impact`) and asks; a delete of something that still holds data
without the "with its data" box is refused by the service, in words.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from openkamp.core.assets import (
    MAX_LABEL,
    NAMEPLATE_FIELDS,
    NAMEPLATE_REQUIRED,
    LabelSpec,
    Nameplate,
    NodeKind,
    SignalSpec,
    check_name,
    slugify,
)
from openkamp.core.errors import InvalidInput, NotFound
from openkamp.core.tenancy import Principal
from openkamp.i18n import t
from openkamp.web.overview import asset_tree, display, equipment_of
from openkamp.web.page import Page, Posting, lang_of, platform_of, render

router = APIRouter()
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
Kind = Literal["node", "signal", "label"]


def names_from(label: str, name: str, what: str) -> dict[str, str]:
    """A machine name and display names from what a person typed: the display name ("사출기
    3호기") goes to ``name_ko`` when it is Korean, else ``name_en``; the machine name is the
    one given, else derived from the display name."""
    label, name = label.strip(), name.strip()
    if not label and not name:
        raise InvalidInput(f"The {what} needs a name.", code="web_data.name_required")
    machine = name or slugify(label, what)
    check_name(machine, f"{what} name")
    out = {"name": machine}
    if label:
        out["name_ko" if _HANGUL.search(label) else "name_en"] = label
    return out


def create_equipment(
    kamp: Any,
    me: Principal,
    *,
    line_id: int | None = None,
    site_id: int | None = None,
    new_site: str = "",
    new_line: str = "",
    label: str = "",
    name: str = "",
) -> Any:
    """A new machine under an existing line, or under a new line (of an existing or a new
    site): what the import wizard does when a file comes from a machine not yet known."""
    if line_id is None:
        if site_id is None:
            site = kamp.assets.create_node(me, "site", **names_from(new_site, "", "site"))
            site_id = site.id
        line = kamp.assets.create_node(
            me, "line", parent_id=site_id, **names_from(new_line, "", "line")
        )
        line_id = line.id
    return kamp.assets.create_node(
        me, "equipment", parent_id=line_id, **names_from(label, name, "equipment")
    )


def machine_or_404(machines: list[Any], equipment: int | None) -> Any:
    """The equipment of that id among ``machines``, None when no id was asked for; a wrong id
    is "no such equipment" (404), never silently another machine."""
    if equipment is None:
        return None
    found = next((m for m in machines if m.id == equipment), None)
    if found is None:
        raise NotFound(
            f"No equipment {equipment}.", code="web_data.no_equipment", params={"id": equipment}
        )
    return found


def _back(anchor: str = "", to: str = "/assets") -> Response:
    return RedirectResponse(f"{to}#{anchor}" if anchor else to, status_code=303)


# --------------------------------------------------------------------------- the tree


@router.get("/assets", response_class=HTMLResponse)
def assets_page(request: Request, who: Page) -> HTMLResponse:
    kamp = platform_of(request)
    tree = asset_tree(request, who, latest=False)
    sites = [n for n in tree if n.kind == "site"]
    lines = [(line, site) for site in sites for line in site.children]
    labels = {n.id: display(n, lang_of(request)) for n in kamp.assets.list_nodes(who.principal)}
    return render(
        request,
        "assets.html",
        who,
        sites=sites,
        lines=lines,
        labels=labels,
        machines=equipment_of(tree),
    )


@router.post("/assets/nodes")
def node_create(
    request: Request,
    who: Posting,
    kind: Annotated[str, Form()],
    label: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    parent_id: Annotated[str, Form()] = "",
) -> Response:
    kamp = platform_of(request)
    parent = int(parent_id) if parent_id.strip().isdecimal() else None
    node = kamp.assets.create_node(
        who.principal, kind, parent_id=parent, **names_from(label, name, kind)
    )
    if node.kind == NodeKind.EQUIPMENT:
        return _back(to=f"/assets/equipment/{node.id}")
    return _back(f"node-{node.id}")


@router.post("/assets/nodes/{node_id}/rename")
def node_rename(
    request: Request,
    who: Posting,
    node_id: int,
    label: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
) -> Response:
    kamp = platform_of(request)
    node = kamp.assets.get_node(who.principal, node_id)
    changes = names_from(label, name or node.name, node.kind.value)
    kamp.assets.update_node(who.principal, node_id, **changes)
    return _back(f"node-{node_id}")


@router.post("/assets/nodes/{node_id}/move")
def node_move(
    request: Request, who: Posting, node_id: int, parent_id: Annotated[int, Form()]
) -> Response:
    platform_of(request).assets.move_node(who.principal, node_id, parent_id)
    return _back(f"node-{node_id}")


# --------------------------------------------------------------------------- one machine


@router.get("/assets/equipment/{node_id}", response_class=HTMLResponse)
def equipment_page(request: Request, who: Page, node_id: int) -> HTMLResponse:
    kamp = platform_of(request)
    me = who.principal
    node = kamp.assets.get_node(me, node_id)
    if node.kind != NodeKind.EQUIPMENT:
        return RedirectResponse(f"/assets#node-{node_id}", status_code=303)  # type: ignore[return-value]
    lang = lang_of(request)
    machines = [m for m in equipment_of(asset_tree(request, who, latest=False)) if m.id != node_id]
    signals = kamp.assets.list_signals(me, node_id)
    counts: dict[int, int] = {}
    if signals:
        for row in kamp.query.extent(me, [s.id for s in signals]).to_pylist():
            counts[int(row["signal_id"])] = int(row["count"])
    return render(
        request,
        "assets_equipment.html",
        who,
        node=node,
        label=display(node, lang),
        path=kamp.assets.path_of(me, node_id),
        signals=[{"s": s, "label": display(s, lang), "points": counts.get(s.id)} for s in signals],
        columns=[
            {"c": c, "label": display(c, lang)} for c in kamp.assets.list_label_columns(me, node_id)
        ],
        machines=machines,
        nameplate=_nameplate_view(node.nameplate, lang),
    )


# The nameplate form's two groups: the product, then the maker's contact.
_PRODUCT = NAMEPLATE_FIELDS[:6]
_CONTACT = NAMEPLATE_FIELDS[6:]


def _nameplate_view(nameplate: Nameplate, lang: str) -> dict[str, Any]:
    """The nameplate's fields as the page shows them (label, value, required), in its two
    groups, and the labels of the required fields still empty."""

    def rows(keys: tuple[str, ...]) -> list[dict[str, Any]]:
        return [
            {"key": k, "label": t(f"nameplate.field.{k}", lang),
             "value": getattr(nameplate, k), "required": k in NAMEPLATE_REQUIRED}
            for k in keys
        ]  # fmt: skip

    missing = [t(f"nameplate.field.{k}", lang) for k in nameplate.missing()]
    return {
        "groups": [("nameplate.product", rows(_PRODUCT)), ("nameplate.contact", rows(_CONTACT))],
        "missing": ", ".join(missing),
        "filled": bool(nameplate),
        "max": MAX_LABEL,
    }


class NameplateForm(BaseModel):
    """The nameplate form's fields (all of them: an empty one clears the stored value)."""

    manufacturer_name: str = ""
    product_designation: str = ""
    product_type: str = ""
    serial_number: str = ""
    year_of_construction: str = ""
    product_uri: str = ""
    street: str = ""
    zipcode: str = ""
    city: str = ""
    country: str = ""
    phone: str = ""
    email: str = ""


@router.post("/assets/equipment/{node_id}/nameplate")
def nameplate_save(
    request: Request,
    who: Posting,
    node_id: int,
    form: Annotated[NameplateForm, Form()],
) -> Response:
    """Store the nameplate as typed (the service checks and normalises every field)."""
    values = form.model_dump(include=set(NAMEPLATE_FIELDS))
    platform_of(request).assets.update_node(who.principal, node_id, nameplate=values)
    return _back("nameplate", f"/assets/equipment/{node_id}")


@router.post("/assets/equipment/{node_id}/signals")
def signal_create(
    request: Request,
    who: Posting,
    node_id: int,
    label: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
) -> Response:
    names = names_from(label, name, "signal")
    spec = SignalSpec(
        name=names["name"],
        name_ko=names.get("name_ko", ""),
        name_en=names.get("name_en", ""),
        unit=unit.strip(),
    )
    sig = platform_of(request).assets.create_signal(who.principal, node_id, spec)
    return _back(f"signal-{sig.id}", f"/assets/equipment/{node_id}")


@router.post("/assets/equipment/{node_id}/labels")
def label_create(
    request: Request,
    who: Posting,
    node_id: int,
    label: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    categories: Annotated[str, Form()] = "",
) -> Response:
    cats = [c.strip() for c in categories.split(",") if c.strip()]
    names = names_from(label, name, "label")
    spec = LabelSpec(
        name=names["name"],
        name_ko=names.get("name_ko", ""),
        name_en=names.get("name_en", ""),
        categories=cats,
    )
    col = platform_of(request).assets.create_label_column(who.principal, node_id, spec)
    return _back(f"label-{col.id}", f"/assets/equipment/{node_id}")


@router.post("/assets/signals/{signal_id}/rename")
def signal_rename(
    request: Request,
    who: Posting,
    signal_id: int,
    label: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    unit: Annotated[str | None, Form()] = None,
    min_value: Annotated[str | None, Form()] = None,
    max_value: Annotated[str | None, Form()] = None,
) -> Response:
    """Rename a signal; also its unit and its allowed range (the limits the overview and the
    quality checks use; an empty field removes a limit)."""
    kamp = platform_of(request)
    sig = kamp.assets.get_signal(who.principal, signal_id)
    changes: dict[str, Any] = names_from(label, name or sig.name, "signal")
    if unit is not None:
        changes["unit"] = unit.strip()
    for key, text in (("min_value", min_value), ("max_value", max_value)):
        if text is not None:
            changes[key] = _number(text, key)
    kamp.assets.update_signal(who.principal, signal_id, **changes)
    return _back(f"signal-{signal_id}", f"/assets/equipment/{sig.equipment_id}")


def _number(text: str, field: str) -> float | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(
            f"{text!r} is not a number.", code="web_data.not_a_number", params={"text": text}
        ) from None


@router.post("/assets/labels/{column_id}/rename")
def label_rename(
    request: Request,
    who: Posting,
    column_id: int,
    label: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
) -> Response:
    kamp = platform_of(request)
    col = kamp.assets.get_label_column(who.principal, column_id)
    kamp.assets.update_label_column(
        who.principal, column_id, **names_from(label, name or col.name, "label")
    )
    return _back(f"label-{column_id}", f"/assets/equipment/{col.equipment_id}")


@router.post("/assets/signals/{signal_id}/move")
def signal_move(
    request: Request, who: Posting, signal_id: int, parent_id: Annotated[int, Form()]
) -> Response:
    platform_of(request).assets.move_signal(who.principal, signal_id, parent_id)
    return _back(f"signal-{signal_id}", f"/assets/equipment/{parent_id}")


@router.post("/assets/labels/{column_id}/move")
def label_move(
    request: Request, who: Posting, column_id: int, parent_id: Annotated[int, Form()]
) -> Response:
    platform_of(request).assets.move_label_column(who.principal, column_id, parent_id)
    return _back(f"label-{column_id}", f"/assets/equipment/{parent_id}")


# --------------------------------------------------------------------------- deleting


def _target(request: Request, who: Any, kind: Kind, record_id: int) -> dict[str, Any]:
    """The thing to delete: its kind in words, its display name, where to go afterwards."""
    kamp = platform_of(request)
    me = who.principal
    lang = lang_of(request)
    if kind == "signal":
        sig = kamp.assets.get_signal(me, record_id)
        return {
            "what": "signal",
            "label": display(sig, lang),
            "back": f"/assets/equipment/{sig.equipment_id}",
        }
    if kind == "label":
        col = kamp.assets.get_label_column(me, record_id)
        return {
            "what": "label",
            "label": display(col, lang),
            "back": f"/assets/equipment/{col.equipment_id}",
        }
    node = kamp.assets.get_node(me, record_id)
    return {"what": node.kind.value, "label": display(node, lang), "back": "/assets"}  # fmt: skip


_IMPACT_KIND = {"node": "node", "signal": "signal", "label": "label_column"}


@router.get("/assets/{kind}/{record_id}/delete", response_class=HTMLResponse)
def delete_page(request: Request, who: Page, kind: Kind, record_id: int) -> HTMLResponse:
    """Ask before deleting: what would be removed, in counts."""
    target = _target(request, who, kind, record_id)
    impact = platform_of(request).assets.deletion_impact(
        who.principal, _IMPACT_KIND[kind], record_id
    )
    holds = any(impact[k] for k in ("lines", "equipment", "signals", "labels", "points", "values"))
    if kind != "node":
        holds = bool(impact["points"] or impact["values"])
    return render(
        request,
        "assets_delete.html",
        who,
        kind=kind,
        record_id=record_id,
        target=target,
        impact=impact,
        holds=holds,
    )


@router.post("/assets/{kind}/{record_id}/delete")
def delete(
    request: Request,
    who: Posting,
    kind: Kind,
    record_id: int,
    with_data: Annotated[str, Form()] = "",
) -> Response:
    """Delete after the confirmation; without ``with_data`` something that still holds assets
    or stored data is refused (the service says why)."""
    kamp = platform_of(request)
    me = who.principal
    target = _target(request, who, kind, record_id)
    everything = bool(with_data)
    if kind == "signal":
        kamp.assets.delete_signal(me, record_id, delete_data=everything)
    elif kind == "label":
        kamp.assets.delete_label_column(me, record_id, delete_data=everything)
    else:
        kamp.assets.delete_node(me, record_id, cascade=everything)
    return _back(to=target["back"])
