"""The live demo's simulator, from the web UI: its live machines and the faults each can take,
fault injection and ending (issue 10's acceptance: "a fault injected in the simulator raises an
alert in the UI within seconds").

The simulator runs in the server's process only when the server was started by ``./kamp demo``
(``openkamp demo --serve``), which hands it over as ``app.state.simulator``; it serves the
organisation whose demo connections it feeds. Elsewhere ``GET /simulator`` answers
``running: false`` and the changes answer 404 ``simulator.not_running``. Anyone of the
organisation reads the state; engineers and administrators inject and end faults.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from openkamp.api.deps import Me
from openkamp.api.errors import responses
from openkamp.api.records import Answer, Timestamp
from openkamp.core.errors import NotFound
from openkamp.core.tenancy import Principal
from openkamp.i18n import t

router = APIRouter(prefix="/simulator", tags=["simulator"])


class SimulatorFault(Answer):
    """A fault a live machine can take."""

    fault: str = Field(description="Its name (bearing_wear, tool_wear, …)")
    label: str = Field(description="Its name in the request's language")
    signals: list[str] = Field(description="The signals it changes")
    rules: list[str] = Field(description="The demo's default alert rules that flag it")


class SimulatorMachine(Answer):
    """A machine of the simulator that sends live data."""

    equipment: str = Field(description="Its name in the simulator (press01, …)")
    path: str = Field(description="Its asset path (site/line/equipment)")
    label: str = Field(description="Its kind in the request's language")
    protocol: Literal["opcua", "sparkplug", "mqtt-json"] = Field(
        description="How its data arrives: OPC UA, MQTT Sparkplug B or MQTT JSON"
    )
    faults: list[SimulatorFault]


class Injection(Answer):
    """An injected fault, going on or still to begin."""

    id: int
    equipment: str
    fault: str
    label: str = Field(description="The fault's name in the request's language")
    severity: float = Field(description="0 to 1 (1: as strong as the simulator makes it)")
    start: Timestamp
    end: Timestamp
    signals: list[str] = Field(description="The signals it changes")


class SimulatorState(Answer):
    """Whether a live simulator runs in this server for the organisation, and what it offers."""

    running: bool
    machines: list[SimulatorMachine]
    injections: list[Injection] = Field(description="Faults going on or still to begin")


class InjectionCreate(BaseModel):
    """A fault to inject from now."""

    model_config = ConfigDict(extra="forbid")

    equipment: str = Field(min_length=1, max_length=64, examples=["press01"])
    fault: str = Field(min_length=1, max_length=64, examples=["bearing_wear"])
    duration_s: float = Field(600.0, gt=0, le=86_400, description="Seconds it lasts")
    severity: float = Field(1.0, gt=0, le=1, description="0 to 1 (default 1)")


def _simulator(request: Request, me: Principal) -> Any:
    demo = getattr(request.app.state, "simulator", None)
    if demo is None:
        raise NotFound(
            "No live simulator runs in this server for your organisation.",
            hint="Start the demo with ./kamp demo (openkamp demo --serve).",
            code="simulator.not_running",
        )
    return demo


def _lang(request: Request) -> str:
    from openkamp.api.errors import request_lang

    return request_lang(request)


def _injection(rec: dict[str, Any], lang: str) -> Injection:
    return Injection(label=t(f"live_ui.fault.{rec['fault']}", lang), **rec)


@router.get("", response_model=SimulatorState)
def simulator_state(request: Request, me: Me) -> SimulatorState:
    """The live machines, the faults each can take and the faults going on; ``running: false``
    when no simulator runs in this server for the organisation."""
    demo = getattr(request.app.state, "simulator", None)
    if demo is None or demo.org_id != me.org_id:
        return SimulatorState(running=False, machines=[], injections=[])
    state = demo.status(me)
    lang = _lang(request)
    machines = [
        SimulatorMachine(
            equipment=m["equipment"],
            path=m["path"],
            label=m["name_ko"] if lang == "ko" else m["name_en"],
            protocol=m["protocol"],
            faults=[
                SimulatorFault(label=t(f"live_ui.fault.{f['fault']}", lang), **f)
                for f in m["faults"]
            ],
        )
        for m in state["machines"]
    ]
    return SimulatorState(
        running=True,
        machines=machines,
        injections=[_injection(i, lang) for i in state["injections"]],
    )


@router.post("/injections", status_code=201, response_model=Injection, responses=responses(404))
def simulator_inject(request: Request, me: Me, body: InjectionCreate) -> Injection:
    """Inject a fault into a live machine from now (engineers and administrators)."""
    rec = _simulator(request, me).inject(
        me, body.equipment, body.fault, body.duration_s, body.severity
    )
    return _injection(rec, _lang(request))


@router.post("/injections/{injection_id}/end", response_model=Injection)
def simulator_end(
    request: Request, me: Me, injection_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> Injection:
    """End an injected fault now (engineers and administrators)."""
    rec = _simulator(request, me).end(me, injection_id)
    return _injection(rec, _lang(request))
