"""What the signal explorer shows beside its chart: label markers and a download of the view.

``/data/markers``: the times an equipment's labels mark in a window — defects of its pass / fail
column, else the events of an alarm or fault-kind column (at most ``MAX_MARKERS``; beyond that
only their number, the chart asks again when zoomed in).
``/data/export``: the raw points of the visible signals and window as a CSV in local time, one
column per signal with its display name and unit (what Excel users open).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import Response, StreamingResponse
from pydantic import Field

from openkamp.alerts import is_defect
from openkamp.alerts.status import pass_fail_column
from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import responses
from openkamp.api.openapi import file_answer
from openkamp.api.records import Answer
from openkamp.api.routers.data import Signals, _window
from openkamp.core.assets import LabelColumn
from openkamp.core.errors import InvalidInput
from openkamp.i18n import t
from openkamp.storage.timeseries.base import time_windows

router = APIRouter(prefix="/data", tags=["data"])

MAX_MARKERS = 2000
MARKER_WINDOW = 200_000  # label values read at a time
MAX_EXPORT_POINTS = 2_000_000
MAX_EXPORT_SIGNALS = 50
EXPORT_WINDOW = 400_000  # points pivoted at a time


#: Label values that mean "nothing happened" (an event column's normal state).
NORMAL = frozenset({"", "none", "ok", "pass", "good", "정상", "양품", "합격", "0", "0.0", "false",
                    "no", "-", "없음"})  # fmt: skip


def marker_column(
    columns: Sequence[LabelColumn],
) -> tuple[LabelColumn, Callable[[Any], bool]] | None:
    """The label column whose values mark the chart, and which values mark it: a pass / fail
    column's defects, else the first event column's (category or yes / no) non-normal values
    (an alarm, a fault kind). Id columns (lot, tool) mark nothing."""
    judged = pass_fail_column(columns)
    if judged is not None:
        return judged, is_defect
    for c in columns:
        kind = str(getattr(c.label_type, "value", c.label_type))
        if kind in ("bool", "boolean") or (
            kind == "category" and any(str(v).strip().lower() in NORMAL for v in c.categories)
        ):
            return c, lambda v: v is not None and str(v).strip().lower() not in NORMAL
    return None


class Markers(Answer):
    """What the chart marks: the times (and values) of a label column's defects or events."""

    column: str | None = Field(description="The label column; null: the machine has none")
    label: str = Field(description="Its Korean (else English) display name")
    label_en: str
    count: int
    t: list[str] = Field(description="Times, ISO 8601 (empty when truncated)")
    v: list[str | None] = Field(description="The values at those times")
    truncated: bool = Field(description="More than the most markers: ask for a shorter window")


@router.get("/markers", response_model=Markers, responses=responses(404))
def data_markers(
    kamp: Kamp,
    me: Me,
    equipment: int,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[str, Any]:
    """Times ``equipment``'s labels mark in ``[start, end)``: defects of its pass / fail column,
    else the events of its first event column (alarms, fault kinds), with their values."""
    lo, hi = _window(start, end)
    kamp.assets.get_node(me, equipment)  # 404 for a missing or foreign machine
    found = marker_column(kamp.assets.list_label_columns(me, equipment))
    if found is None:
        return {"column": None, "label": "", "label_en": "", "count": 0, "t": [], "v": [],
                "truncated": False}  # fmt: skip
    column, marks = found
    # Counted in the engine and read a window at a time: a year of labels is counted in
    # bounded memory, and only the first MAX_MARKERS + 1 hits are kept.
    hits: list[tuple[str, Any]] = []
    count = 0
    org, ids = me.org_id, [column.id]
    for a, b, _ in time_windows(
        lambda a, b: kamp.ts.count_labels(org, ids, a, b), lo, hi, MARKER_WINDOW
    ):
        table = kamp.ts.read_labels(org, ids, a, b)
        values = table.column("value").to_pylist()
        picked = [i for i, v in enumerate(values) if marks(v)]
        count += len(picked)
        if len(hits) <= MAX_MARKERS and picked:
            times = table.column("ts").take(picked[: MAX_MARKERS + 1 - len(hits)]).to_pylist()
            hits.extend((w.isoformat(), values[i]) for w, i in zip(times, picked, strict=False))
    truncated = count > MAX_MARKERS
    return {
        "column": column.name,
        "label": column.name_ko or column.name_en or column.name,
        "label_en": column.name_en or column.name,
        "count": count,
        "t": [] if truncated else [h[0] for h in hits],
        "v": [] if truncated else [h[1] for h in hits],
        "truncated": truncated,
    }


@router.get(
    "/export",
    response_class=Response,
    responses={
        **file_answer("The points as CSV (UTF-8 with BOM, local time)", "text/csv"),
        **responses(404),
    },
)
def data_export(
    kamp: Kamp,
    me: Me,
    signal: Signals,
    start: datetime | None = None,
    end: datetime | None = None,
    lang: Literal["ko", "en"] = "ko",
) -> Response:
    """The raw points of ``signal`` in ``[start, end)`` as CSV (UTF-8 with BOM, local time)."""
    lo, hi = _window(start, end)
    if len(signal) > MAX_EXPORT_SIGNALS:
        raise InvalidInput(
            f"At most {MAX_EXPORT_SIGNALS} signals can be exported at once.",
            code="explorer.too_many_signals",
            params={"max": MAX_EXPORT_SIGNALS},
        )
    sigs = kamp.query.signals(me, signal)
    n = kamp.ts.count(me.org_id, [s.id for s in sigs], lo, hi)
    if n > MAX_EXPORT_POINTS:
        raise InvalidInput(
            f"The view holds {n:,} points; at most {MAX_EXPORT_POINTS:,} can be downloaded.",
            hint="Zoom in, or export with the command line (openkamp export).",
            code="explorer.too_many_points",
            params={"n": n, "max": MAX_EXPORT_POINTS},
        )
    from openkamp.core.cells import neutralise_frame
    from openkamp.export import wide_table

    def header(s: Any) -> str:
        name = getattr(s, f"name_{lang}", "") or s.name_en or s.name_ko or s.name
        return f"{name} [{s.unit}]" if s.unit else str(name)

    ids = [s.id for s in sigs]
    names = {"timestamp": t("explorer.time", lang), **{s.name: header(s) for s in sigs}}

    def body() -> Iterator[bytes]:
        # A window of at most EXPORT_WINDOW points at a time, pivoted and written as it goes.
        yield "\ufeff".encode()
        windows = kamp.query.windows(me, ids, lo, hi, EXPORT_WINDOW)
        if not windows:
            windows = [(lo, hi, 0)]
        for i, (a, b, _) in enumerate(windows):
            table = wide_table(kamp, me, ids, a, b).to_pandas().rename(columns=names)
            first = table.columns[0]
            table[first] = table[first].dt.strftime("%Y-%m-%d %H:%M:%S.%f").str[:-3]
            # no cell a spreadsheet runs
            text = neutralise_frame(table).to_csv(index=False, header=i == 0)
            yield text.encode("utf-8")

    stamp = lo.astimezone(kamp.settings.tz).strftime("%Y%m%d-%H%M")
    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="signals-{stamp}.csv"'},
    )
