"""Datasets: the table a model would learn from — one equipment's signals and labels for a period,
with its dataset id (equipment, period, content hash) and schema hash."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from openkamp.api.deps import Kamp, Me
from openkamp.api.routers.models import frame_out
from openkamp.ml.tables import read_table

router = APIRouter(prefix="/datasets", tags=["datasets"])


@router.get("/table")
def datasets_table(
    kamp: Kamp,
    me: Me,
    equipment: str,
    start: datetime | None = None,
    end: datetime | None = None,
    signal: Annotated[list[str] | None, Query(description="Signals (default: all)")] = None,
    label: Annotated[list[str] | None, Query(description="Label columns (default: all)")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> dict[str, Any]:
    """Identity, shape and first rows of one equipment's table for a period."""
    table = read_table(
        kamp.query, kamp.assets, me, equipment, start, end, signals=signal, labels=label
    )
    return {
        "dataset_id": table.dataset_id,
        "schema_hash": table.schema_hash,
        **table.describe(),
        "head": frame_out(table.frame, limit),
    }
