"""The asset service: the site → line → equipment → signal tree of one organisation.

All changes are checked here: machine names, which kind hangs under which, unique sibling names,
and that nothing still referenced (children, signals, label columns, stored data) is deleted
unless the caller asks for the deletion to cascade.

Paths name assets for people and scripts: ``plant1/line1/imm01`` is an equipment,
``plant1/line1/imm01/cushion`` one of its signals (or label columns).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any, TypeVar

from openkamp.core.assets import (
    PARENT_KIND,
    EquipmentSpec,
    LabelColumn,
    LabelSpec,
    LabelType,
    LineSpec,
    Nameplate,
    Node,
    NodeKind,
    Signal,
    SignalSpec,
    SiteSpec,
    ValueType,
    check_name,
    check_nameplate,
    check_texts,
)
from openkamp.core.errors import Conflict, InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role, require
from openkamp.core.text import nfc, refuse_look_alike
from openkamp.storage.metadata.base import MetadataStore, Record
from openkamp.storage.timeseries.base import TimeSeriesStore

T = TypeVar("T")

_NODE_FIELDS = {"name", "name_ko", "name_en", "equipment_type", "description", "nameplate"}
_SIGNAL_FIELDS = {f.name for f in fields(SignalSpec)}
_LABEL_FIELDS = {f.name for f in fields(LabelSpec)}


def _from_record(cls: type[T], rec: Record, **convert: Any) -> T:
    """A record type built from a store record: its own fields only, some converted."""
    values = {f.name: rec[f.name] for f in fields(cls)}  # type: ignore[arg-type]
    for name, fn in convert.items():
        values[name] = fn(values[name])
    return cls(**values)


def _node(rec: Record) -> Node:
    return _from_record(Node, rec, kind=NodeKind, nameplate=lambda v: Nameplate(**v))


def _nameplate_values(kind: NodeKind, nameplate: Any) -> dict[str, str]:
    """What the store keeps of a node's nameplate: the filled fields, checked; only equipment
    has one."""
    checked = check_nameplate(nameplate)
    if checked and kind != NodeKind.EQUIPMENT:
        raise InvalidInput(
            f"Only equipment has a nameplate, not a {kind.value}.",
            code="assets.nameplate_equipment_only",
        )
    return checked.stored()


def _signal(rec: Record) -> Signal:
    return _from_record(Signal, rec, value_type=ValueType)


def _label(rec: Record) -> LabelColumn:
    return _from_record(LabelColumn, rec, label_type=LabelType, categories=tuple)


def _signal_values(spec: SignalSpec) -> dict[str, Any]:
    check_name(spec.name, "signal name")
    values = asdict(spec)
    check_texts(values, "signal")
    values["value_type"] = ValueType(spec.value_type).value
    lo, hi = spec.min_value, spec.max_value
    if lo is not None and hi is not None and lo > hi:
        raise InvalidInput(
            f"Signal {spec.name!r}: min_value {lo} is above max_value {hi}.",
            code="assets.range",
            params={"name": spec.name, "low": lo, "high": hi},
        )
    if spec.sampling_period_s is not None and spec.sampling_period_s <= 0:
        raise InvalidInput(
            f"Signal {spec.name!r}: sampling period must be positive.",
            code="assets.sampling",
            params={"name": spec.name},
        )
    return values


def _label_values(spec: LabelSpec) -> dict[str, Any]:
    check_name(spec.name, "label column name")
    values = asdict(spec)
    check_texts(values, "label column")
    values["label_type"] = LabelType(spec.label_type).value
    values["categories"] = list(spec.categories)
    return values


@dataclass(frozen=True)
class TreeChanges:
    """What :meth:`AssetService.apply_tree` did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


class AssetService:
    """Create, read, rename, move and delete assets of the acting organisation."""

    def __init__(self, meta: MetadataStore, timeseries: TimeSeriesStore | None = None) -> None:
        self.meta = meta
        self.ts = timeseries

    # -- nodes --------------------------------------------------------------------------------

    def create_node(
        self,
        principal: Principal,
        kind: NodeKind | str,
        name: str,
        parent_id: int | None = None,
        **display: Any,
    ) -> Node:
        """A new node; ``display`` holds ``name_ko``, ``name_en``, ``description``,
        ``equipment_type`` and, for equipment, ``nameplate`` (a :class:`Nameplate` or a mapping
        of its fields)."""
        require(principal, Role.ENGINEER)
        try:
            kind = NodeKind(kind)
        except ValueError:
            raise InvalidInput(
                f"{kind!r} is not a kind of asset.",
                hint=f"Use one of: {', '.join(k.value for k in NodeKind)}.",
            ) from None
        name = nfc(name) if isinstance(name, str) else name
        check_name(name, f"{kind.value} name")
        unknown = set(display) - (_NODE_FIELDS - {"name"})
        if unknown:
            raise InvalidInput(f"Unknown node fields {sorted(unknown)}.")
        check_texts(dict(display), kind.value)
        if "nameplate" in display:
            display["nameplate"] = _nameplate_values(kind, display["nameplate"])
        self._check_parent(principal, kind, parent_id)
        siblings = self.meta.find(principal.org_id, "node", parent_id=parent_id)
        refuse_look_alike(name, [str(r["name"]) for r in siblings], f"{kind.value} name")
        rec = self.meta.insert(
            principal.org_id,
            "node",
            {"kind": kind.value, "parent_id": parent_id, "name": name, **display},
        )
        return _node(rec)

    def _check_parent(self, principal: Principal, kind: NodeKind, parent_id: int | None) -> None:
        want = PARENT_KIND[kind]
        if want is None:
            if parent_id is not None:
                raise InvalidInput(
                    "A site is a top-level asset and has no parent.", code="assets.site_no_parent"
                )
            return
        if parent_id is None:
            raise InvalidInput(
                f"A {kind.value} needs a parent {want.value}.",
                code=f"assets.needs_parent.{kind.value}",
            )
        parent = self.get_node(principal, parent_id)
        if parent.kind != want:
            raise InvalidInput(
                f"A {kind.value} belongs under a {want.value}, not under the {parent.kind.value} "
                f"{parent.name!r}.",
                code=f"assets.needs_parent.{kind.value}",
            )

    def get_node(self, principal: Principal, node_id: int) -> Node:
        return _node(self.meta.get(principal.org_id, "node", node_id))

    def list_nodes(
        self, principal: Principal, kind: NodeKind | str | None = None, parent_id: int | None = -1
    ) -> list[Node]:
        """Nodes of the organisation, optionally of one kind and/or one parent (None = top)."""
        filters: dict[str, Any] = {}
        if kind is not None:
            filters["kind"] = NodeKind(kind).value
        if parent_id != -1:
            filters["parent_id"] = parent_id
        return [_node(r) for r in self.meta.find(principal.org_id, "node", **filters)]

    def update_node(self, principal: Principal, node_id: int, **changes: Any) -> Node:
        """Rename or relabel a node (``name``, ``name_ko``, ``name_en``, ``description`` …).

        ``nameplate`` (equipment only) is a mapping of the nameplate fields to change: those
        given replace the stored ones ("" clears one), the others stay; a :class:`Nameplate`
        replaces the whole nameplate."""
        require(principal, Role.ENGINEER)
        unknown = set(changes) - _NODE_FIELDS
        if unknown:
            raise InvalidInput(f"Cannot change {sorted(unknown)} of a node.")
        if "nameplate" in changes:
            node = self.get_node(principal, node_id)
            given = changes["nameplate"]
            if isinstance(given, Mapping):
                given = {**node.nameplate.stored(), **given}
            changes["nameplate"] = _nameplate_values(node.kind, given)
        if "name" in changes:
            changes["name"] = nfc(changes["name"]) if isinstance(changes["name"], str) else ""
            check_name(changes["name"], "name")
        check_texts(dict(changes), "asset")
        return _node(self.meta.update(principal.org_id, "node", node_id, changes))

    def move_node(self, principal: Principal, node_id: int, new_parent_id: int) -> Node:
        require(principal, Role.ENGINEER)
        node = self.get_node(principal, node_id)
        self._check_parent(principal, node.kind, new_parent_id)
        return _node(
            self.meta.update(principal.org_id, "node", node_id, {"parent_id": new_parent_id})
        )

    def delete_node(self, principal: Principal, node_id: int, *, cascade: bool = False) -> int:
        """Delete a node. Without ``cascade`` it must be empty; returns the records deleted."""
        require(principal, Role.ENGINEER)
        node = self.get_node(principal, node_id)
        children = self.list_nodes(principal, parent_id=node.id)
        signals = (
            self.list_signals(principal, equipment_id=node.id)
            if node.kind == NodeKind.EQUIPMENT
            else []
        )
        labels = (
            self.list_label_columns(principal, equipment_id=node.id)
            if node.kind == NodeKind.EQUIPMENT
            else []
        )
        if (children or signals or labels) and not cascade:
            raise Conflict(
                f"The {node.kind.value} {node.name!r} still holds {len(children)} child assets, "
                f"{len(signals)} signals and {len(labels)} label columns.",
                hint="Delete or move them first, or delete with cascade (this also deletes their data).",
                code="assets.node_not_empty",
                params={"name": node.name, "children": len(children), "signals": len(signals),
                        "labels": len(labels)},
            )  # fmt: skip
        deleted = 0
        with self.meta.transaction():
            for child in children:
                deleted += self.delete_node(principal, child.id, cascade=True)
            for sig in signals:
                self.delete_signal(principal, sig.id, delete_data=True)
                deleted += 1
            for lab in labels:
                self.delete_label_column(principal, lab.id, delete_data=True)
                deleted += 1
            self.meta.delete(principal.org_id, "node", node.id)
        return deleted + 1

    def deletion_impact(self, principal: Principal, kind: str, record_id: int) -> dict[str, int]:
        """What deleting a node, signal or label column (with cascade / its data) would remove:
        counts of lines, equipment, signals, label columns, stored points and label values, so
        that an interface can ask "delete these?" before it deletes anything."""
        out = {"lines": 0, "equipment": 0, "signals": 0, "labels": 0, "points": 0, "values": 0}
        signal_ids: list[int] = []
        label_ids: list[int] = []
        if kind == "signal":
            signal_ids = [self.get_signal(principal, record_id).id]
        elif kind == "label_column":
            label_ids = [self.get_label_column(principal, record_id).id]
        else:
            node = self.get_node(principal, record_id)
            by_parent: dict[int | None, list[Node]] = {}
            for n in self.list_nodes(principal):
                by_parent.setdefault(n.parent_id, []).append(n)
            stack, machines = [node], []
            while stack:
                current = stack.pop()
                if current.kind == NodeKind.EQUIPMENT:
                    machines.append(current.id)
                if current.id != node.id and current.kind.value in ("line", "equipment"):
                    out["lines" if current.kind == NodeKind.LINE else "equipment"] += 1
                stack.extend(by_parent.get(current.id, []))
            signal_ids = [s.id for s in self.list_signals(principal) if s.equipment_id in machines]
            label_ids = [
                c.id for c in self.list_label_columns(principal) if c.equipment_id in machines
            ]
        out["signals"], out["labels"] = len(signal_ids), len(label_ids)
        if self.ts is not None:
            if signal_ids:
                out["points"] = int(self.ts.count(principal.org_id, signal_ids))
            if label_ids:
                out["values"] = int(self.ts.count_labels(principal.org_id, label_ids))
        return out

    # -- signals and label columns ------------------------------------------------------------

    def _equipment(self, principal: Principal, equipment_id: int) -> Node:
        node = self.get_node(principal, equipment_id)
        if node.kind != NodeKind.EQUIPMENT:
            raise InvalidInput(
                f"Signals belong to equipment; {node.name!r} is a {node.kind.value}.",
                code="assets.not_equipment",
                params={"name": node.name},
            )
        return node

    def create_signal(self, principal: Principal, equipment_id: int, spec: SignalSpec) -> Signal:
        require(principal, Role.ENGINEER)
        self._equipment(principal, equipment_id)
        rec = self.meta.insert(
            principal.org_id, "signal", {"equipment_id": equipment_id, **_signal_values(spec)}
        )
        return _signal(rec)

    def get_signal(self, principal: Principal, signal_id: int) -> Signal:
        return _signal(self.meta.get(principal.org_id, "signal", signal_id))

    def list_signals(self, principal: Principal, equipment_id: int | None = None) -> list[Signal]:
        filters = {} if equipment_id is None else {"equipment_id": equipment_id}
        return [_signal(r) for r in self.meta.find(principal.org_id, "signal", **filters)]

    def update_signal(self, principal: Principal, signal_id: int, **changes: Any) -> Signal:
        require(principal, Role.ENGINEER)
        unknown = set(changes) - _SIGNAL_FIELDS
        if unknown:
            raise InvalidInput(f"Cannot change {sorted(unknown)} of a signal.")
        merged = {**asdict(self._signal_spec(self.get_signal(principal, signal_id))), **changes}
        values = _signal_values(SignalSpec(**merged))
        return _signal(self.meta.update(principal.org_id, "signal", signal_id, values))

    def move_signal(self, principal: Principal, signal_id: int, equipment_id: int) -> Signal:
        require(principal, Role.ENGINEER)
        self._equipment(principal, equipment_id)
        return _signal(
            self.meta.update(principal.org_id, "signal", signal_id, {"equipment_id": equipment_id})
        )

    def delete_signal(
        self, principal: Principal, signal_id: int, *, delete_data: bool = False
    ) -> None:
        require(principal, Role.ENGINEER)
        sig = self.get_signal(principal, signal_id)
        if self.ts is not None:
            stored = self.ts.count(principal.org_id, [sig.id])
            if stored and not delete_data:
                raise Conflict(
                    f"Signal {sig.name!r} has {stored:,} stored points.",
                    hint="Delete it with its data (delete_data / --with-data) or keep it.",
                    code="assets.signal_has_data",
                    params={"name": sig.name, "points": stored},
                )
            if stored:
                self.ts.delete(principal.org_id, [sig.id])
        self.meta.delete(principal.org_id, "signal", sig.id)

    def create_label_column(
        self, principal: Principal, equipment_id: int, spec: LabelSpec
    ) -> LabelColumn:
        require(principal, Role.ENGINEER)
        self._equipment(principal, equipment_id)
        rec = self.meta.insert(
            principal.org_id, "label_column", {"equipment_id": equipment_id, **_label_values(spec)}
        )
        return _label(rec)

    def get_label_column(self, principal: Principal, column_id: int) -> LabelColumn:
        return _label(self.meta.get(principal.org_id, "label_column", column_id))

    def list_label_columns(
        self, principal: Principal, equipment_id: int | None = None
    ) -> list[LabelColumn]:
        filters = {} if equipment_id is None else {"equipment_id": equipment_id}
        return [_label(r) for r in self.meta.find(principal.org_id, "label_column", **filters)]

    def update_label_column(
        self, principal: Principal, column_id: int, **changes: Any
    ) -> LabelColumn:
        require(principal, Role.ENGINEER)
        unknown = set(changes) - _LABEL_FIELDS
        if unknown:
            raise InvalidInput(f"Cannot change {sorted(unknown)} of a label column.")
        col = self.get_label_column(principal, column_id)
        merged = {**asdict(self._label_spec(col)), **changes}
        values = _label_values(LabelSpec(**merged))
        return _label(self.meta.update(principal.org_id, "label_column", column_id, values))

    def move_label_column(
        self, principal: Principal, column_id: int, equipment_id: int
    ) -> LabelColumn:
        require(principal, Role.ENGINEER)
        self._equipment(principal, equipment_id)
        return _label(
            self.meta.update(
                principal.org_id, "label_column", column_id, {"equipment_id": equipment_id}
            )
        )

    def delete_label_column(
        self, principal: Principal, column_id: int, *, delete_data: bool = False
    ) -> None:
        require(principal, Role.ENGINEER)
        col = self.get_label_column(principal, column_id)
        if self.ts is not None:
            has_data = self.ts.count_labels(principal.org_id, [col.id]) > 0
            if has_data and not delete_data:
                raise Conflict(
                    f"Label column {col.name!r} has stored values.",
                    hint="Delete it with its data (delete_data / --with-data) or keep it.",
                    code="assets.label_has_data",
                    params={"name": col.name},
                )
            if has_data:
                self.ts.delete_labels(principal.org_id, [col.id])
        self.meta.delete(principal.org_id, "label_column", col.id)

    # -- paths --------------------------------------------------------------------------------

    def path_of(self, principal: Principal, node_id: int) -> str:
        parts: list[str] = []
        current: int | None = node_id
        while current is not None:
            node = self.get_node(principal, current)
            parts.append(node.name)
            current = node.parent_id
        return "/".join(reversed(parts))

    def resolve(self, principal: Principal, path: str) -> Node | Signal | LabelColumn:
        """Find the node, signal or label column a ``site/line/equipment[/signal]`` path names."""
        parts = [p for p in path.strip("/").split("/") if p]
        if not 1 <= len(parts) <= 4:
            raise InvalidInput(f"{path!r} is not an asset path like 'site/line/equipment/signal'.")
        parent: int | None = None
        node: Node | None = None
        for depth, part in enumerate(parts[:3]):
            found = self.meta.find(principal.org_id, "node", parent_id=parent, name=part)
            if not found:
                missing = "/".join(parts[: depth + 1])
                raise NotFound(
                    f"No asset {missing!r}.", code="assets.no_path", params={"path": missing}
                )
            node = _node(found[0])
            parent = node.id
        if len(parts) < 4:
            assert node is not None
            return node
        for kind, conv in (("signal", _signal), ("label_column", _label)):
            rec = self.meta.find(principal.org_id, kind, equipment_id=parent, name=parts[3])  # type: ignore[arg-type]
            if rec:
                return conv(rec[0])
        raise NotFound(
            f"No signal or label column {path!r}.", code="assets.no_path", params={"path": path}
        )

    def signals_by_ref(self, principal: Principal, refs: Sequence[int | str]) -> list[Signal]:
        """Signals named by id or path, in order, with two metadata queries however many.

        (Charts ask for many signals at once; resolving paths one by one cost more than the
        data query itself.)
        """
        ids = [int(r) for r in refs if isinstance(r, int) or str(r).isdecimal()]
        paths = [str(r).strip("/") for r in refs if not (isinstance(r, int) or str(r).isdecimal())]
        by_id = (
            {s.id: s for s in map(_signal, self.meta.find(principal.org_id, "signal", id=ids))}
            if ids
            else {}
        )
        by_path: dict[str, Signal] = {}
        if paths:
            nodes = {n.id: n for n in self.list_nodes(principal)}
            eq_paths: dict[str, int] = {}
            for n in nodes.values():
                if n.kind == NodeKind.EQUIPMENT:
                    line = nodes.get(n.parent_id or -1)
                    site = nodes.get(line.parent_id or -1) if line else None
                    if line and site:
                        eq_paths[f"{site.name}/{line.name}/{n.name}"] = n.id
            wanted = {p.rpartition("/")[0] for p in paths}
            eq_ids = [eq_paths[w] for w in wanted if w in eq_paths]
            names = [p.rpartition("/")[2] for p in paths]
            found = (
                self.meta.find(principal.org_id, "signal", equipment_id=eq_ids, name=names)
                if eq_ids
                else []
            )
            eq_by_id = {v: k for k, v in eq_paths.items()}
            for rec in found:
                sig = _signal(rec)
                by_path[f"{eq_by_id[sig.equipment_id]}/{sig.name}"] = sig
        out = []
        for ref in refs:
            key = int(ref) if isinstance(ref, int) or str(ref).isdecimal() else str(ref).strip("/")
            hit = by_id.get(key) if isinstance(key, int) else by_path.get(key)
            if hit is None:
                if isinstance(key, int):
                    raise NotFound(f"No signal with id {ref}.")
                self.resolve(principal, key)  # raises NotFound naming the missing part
                raise InvalidInput(f"{ref!r} is not a signal.")
            out.append(hit)
        return out

    # -- whole trees (simulator, AAS, imports) ------------------------------------------------

    def apply_tree(self, principal: Principal, sites: Iterable[SiteSpec]) -> TreeChanges:
        """Create what is missing and update display fields of what exists. Idempotent."""
        require(principal, Role.ENGINEER)
        counts = {"created": 0, "updated": 0, "unchanged": 0}

        def upsert_node(kind: NodeKind, parent: int | None, spec: Any) -> int:
            found = self.meta.find(principal.org_id, "node", parent_id=parent, name=spec.name)
            display = {k: getattr(spec, k) for k in ("name_ko", "name_en", "description")}
            if kind == NodeKind.EQUIPMENT:
                display["equipment_type"] = spec.equipment_type
                display["nameplate"] = _nameplate_values(kind, spec.nameplate)
            if not found:
                counts["created"] += 1
                return self.create_node(principal, kind, spec.name, parent, **display).id
            rec = found[0]
            if any(rec[k] != v for k, v in display.items()):
                self.meta.update(principal.org_id, "node", rec["id"], display)
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
            return int(rec["id"])

        def upsert_child(kind: str, eq: int, values: dict[str, Any]) -> None:
            found = self.meta.find(principal.org_id, kind, equipment_id=eq, name=values["name"])  # type: ignore[arg-type]
            if not found:
                self.meta.insert(principal.org_id, kind, {"equipment_id": eq, **values})  # type: ignore[arg-type]
                counts["created"] += 1
            elif any(found[0][k] != v for k, v in values.items()):
                self.meta.update(principal.org_id, kind, found[0]["id"], values)  # type: ignore[arg-type]
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1

        with self.meta.transaction():
            for site in sites:
                site_id = upsert_node(NodeKind.SITE, None, site)
                for line in site.lines:
                    line_id = upsert_node(NodeKind.LINE, site_id, line)
                    for eq in line.equipment:
                        eq_id = upsert_node(NodeKind.EQUIPMENT, line_id, eq)
                        for sig in eq.signals:
                            upsert_child("signal", eq_id, _signal_values(sig))
                        for lab in eq.labels:
                            upsert_child("label_column", eq_id, _label_values(lab))
        return TreeChanges(**counts)

    @staticmethod
    def _signal_spec(sig: Signal) -> SignalSpec:
        return SignalSpec(**{f: getattr(sig, f) for f in _SIGNAL_FIELDS})

    @staticmethod
    def _label_spec(col: LabelColumn) -> LabelSpec:
        spec = LabelSpec(**{f: getattr(col, f) for f in _LABEL_FIELDS})
        spec.categories = list(col.categories)
        return spec

    def export_tree(self, principal: Principal) -> list[SiteSpec]:
        """The organisation's whole asset model as specs (ordered by creation)."""
        nodes = self.list_nodes(principal)
        by_parent: dict[int | None, list[Node]] = {}
        for n in nodes:
            by_parent.setdefault(n.parent_id, []).append(n)
        signals: dict[int, list[Signal]] = {}
        for s in self.list_signals(principal):
            signals.setdefault(s.equipment_id, []).append(s)
        labels: dict[int, list[LabelColumn]] = {}
        for c in self.list_label_columns(principal):
            labels.setdefault(c.equipment_id, []).append(c)

        def common(n: Node) -> dict[str, str]:
            return {
                "name": n.name,
                "name_ko": n.name_ko,
                "name_en": n.name_en,
                "description": n.description,
            }

        sites = []
        for site in by_parent.get(None, []):
            lines = []
            for ln in by_parent.get(site.id, []):
                eqs = [
                    EquipmentSpec(
                        **common(e),
                        equipment_type=e.equipment_type,
                        nameplate=e.nameplate,
                        signals=[self._signal_spec(x) for x in signals.get(e.id, [])],
                        labels=[self._label_spec(x) for x in labels.get(e.id, [])],
                    )
                    for e in by_parent.get(ln.id, [])
                ]
                lines.append(LineSpec(**common(ln), equipment=eqs))
            sites.append(SiteSpec(**common(site), lines=lines))
        return sites
