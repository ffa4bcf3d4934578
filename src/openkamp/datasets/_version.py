"""What a dataset version is: its columns with their roles, and the schema hash over them.

A dataset is a named, versioned, immutable table. Each column has a *kind* (what its cells are:
``number``, ``text``, ``time``, ``bool``) and a *role* (what it means to a model: an ``input``,
the ``time`` of the row, an ``id`` such as part / cavity / lot, the ``group`` rows belong to for
grouped evaluation, a ``label`` to predict, or ``ignore``). The schema hash covers exactly the
columns' (name, kind, role), in order, so two versions with the same hash can be used by the same
model; the content hash is the SHA-256 of the stored Parquet file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from openkamp.core.errors import InvalidInput

__all__ = ["KINDS", "ROLES", "DatasetColumn", "DatasetVersion", "schema_hash"]

#: What the cells of a column are.
KINDS = ("number", "text", "time", "bool")
#: What a column means to a model.
ROLES = ("input", "time", "id", "group", "label", "ignore")


@dataclass(frozen=True)
class DatasetColumn:
    """One column of a dataset: its stored name, the header it came from, kind, role, unit and
    display names (``{"ko": …, "en": …}``)."""

    name: str
    kind: str = "number"
    role: str = "input"
    header: str = ""
    unit: str = ""
    display: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidInput(
                "A dataset column needs a non-empty name.", code="datasets.column_name"
            )
        if self.kind not in KINDS:
            raise InvalidInput(
                f"Column {self.name!r}: unknown kind {self.kind!r}.",
                hint=f"Use one of: {', '.join(KINDS)}.",
                code="datasets.column_kind",
                params={"column": self.name, "kind": self.kind, "kinds": ", ".join(KINDS)},
            )
        if self.role not in ROLES:
            raise InvalidInput(
                f"Column {self.name!r}: unknown role {self.role!r}.",
                hint=f"Use one of: {', '.join(ROLES)}.",
                code="datasets.column_role",
                params={"column": self.name, "role": self.role, "roles": ", ".join(ROLES)},
            )

    def label(self, lang: str = "ko") -> str:
        """The name to show a user: the display name in ``lang``, else the header, else the name."""
        return self.display.get(lang) or self.header or self.name

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "header": self.header,
            "kind": self.kind,
            "role": self.role,
            "unit": self.unit,
            "display": dict(self.display),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> DatasetColumn:
        return cls(
            name=str(d["name"]),
            kind=str(d.get("kind", "number")),
            role=str(d.get("role", "input")),
            header=str(d.get("header") or ""),
            unit=str(d.get("unit") or ""),
            display={str(k): str(v) for k, v in dict(d.get("display") or {}).items()},
        )

    @classmethod
    def coerce(cls, value: DatasetColumn | Mapping[str, Any]) -> DatasetColumn:
        return value if isinstance(value, DatasetColumn) else cls.from_dict(value)


def schema_hash(columns: Iterable[DatasetColumn]) -> str:
    """SHA-256 over the columns' (name, kind, role), in order (units and display names may
    change without changing what a model reads)."""
    key = [[c.name, c.kind, c.role] for c in columns]
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DatasetVersion:
    """One stored version of a dataset (immutable), with its columns parsed."""

    id: int
    org_id: int
    name: str
    version: int
    origin: str
    rows: int
    columns: tuple[DatasetColumn, ...]
    schema_hash: str
    content_sha256: str
    file_key: str
    display_name: str = ""
    description: str = ""
    equipment_id: int | None = None
    import_id: int | None = None
    options: Mapping[str, Any] = field(default_factory=dict, hash=False)
    created_at: datetime | None = None
    created_by: str = ""

    @property
    def ref(self) -> str:
        """``name@version``: the reference that names exactly this version."""
        return f"{self.name}@{self.version}"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> DatasetColumn:
        for c in self.columns:
            if c.name == name:
                return c
        raise InvalidInput(
            f"Dataset {self.ref} has no column {name!r}.",
            hint="Columns: " + ", ".join(self.column_names),
            code="datasets.no_column",
            params={"dataset": self.ref, "column": name},
        )

    def with_role(self, role: str) -> list[str]:
        return [c.name for c in self.columns if c.role == role]

    @property
    def time_column(self) -> str | None:
        """The column holding each row's time, if the table has one."""
        names = self.with_role("time")
        return names[0] if names else None

    @property
    def id_columns(self) -> list[str]:
        """Columns that identify a row's part, cavity, lot, mould, serial …"""
        return self.with_role("id")

    @property
    def label_columns(self) -> list[str]:
        """Columns a model could predict (OK/NG, defect type, measured quality)."""
        return self.with_role("label")

    @property
    def group_column(self) -> str | None:
        """The column whose equal values must stay in one evaluation fold (lot, mould …)."""
        names = self.with_role("group")
        return names[0] if names else None

    @property
    def input_columns(self) -> list[str]:
        return self.with_role("input")

    @classmethod
    def from_record(cls, rec: Mapping[str, Any]) -> DatasetVersion:
        return cls(
            id=int(rec["id"]),
            org_id=int(rec["org_id"]),
            name=rec["name"],
            version=int(rec["version"]),
            origin=rec["origin"],
            rows=int(rec["rows"] or 0),
            columns=tuple(DatasetColumn.from_dict(c) for c in _json(rec.get("columns"), [])),
            schema_hash=rec["schema_hash"],
            content_sha256=rec["content_sha256"],
            file_key=rec["file_key"],
            display_name=rec.get("display_name") or "",
            description=rec.get("description") or "",
            equipment_id=rec.get("equipment_id"),
            import_id=rec.get("import_id"),
            options=_json(rec.get("options"), {}),
            created_at=rec.get("created_at"),
            created_by=rec.get("created_by") or "",
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (the API's answer for one version)."""
        return {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "ref": self.ref,
            "display_name": self.display_name,
            "description": self.description,
            "origin": self.origin,
            "rows": self.rows,
            "columns": [c.to_dict() for c in self.columns],
            "schema_hash": self.schema_hash,
            "content_sha256": self.content_sha256,
            "equipment_id": self.equipment_id,
            "import_id": self.import_id,
            "options": dict(self.options),
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "created_by": self.created_by,
            "time_column": self.time_column,
            "id_columns": self.id_columns,
            "label_columns": self.label_columns,
            "group_column": self.group_column,
        }


def check_columns(columns: Sequence[DatasetColumn]) -> None:
    """Whole-schema rules: unique names, at most one time and one group column, time is a time."""
    seen: set[str] = set()
    for c in columns:
        if c.name in seen:
            raise InvalidInput(
                f"Column {c.name!r} appears twice.",
                code="datasets.duplicate_column",
                params={"column": c.name},
            )
        seen.add(c.name)
    for role in ("time", "group"):
        named = [c.name for c in columns if c.role == role]
        if len(named) > 1:
            raise InvalidInput(
                f"Only one column can have the role {role!r}: {', '.join(named)}.",
                code="datasets.one_role",
                params={"role": role, "columns": ", ".join(named)},
            )
    for c in columns:
        if c.role == "time" and c.kind != "time":
            raise InvalidInput(
                f"The time column {c.name!r} holds {c.kind} values, not times.",
                code="datasets.time_kind",
                params={"column": c.name, "kind": c.kind},
            )


def _json(value: Any, default: Any) -> Any:
    if value is None or value == "":
        return default
    if isinstance(value, str):
        return json.loads(value)
    return value
