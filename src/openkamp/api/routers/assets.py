"""Assets: the site → line → equipment → signal tree, label columns, AAS export."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import responses
from openkamp.api.openapi import file_answer
from openkamp.api.records import Answer, Timestamp
from openkamp.core.assets import MAX_LABEL, LabelSpec, LabelType, NodeKind, SignalSpec, ValueType
from openkamp.core.assets import Node as CoreNode

router = APIRouter(prefix="/assets", tags=["assets"])


class NameplateFields(BaseModel):
    """An equipment's nameplate, the fields to set (each one line of text; "" clears one). The
    AAS export holds a Digital Nameplate (IDTA 02006-2-0) once the required ones are filled."""

    model_config = ConfigDict(extra="forbid")

    manufacturer_name: str | None = Field(
        default=None, max_length=MAX_LABEL, description="Required for the Digital Nameplate"
    )
    product_designation: str | None = Field(
        default=None, max_length=MAX_LABEL, description="Required (short product name)"
    )
    product_type: str | None = Field(
        default=None, max_length=MAX_LABEL, description="Required (model / type designation)"
    )
    serial_number: str | None = Field(default=None, max_length=MAX_LABEL)
    year_of_construction: str | None = Field(
        default=None, max_length=MAX_LABEL, description="Required, four digits"
    )
    product_uri: str | None = Field(
        default=None, max_length=MAX_LABEL, description="Required, an absolute URI"
    )
    street: str | None = Field(default=None, max_length=MAX_LABEL, description="Required")
    zipcode: str | None = Field(default=None, max_length=MAX_LABEL, description="Required")
    city: str | None = Field(default=None, max_length=MAX_LABEL, description="Required")
    country: str | None = Field(
        default=None, max_length=MAX_LABEL, description="Required, ISO 3166-1 alpha-2 (KR)"
    )
    phone: str | None = Field(default=None, max_length=MAX_LABEL)
    email: str | None = Field(default=None, max_length=MAX_LABEL)


class NodeCreate(BaseModel):
    kind: Literal["site", "line", "equipment"]
    name: str = Field(min_length=1, max_length=128)
    parent_id: int | None = None
    name_ko: str = ""
    name_en: str = ""
    equipment_type: str = ""
    description: str = ""
    nameplate: NameplateFields | None = Field(default=None, description="Equipment only")


class NodeUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=128)
    name_ko: str | None = None
    name_en: str | None = None
    equipment_type: str | None = None
    description: str | None = None
    nameplate: NameplateFields | None = Field(
        default=None,
        description="Equipment only: the fields given replace the stored ones, the others stay",
    )


class SignalCreate(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    name_ko: str = ""
    name_en: str = ""
    unit: str = ""
    value_type: ValueType = ValueType.FLOAT
    min_value: float | None = None
    max_value: float | None = None
    sampling_period_s: float | None = Field(default=None, gt=0)
    description: str = ""


class SignalUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=128)
    name_ko: str | None = None
    name_en: str | None = None
    unit: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    description: str | None = None


class LabelCreate(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    name_ko: str = ""
    name_en: str = ""
    label_type: LabelType = LabelType.CATEGORY
    categories: list[str] = Field(default_factory=list)
    description: str = ""


class LabelUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=128)
    name_ko: str | None = None
    name_en: str | None = None
    description: str | None = None


class Move(BaseModel):
    """The new parent: a line for equipment, a site for a line, an equipment for a signal or
    a label column."""

    parent_id: int


class Nameplate(Answer):
    """An equipment's nameplate ("" for a field not filled)."""

    manufacturer_name: str
    product_designation: str
    product_type: str
    serial_number: str
    year_of_construction: str
    product_uri: str
    street: str
    zipcode: str
    city: str
    country: str
    phone: str
    email: str
    missing: list[str] = Field(
        description="Required fields still empty; none: the AAS export holds a Digital "
        "Nameplate (IDTA 02006-2-0) of the equipment"
    )


class Node(Answer):
    """A site, line or equipment."""

    id: int
    org_id: int
    kind: Literal["site", "line", "equipment"]
    parent_id: int | None
    name: str
    name_ko: str
    name_en: str
    equipment_type: str
    description: str
    nameplate: Nameplate | None = Field(description="Equipment only (null for sites and lines)")
    created_at: Timestamp


class NodeWithPath(Node):
    path: str = Field(description="site/line/equipment")


class Signal(Answer):
    id: int
    org_id: int
    equipment_id: int
    name: str
    name_ko: str
    name_en: str
    unit: str
    value_type: ValueType
    min_value: float | None
    max_value: float | None
    sampling_period_s: float | None
    description: str


class SignalWithPath(Signal):
    path: str = Field(description="site/line/equipment/signal")


class LabelColumn(Answer):
    id: int
    org_id: int
    equipment_id: int
    name: str
    name_ko: str
    name_en: str
    label_type: LabelType
    categories: list[str]
    description: str


class TreeNode(Node):
    """A node with its children; an equipment also with its signals and label columns."""

    children: list[TreeNode]
    signals: list[Signal] | SkipJsonSchema[None] = Field(default=None, description="Equipment only")
    labels: list[LabelColumn] | SkipJsonSchema[None] = Field(
        default=None, description="Equipment only"
    )


class Impact(Answer):
    """What a cascading delete would remove."""

    lines: int
    equipment: int
    signals: int
    labels: int
    points: int
    values: int


def _plain(obj: Any) -> dict[str, Any]:
    out = {k: (v.value if hasattr(v, "value") else v) for k, v in asdict(obj).items()}
    if isinstance(obj, CoreNode):
        is_equipment = obj.kind is NodeKind.EQUIPMENT
        out["nameplate"] = (
            {**out["nameplate"], "missing": obj.nameplate.missing()} if is_equipment else None
        )
    return out


@router.get("/tree", response_model=list[TreeNode], response_model_exclude_unset=True)
def assets_tree(kamp: Kamp, me: Me) -> list[dict[str, Any]]:
    """The organisation's asset tree with signals and label columns."""
    nodes = kamp.assets.list_nodes(me)
    signals = kamp.assets.list_signals(me)
    labels = kamp.assets.list_label_columns(me)
    by_parent: dict[int | None, list[Any]] = {}
    for n in nodes:
        by_parent.setdefault(n.parent_id, []).append(n)

    def build(node: Any) -> dict[str, Any]:
        out = _plain(node)
        out["children"] = [build(c) for c in by_parent.get(node.id, [])]
        if node.kind.value == "equipment":
            out["signals"] = [_plain(s) for s in signals if s.equipment_id == node.id]
            out["labels"] = [_plain(c) for c in labels if c.equipment_id == node.id]
        return out

    return [build(n) for n in by_parent.get(None, [])]


@router.get("/nodes", response_model=list[Node])
def assets_list_nodes(kamp: Kamp, me: Me) -> list[dict[str, Any]]:
    return [_plain(n) for n in kamp.assets.list_nodes(me)]


@router.post("/nodes", status_code=201, response_model=Node, responses=responses(404, 409))
def assets_create_node(body: NodeCreate, kamp: Kamp, me: Me) -> dict[str, Any]:
    display = body.model_dump(exclude={"kind", "name", "parent_id", "nameplate"})
    if body.kind != "equipment":
        display.pop("equipment_type")
    if body.nameplate is not None:
        display["nameplate"] = body.nameplate.model_dump(exclude_none=True)
    node = kamp.assets.create_node(me, body.kind, body.name, body.parent_id, **display)
    return _plain(node)


@router.get("/nodes/{node_id}", response_model=NodeWithPath)
def assets_get_node(node_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    node = kamp.assets.get_node(me, node_id)
    return {**_plain(node), "path": kamp.assets.path_of(me, node_id)}


@router.patch("/nodes/{node_id}", response_model=Node, responses=responses(409))
def assets_update_node(node_id: int, body: NodeUpdate, kamp: Kamp, me: Me) -> dict[str, Any]:
    changes = body.model_dump(exclude_none=True)
    return _plain(kamp.assets.update_node(me, node_id, **changes))


@router.delete("/nodes/{node_id}", status_code=204, responses=responses(409))
def assets_delete_node(node_id: int, kamp: Kamp, me: Me, cascade: bool = False) -> Response:
    kamp.assets.delete_node(me, node_id, cascade=cascade)
    return Response(status_code=204)


@router.post("/nodes/{node_id}/move", response_model=Node, responses=responses(409))
def assets_move_node(node_id: int, body: Move, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Hang a line under another site, or an equipment under another line."""
    return _plain(kamp.assets.move_node(me, node_id, body.parent_id))


@router.get("/nodes/{node_id}/impact", response_model=Impact)
def assets_node_impact(node_id: int, kamp: Kamp, me: Me) -> dict[str, int]:
    """What deleting the node with cascade would remove (lines, equipment, signals, label
    columns, stored points and label values); nothing is deleted."""
    return kamp.assets.deletion_impact(me, "node", node_id)


@router.get("/nodes/{node_id}/signals", response_model=list[Signal])
def assets_list_signals(node_id: int, kamp: Kamp, me: Me) -> list[dict[str, Any]]:
    kamp.assets.get_node(me, node_id)  # 404 for another organisation's node
    return [_plain(s) for s in kamp.assets.list_signals(me, node_id)]


@router.post(
    "/nodes/{node_id}/signals", status_code=201, response_model=Signal, responses=responses(409)
)
def assets_create_signal(node_id: int, body: SignalCreate, kamp: Kamp, me: Me) -> dict[str, Any]:
    spec = SignalSpec(**body.model_dump())
    return _plain(kamp.assets.create_signal(me, node_id, spec))


@router.get("/signals/{signal_id}", response_model=SignalWithPath)
def assets_get_signal(signal_id: int, kamp: Kamp, me: Me) -> dict[str, Any]:
    sig = kamp.assets.get_signal(me, signal_id)
    return {**_plain(sig), "path": f"{kamp.assets.path_of(me, sig.equipment_id)}/{sig.name}"}


@router.patch("/signals/{signal_id}", response_model=Signal, responses=responses(409))
def assets_update_signal(signal_id: int, body: SignalUpdate, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Rename a signal or change its display names, unit, limits or description."""
    changes = body.model_dump(exclude_unset=True)
    return _plain(kamp.assets.update_signal(me, signal_id, **changes))


@router.post("/signals/{signal_id}/move", response_model=Signal, responses=responses(409))
def assets_move_signal(signal_id: int, body: Move, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Move a signal (with its stored data) to another equipment."""
    return _plain(kamp.assets.move_signal(me, signal_id, body.parent_id))


@router.get("/signals/{signal_id}/impact", response_model=Impact)
def assets_signal_impact(signal_id: int, kamp: Kamp, me: Me) -> dict[str, int]:
    return kamp.assets.deletion_impact(me, "signal", signal_id)


@router.delete("/signals/{signal_id}", status_code=204, responses=responses(409))
def assets_delete_signal(signal_id: int, kamp: Kamp, me: Me, delete_data: bool = False) -> Response:
    """Delete a signal; one with stored points only with ``delete_data=true``."""
    kamp.assets.delete_signal(me, signal_id, delete_data=delete_data)
    return Response(status_code=204)


@router.get("/nodes/{node_id}/labels", response_model=list[LabelColumn])
def assets_list_labels(node_id: int, kamp: Kamp, me: Me) -> list[dict[str, Any]]:
    kamp.assets.get_node(me, node_id)  # 404 for another organisation's node
    return [_plain(c) for c in kamp.assets.list_label_columns(me, node_id)]


@router.post(
    "/nodes/{node_id}/labels", status_code=201, response_model=LabelColumn,
    responses=responses(409),
)  # fmt: skip
def assets_create_label(node_id: int, body: LabelCreate, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Declare a label column (pass / fail, defect type …) of an equipment."""
    return _plain(kamp.assets.create_label_column(me, node_id, LabelSpec(**body.model_dump())))


@router.patch("/labels/{column_id}", response_model=LabelColumn, responses=responses(409))
def assets_update_label(column_id: int, body: LabelUpdate, kamp: Kamp, me: Me) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    return _plain(kamp.assets.update_label_column(me, column_id, **changes))


@router.post("/labels/{column_id}/move", response_model=LabelColumn, responses=responses(409))
def assets_move_label(column_id: int, body: Move, kamp: Kamp, me: Me) -> dict[str, Any]:
    """Move a label column (with its stored values) to another equipment."""
    return _plain(kamp.assets.move_label_column(me, column_id, body.parent_id))


@router.get("/labels/{column_id}/impact", response_model=Impact)
def assets_label_impact(column_id: int, kamp: Kamp, me: Me) -> dict[str, int]:
    return kamp.assets.deletion_impact(me, "label_column", column_id)


@router.delete("/labels/{column_id}", status_code=204, responses=responses(409))
def assets_delete_label(column_id: int, kamp: Kamp, me: Me, delete_data: bool = False) -> Response:
    """Delete a label column; one with stored values only with ``delete_data=true``."""
    kamp.assets.delete_label_column(me, column_id, delete_data=delete_data)
    return Response(status_code=204)


@router.get(
    "/export.aasx",
    response_class=Response,
    responses=file_answer(
        "The asset model as an AASX package", "application/asset-administration-shell-package"
    ),
)
def assets_export_aasx(kamp: Kamp, me: Me) -> Response:
    """The asset model as an Asset Administration Shell package (.aasx)."""
    import io

    from openkamp.assets.aas import export_aasx, export_context

    buf = io.BytesIO()
    export_aasx(kamp.assets.export_tree(me), buf, **export_context(kamp, me))
    return Response(
        buf.getvalue(),
        media_type="application/asset-administration-shell-package",
        headers={"Content-Disposition": 'attachment; filename="assets.aasx"'},
    )
