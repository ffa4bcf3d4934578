"""Names a source uses → ids in one organisation, cached (live data names the same few
machines and signals millions of times).

An equipment is named by its asset-tree key path (``plant1/line1/press01``); a signal within an
equipment by its key (``pressure``) or a display name written any usual way (``압력``,
``Pressure``, ``사출압력(bar)``: :func:`openkamp.ingest.names.match_key`). A name not found is
looked up again after ``miss_ttl_s``, so a signal created in the UI is picked up without a
restart; found ids are kept (a deleted signal's id simply stores nothing anyone reads).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from openkamp.core.assets import SignalSpec, check_name
from openkamp.core.errors import InvalidInput, NotFound
from openkamp.ingest.names import header_name, match_key
from openkamp.storage.metadata.base import MetadataStore


class Names:
    """Name resolution of one organisation (thread-safe)."""

    def __init__(self, meta: MetadataStore, org_id: int, *, miss_ttl_s: float = 5.0) -> None:
        self.meta = meta
        self.org_id = org_id
        self.miss_ttl_s = miss_ttl_s
        self._lock = threading.Lock()
        self._equipment: dict[str, int] = {}
        self._signals: dict[int, dict[str, int]] = {}  # equipment id -> name or key -> id
        self._loaded_at: dict[int, float] = {}
        self._missing_eq: dict[str, float] = {}
        self._ids: set[int] = set()  # signal ids known to belong to the organisation

    # -- equipment ----------------------------------------------------------------------------

    def cached_equipment(self, path: str) -> int | None:
        return self._equipment.get(path.strip("/"))

    def equipment(self, path: str) -> int:
        key = path.strip("/")
        hit = self._equipment.get(key)
        if hit is not None:
            return hit
        missed = self._missing_eq.get(key)
        if missed is not None and time.monotonic() - missed < self.miss_ttl_s:
            raise _no_equipment(key)
        parts = [p for p in key.split("/") if p]
        parent: int | None = None
        node = None
        for part in parts[:3]:
            found = self.meta.find(self.org_id, "node", parent_id=parent, name=part)
            if not found:
                node = None
                break
            node = found[0]
            parent = node["id"]
        if len(parts) != 3 or node is None or node["kind"] != "equipment":
            with self._lock:
                self._missing_eq[key] = time.monotonic()
            raise _no_equipment(key)
        with self._lock:
            self._equipment[key] = int(node["id"])
            self._missing_eq.pop(key, None)
        return int(node["id"])

    # -- signals ------------------------------------------------------------------------------

    def cached_signal(self, equipment_id: int, key: str) -> int | None:
        table = self._signals.get(equipment_id)
        if table is None:
            return None
        return table.get(key) or table.get(match_key(key))

    def _load(self, equipment_id: int) -> dict[str, int]:
        table: dict[str, int] = {}
        for rec in self.meta.find(self.org_id, "signal", equipment_id=equipment_id):
            sid = int(rec["id"])
            for text in (rec.get("name_ko"), rec.get("name_en"), rec["name"]):  # key wins
                if text:
                    table[match_key(text)] = sid
            table[rec["name"]] = sid
        with self._lock:
            self._signals[equipment_id] = table
            self._loaded_at[equipment_id] = time.monotonic()
            self._ids.update(table.values())
        return table

    def signal(
        self, equipment_id: int, key: str, create: bool = False, unit: str = ""
    ) -> int | None:
        """The signal's id, None when the equipment has no such signal (and ``create`` is off)."""
        hit = self.cached_signal(equipment_id, key)
        if hit is not None:
            return hit
        loaded = self._loaded_at.get(equipment_id)
        if loaded is None or time.monotonic() - loaded >= self.miss_ttl_s or create:
            table = self._load(equipment_id)
            hit = table.get(key) or table.get(match_key(key))
            if hit is not None:
                return hit
        if not create:
            return None
        return self._create(equipment_id, key, unit)

    def _create(self, equipment_id: int, key: str, unit: str) -> int:
        name, header_unit = header_name(key)
        name = name.replace(" ", "_")
        try:
            check_name(name, "signal name")
        except InvalidInput:
            raise
        self.meta.get(self.org_id, "node", equipment_id)
        spec = SignalSpec(name=name, name_ko=key if key != name else "", unit=unit or header_unit)
        try:
            rec = self.meta.insert(
                self.org_id,
                "signal",
                {
                    "equipment_id": equipment_id, "name": spec.name, "name_ko": spec.name_ko,
                    "name_en": "", "unit": spec.unit, "value_type": "float", "description": "",
                },
            )  # fmt: skip
        except Exception:  # created meanwhile by another source: read it back
            table = self._load(equipment_id)
            hit = table.get(name) or table.get(match_key(key))
            if hit is None:
                raise
            return hit
        self._load(equipment_id)
        return int(rec["id"])

    # -- ids given by the source --------------------------------------------------------------

    def unknown_ids(self, signal_ids: Iterable[int]) -> set[int]:
        """Of the given signal ids, those that are not the organisation's signals."""
        wanted = set(signal_ids) - self._ids
        if not wanted:
            return set()
        found = {int(r["id"]) for r in self.meta.find(self.org_id, "signal", id=sorted(wanted))}
        with self._lock:
            self._ids.update(found)
        return wanted - found


def _no_equipment(path: str) -> NotFound:
    return NotFound(
        f"No equipment {path!r} (a site/line/equipment key path).",
        code="connectors.no_equipment",
        params={"path": path},
    )
