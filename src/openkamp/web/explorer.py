"""Signal explorer: pick an equipment's signals and zoom through them.

The page only lays out the choice and the chart's frame; ``static/chart.js`` asks
``/api/v1/data/chart`` for the min and max of each pixel column of the visible range on every
zoom or pan, so the browser never holds more than a few thousand numbers whatever the range
holds (tens of millions of points stay fast: the reduction runs in the database).
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from openkamp.web.overview import asset_tree, equipment_of
from openkamp.web.page import Page, platform_of, render

router = APIRouter()


@router.get("/signals", response_class=HTMLResponse)
def signals(
    request: Request,
    who: Page,
    equipment: int | None = None,
    signal: Annotated[list[int] | None, Query()] = None,
) -> HTMLResponse:
    kamp = platform_of(request)
    tree = asset_tree(request, who, latest=False)
    machines = equipment_of(tree)
    chosen = next((m for m in machines if m.id == equipment), None)
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
    names = {s["id"]: s["label"] for s in (chosen.signals if chosen else [])}
    units = {s["id"]: s["unit"] for s in (chosen.signals if chosen else [])}
    keys = {s["id"]: s["name"] for s in (chosen.signals if chosen else [])}
    config = {
        "signals": [
            {"id": i, "name": keys[i], "label": names[i], "unit": units.get(i, "")} for i in picked
        ],
        "extent": extent,
        "tz": kamp.settings.timezone,
    }
    return render(
        request,
        "signals.html",
        who,
        machines=machines,
        chosen=chosen,
        picked=picked,
        config=json.dumps(config, ensure_ascii=False),
    )
