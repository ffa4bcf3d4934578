"""Which equipment a file belongs to, and which signal or label column each column feeds.

A :class:`SignalMapping` lives for one import: it knows the equipment's signals and label
columns by machine, Korean and English name, creates the missing ones when allowed, and resolves
the signal names of long-layout files chunk by chunk.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openkamp.assets.service import AssetService
from openkamp.core.assets import LabelColumn, LabelSpec, Node, NodeKind, Signal, SignalSpec
from openkamp.core.errors import ImportRejected, NotFound
from openkamp.core.tenancy import Principal
from openkamp.ingest.names import header_name, match_key
from openkamp.ingest.plan import ColumnTarget, ImportPlan, label_spec_for, signal_spec_for

__all__ = ["SignalMapping", "choose_equipment", "header_name", "match_key"]


def choose_equipment(
    assets: AssetService, principal: Principal, wanted: str | int | None, plan: ImportPlan
) -> Node:
    """The equipment named by the user, or the one whose names cover the file's columns."""
    if wanted is not None:
        node = (
            assets.get_node(principal, int(wanted))
            if isinstance(wanted, int) or str(wanted).isdecimal()
            else assets.resolve(principal, str(wanted))
        )
        if not isinstance(node, Node) or node.kind != NodeKind.EQUIPMENT:
            raise ImportRejected(
                f"{wanted!r} is not an equipment.",
                hint="Give the equipment path as site/line/equipment.",
                code="ingest.not_equipment",
                params={"equipment": str(wanted)},
            )
        return node
    names = {match_key(t.name) for t in plan.targets if t.kind != "ignore"}
    names |= {match_key(t.column) for t in plan.targets if t.kind != "ignore"}
    scores: Counter[int] = Counter()
    items: list[Signal | LabelColumn] = [
        *assets.list_signals(principal),
        *assets.list_label_columns(principal),
    ]
    for item in items:
        if names & {match_key(n) for n in (item.name, item.name_ko, item.name_en) if n}:
            scores[item.equipment_id] += 1
    best = scores.most_common(2)
    clear_winner = bool(best) and (len(best) == 1 or best[0][1] > best[1][1])
    covers = bool(best) and (plan.layout == "long" or best[0][1] >= max(1, len(names) // 2))
    if clear_winner and covers:
        return assets.get_node(principal, best[0][0])
    raise ImportRejected(
        "It is not clear which equipment this file belongs to.",
        hint="Choose it with --equipment site/line/equipment (create it first with `openkamp assets add`).",
        code="ingest.which_equipment",
    )


class SignalMapping:
    """Names → signals and label columns of one equipment, for one import."""

    def __init__(
        self, assets: AssetService, principal: Principal, equipment: Node, create: bool
    ) -> None:
        self.assets, self.principal, self.equipment, self.create = (
            assets,
            principal,
            equipment,
            create,
        )
        self.columns: dict[str, str] = {}  # column -> "signal:name" | "label:name" | "ignored"
        self.created: list[str] = []
        # Exact names first, then match keys (사출 압력 = 사출압력 = 사출압력(bar) = ＡＢＣ/abc).
        self.signals: dict[str, Signal] = {}
        self._signal_keys: dict[str, Signal] = {}
        for s in assets.list_signals(principal, equipment.id):
            for key in (s.name, s.name_ko, s.name_en):
                if key:
                    self.signals.setdefault(key, s)
                    self._signal_keys.setdefault(match_key(key), s)
        self.labels: dict[str, LabelColumn] = {}
        self._label_keys: dict[str, LabelColumn] = {}
        for c in assets.list_label_columns(principal, equipment.id):
            for key in (c.name, c.name_ko, c.name_en):
                if key:
                    self.labels.setdefault(key, c)
                    self._label_keys.setdefault(match_key(key), c)

    def resolve(self, targets: list[ColumnTarget], equipment_path: str) -> None:
        """Give every target its signal / label column id, creating what is missing."""
        pending: list[tuple[ColumnTarget, SignalSpec | LabelSpec]] = []
        for t in targets:
            if t.kind == "ignore":
                self.columns[t.column] = "ignored"
                continue
            self._match(t)
            if t.target_id is None:
                if not self.create:
                    raise ImportRejected(
                        f"Column {t.column!r} matches no signal of {equipment_path}.",
                        hint="Map it with --map 'column=signal', ignore it, or allow creating signals.",
                        code="ingest.unmatched_column",
                        params={"column": t.column, "equipment": equipment_path},
                    )
                pending.append((t, self._spec(t)))
            self.columns[t.column] = f"{t.kind}:{t.name}"
        if not pending:
            return
        with self.assets.meta.transaction():  # all new signals, or none
            for t, spec in pending:
                if isinstance(spec, SignalSpec):
                    t.target_id = self.assets.create_signal(
                        self.principal, self.equipment.id, spec
                    ).id
                else:
                    t.target_id = self.assets.create_label_column(
                        self.principal, self.equipment.id, spec
                    ).id
                self.created.append(f"{t.kind}:{spec.name}")

    def _match(self, t: ColumnTarget) -> None:
        """An existing signal or label column for the target, whichever kind it really is."""
        sig = (
            self.signals.get(t.name)
            or self.signals.get(t.column)
            or self._signal_keys.get(match_key(t.column))
            or self._signal_keys.get(match_key(t.name))
        )
        col = (
            self.labels.get(t.name)
            or self.labels.get(t.column)
            or self._label_keys.get(match_key(t.column))
            or self._label_keys.get(match_key(t.name))
        )
        if t.kind == "signal" and sig is None and col is not None:
            t.kind = "label"  # a numeric-looking column the equipment declares as labels
        if t.kind == "label" and col is None and sig is not None:
            t.kind = "signal"
        if t.kind == "signal" and sig is not None:
            t.target_id, t.name, t.booleans = sig.id, sig.name, sig.value_type == "bool"
        elif t.kind == "label" and col is not None:
            t.target_id, t.name = col.id, col.name

    @staticmethod
    def _spec(t: ColumnTarget) -> SignalSpec | LabelSpec:
        fits = t.create is not None and ((t.kind == "signal") == isinstance(t.create, SignalSpec))
        spec = (
            t.create
            if fits and t.create is not None
            else (signal_spec_for(t.column) if t.kind == "signal" else label_spec_for(t.column, []))
        )
        spec.name = t.name or spec.name
        return spec

    def signal_ids(self, names: pa.Array) -> tuple[np.ndarray, np.ndarray]:
        """Signal ids for the names of a long-layout chunk; ``-1`` (and True) where unknown."""
        ids: dict[str, int] = {}
        for raw in pc.unique(names).to_pylist():
            if raw is None:
                continue
            sig = self._long_signal(str(raw).strip())
            if sig is not None:
                ids[raw] = sig.id
                self.columns[str(raw).strip()] = f"signal:{sig.name}"
        lookup = pa.array(list(ids), pa.string())
        pos = pc.index_in(names.cast(pa.string()), value_set=lookup)
        id_list = np.array([*ids.values(), -1], dtype=np.int64)
        out = id_list[pc.fill_null(pos, len(ids)).to_numpy(zero_copy_only=False)]
        return out, out < 0

    def _long_signal(self, key: str) -> Signal | None:
        sig = self.signals.get(key) or self._signal_keys.get(match_key(key))
        if sig is None and "/" in key:
            try:
                found = self.assets.resolve(self.principal, key)
                sig = found if isinstance(found, Signal) else None
            except NotFound:
                sig = None
        if sig is None and self.create and key:
            spec = signal_spec_for(key)
            sig = self.signals.get(spec.name)
            if sig is None:
                sig = self.assets.create_signal(self.principal, self.equipment.id, spec)
                self.created.append(f"signal:{spec.name}")
            self.signals[key] = self.signals[spec.name] = sig
            self._signal_keys.setdefault(match_key(key), sig)
        return sig
