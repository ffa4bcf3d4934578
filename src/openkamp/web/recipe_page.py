""" "Recommend settings" (추천 조건) of an optimise model: a period is chosen, the advice runs as
a job with progress (the API's own route function), and the recipe is shown as one window per
setting with its predicted effect and spread, in the target's units and the page's language."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkamp.api.routers.models import RecipeRequest, models_recipe
from openkamp.core.errors import NotFound, OpenKampError
from openkamp.web.modeller import _day, _model_url, how_tested
from openkamp.web.page import Page, Posting, lang_of, platform_of, render
from openkamp.web.scoring import display_inputs

router = APIRouter()


@router.post("/models/{name}/{version}/recipe")
def start_recipe(
    request: Request,
    who: Posting,
    name: str,
    version: int,
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
) -> Response:
    tz = platform_of(request).settings.tz
    last = _day(end, tz)
    body = RecipeRequest(
        start=_day(start, tz), end=None if last is None else last + timedelta(days=1)
    )
    out = models_recipe(name, version, body, platform_of(request), who.principal)
    return RedirectResponse(f"/jobs/{out['job']['id']}", status_code=303)


@router.get("/models/{name}/{version}/recipe/{job_id}", response_class=HTMLResponse)
def recipe_page(request: Request, who: Page, name: str, version: int, job_id: int) -> HTMLResponse:
    kamp = platform_of(request)
    mv = kamp.models.get(who.principal, name, version)
    job = kamp.jobs.get(who.principal, job_id)
    result = job.get("result") or {}
    if job.get("kind") != "recipe" or "recipe" not in result:
        raise NotFound(f"No recipe {job_id}.", code="web_data.no_recipe", params={"id": job_id})
    shown = display_inputs(kamp, who.principal, mv, lang_of(request))
    units = {s.name: s.unit for s in _signals(kamp, who.principal, mv)}
    windows: list[dict[str, Any]] = [
        {**w, "label": shown.get(w["control"], w["control"]), "unit": units.get(w["control"], "")}
        for w in result["recipe"]
    ]
    _, card = kamp.ml.card(who.principal, name, version)
    tested = how_tested(card, lang_of(request))
    return render(
        request,
        "model_recipe.html",
        who,
        verdict=tested["verdict"],
        verdict_text=tested["verdict_text"],
        mv=mv,
        windows=windows,
        rows=result.get("rows", 0),
        effect_unit=result.get("unit", ""),
        url=_model_url(mv.name, mv.version),
    )


def _signals(kamp: Any, me: Any, mv: Any) -> list[Any]:
    spec = (mv.provenance.get("training") or {}).get("spec") or {}
    try:
        node = kamp.assets.resolve(me, str(spec.get("equipment") or ""))
        return list(kamp.assets.list_signals(me, node.id))
    except OpenKampError:  # a renamed or deleted machine: no units to show
        return []
