"""Signal explorer: pick an equipment's signals and zoom through them.

The page only lays out the choice and the chart's frame; ``static/chart.js`` asks
``/api/v1/data/chart`` for the min and max of each pixel column of the visible range on every
zoom or pan, so the browser never holds more than a few thousand numbers whatever the range
holds (tens of millions of points stay fast: the reduction runs in the database).

Each signal's usual spacing (the median gap between its last points) goes to the chart with the
page: a gap in the line is drawn only where the data is silent for several of its own spacings,
so per-shot and irregular data draw at every zoom. The view (machine, signals, from, to, live)
lives in the URL, so a link shows the same view.

Following live data ("실시간 따라가기", ``live=1``): the chart keeps its span but moves its end to
now and reads the window again. What to read again is told by the machine's server-sent events
(``/api/v1/live/events?equipment=``): an event naming a drawn signal asks for a reload (at most one
a second), and a timer moves the window every few seconds when nothing comes, so the chart also
follows when the stream is down. The events carry only each signal's latest value, coalesced and
dropped for a slow client, so points are never appended from them: every point comes from the
chart query (pixel-column min/max from the store, a bounded answer whatever arrived meanwhile).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from openkamp.alerts import usual_spacing
from openkamp.api.routers.explore import marker_column
from openkamp.i18n import t
from openkamp.web.assets_page import machine_or_404
from openkamp.web.overview import asset_tree, equipment_of
from openkamp.web.page import Page, lang_of, platform_of, render

router = APIRouter()


def _instant(text: str | None) -> str | None:
    """An ISO time from the URL, checked (a mangled link falls back to the whole range)."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None


@router.get("/signals", response_class=HTMLResponse)
def signals(
    request: Request,
    who: Page,
    equipment: int | None = None,
    signal: Annotated[list[int] | None, Query()] = None,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    live: bool = False,
) -> HTMLResponse:
    kamp = platform_of(request)
    tree = asset_tree(request, who, latest=False)
    machines = equipment_of(tree)
    chosen = machine_or_404(machines, equipment)  # a wrong id: 404, never another machine
    if chosen is None:
        chosen = next((m for m in machines if m.signals), machines[0] if machines else None)
    picked: list[int] = []
    extent: dict[str, str] = {}
    if chosen is not None:
        ids = [s["id"] for s in chosen.signals]
        picked = [i for i in (signal or []) if i in ids] or ids[:3]
        if ids:
            rows = kamp.query.extent(who.principal, ids).to_pylist()
            firsts = [r["first_ts"] for r in rows if r.get("first_ts") is not None]
            lasts = [r["last_ts"] for r in rows if r.get("last_ts") is not None]
            if firsts and lasts:
                extent = {"start": min(firsts).isoformat(), "end": max(lasts).isoformat()}
    spacing: dict[int, float | None] = {}
    markers = False
    if chosen is not None and picked:
        last = {
            int(r["signal_id"]): r["ts"]
            for r in kamp.ts.latest(who.principal.org_id, picked).to_pylist()
        }
        spacing = {i: usual_spacing(kamp.ts, who.principal.org_id, i, last.get(i)) for i in picked}
        markers = (
            marker_column(kamp.assets.list_label_columns(who.principal, chosen.id)) is not None
        )
    names = {s["id"]: s["label"] for s in (chosen.signals if chosen else [])}
    units = {s["id"]: s["unit"] for s in (chosen.signals if chosen else [])}
    keys = {s["id"]: s["name"] for s in (chosen.signals if chosen else [])}
    config = {
        "signals": [
            {
                "id": i,
                "name": keys[i],
                "label": names[i],
                "unit": units.get(i, ""),
                "spacing": spacing.get(i),
            }
            for i in picked
        ],
        "extent": extent,
        "view": {"start": _instant(start), "end": _instant(end)},
        "live": live,
        "equipment": chosen.id if chosen is not None else None,
        "markers": markers,
        "tz": kamp.settings.timezone,
        "lang": lang_of(request),
        "text": {
            k: t(f"explorer.{k}", lang_of(request))
            for k in ("time", "min", "max", "mean", "value", "points", "markers_many")
        },
    }
    return render(
        request,
        "signals.html",
        who,
        machines=machines,
        chosen=chosen,
        picked=picked,
        config_live=live,
        config=json.dumps(config, ensure_ascii=False),
    )
