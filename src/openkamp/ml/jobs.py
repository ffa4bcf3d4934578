"""Model work as portable jobs: functions a Dask worker runs as well as the server's own pool.

Each takes everything from its context (``ctx.platform``, ``ctx.principal``, ``ctx.params``), so
with ``jobs_scheduler`` set it runs on the cluster, and without it in the server, unchanged::

    job = kamp.jobs.submit(me, "train", "press anomaly", train_model, params=spec_params(spec))
    job = submit_fleet(kamp, me, FleetSpec(spec, under="plant1", equipment_type="press"))

``train_model``
    One model, from a :class:`~openkamp.ml.service.TrainSpec` given as JSON (:func:`spec_params`,
    or the API's train request); its result is the API's ``{"model": ModelInfo, "seconds"}``.
``train_fleet``
    One model per machine across a factory or a line: the same task and settings, each machine's
    own data, each model named ``<name>-<machine>``. The machines are the job's parts
    (``ctx.map``): on a Dask cluster they train in parallel, one Dask task each; in-process one
    after another. A machine that cannot be trained (too little data, a missing column) is
    reported with its reason and the others go on; the job fails only if none could be trained.
    A machine's model is registered with the part's fence (``part.fence``): when Dask runs a part
    again after its worker died, the second run finds the model the first one registered.

Scoring jobs are in :mod:`openkamp.ml.score_jobs`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openkamp.core.assets import NodeKind
from openkamp.core.errors import InvalidInput
from openkamp.core.tenancy import Principal
from openkamp.jobs import JobContext
from openkamp.jobs.executor import portable
from openkamp.jobs.fanout import Part
from openkamp.ml.job_results import version_result
from openkamp.ml.registry import ModelVersion
from openkamp.ml.service import TrainSpec, _plain, _spec_record

__all__ = ["FleetSpec", "spec_of", "spec_params", "submit_fleet", "train_fleet", "train_model"]


def spec_params(spec: TrainSpec) -> dict[str, Any]:
    """``spec`` as JSON values (a job's parameters)."""
    return _spec_record(spec)


def spec_of(values: dict[str, Any]) -> TrainSpec:
    """The :class:`TrainSpec` of :func:`spec_params`' values (unknown keys ignored; the API's
    train request, whose ``equipment`` may be null, too)."""
    known = TrainSpec.__dataclass_fields__
    d = {k: v for k, v in values.items() if k in known}
    d["equipment"] = d.get("equipment") or ""
    for k in ("start", "end"):
        if isinstance(d.get(k), str):
            d[k] = datetime.fromisoformat(d[k])
    if d.get("bounds"):
        d["bounds"] = {k: (float(v[0]), float(v[1])) for k, v in d["bounds"].items()}
    return TrainSpec(**d)


def _model_out(mv: ModelVersion, seconds: float) -> dict[str, Any]:
    return {
        "name": mv.name,
        "version": mv.version,
        "task": mv.task,
        "metrics": _plain(mv.metrics),
        "seconds": seconds,
    }


#: Progress of a training job at each step the service reports.
STEPS = {"read": 0.05, "fit": 0.15, "register": 0.95}


@portable
def train_model(ctx: JobContext) -> dict[str, Any]:
    """One model (see the module docstring)."""
    spec = spec_of(ctx.params)

    def say(step: str) -> None:
        ctx.check()
        ctx.progress(STEPS.get(step, 0.5), step)

    result = ctx.platform.ml.train(ctx.principal, spec, progress=say)
    return {"model": version_result(result.version), "seconds": result.seconds}


# -- one model per machine --------------------------------------------------------------------------


@dataclass
class FleetSpec:
    """Which machines get a model, and how each is trained.

    ``spec``: the task and its settings (its ``name`` is the models' prefix, its ``equipment`` is
    ignored); ``equipment``: the machines by path, or ``under``: every machine below a site or
    line (``equipment_type``: only machines of that type).
    """

    spec: TrainSpec
    equipment: list[str] | None = None
    under: str | None = None
    equipment_type: str | None = None

    def params(self) -> dict[str, Any]:
        spec = spec_params(self.spec)
        spec["equipment"] = ""
        return {
            "spec": spec,
            "equipment": self.equipment,
            "under": self.under,
            "equipment_type": self.equipment_type,
        }


def submit_fleet(kamp: Any, principal: Principal, fleet: FleetSpec) -> dict[str, Any]:
    """Queue :func:`train_fleet` for ``fleet`` (a job record)."""
    if not fleet.equipment and not fleet.under:
        raise InvalidInput(
            "Name the machines, or the site or line whose machines get a model.",
            code="ml.fleet_machines",
        )
    title = f"{fleet.spec.task}: {fleet.spec.name} ({fleet.under or len(fleet.equipment or [])})"
    return dict(kamp.jobs.submit(principal, "train", title[:256], train_fleet, fleet.params()))


def machines(kamp: Any, principal: Principal, params: dict[str, Any]) -> list[str]:
    """The equipment paths a fleet job trains for, in tree order."""
    if params.get("equipment"):
        return [str(p).strip("/") for p in params["equipment"]]
    root = kamp.assets.resolve(principal, str(params["under"]))
    wanted = params.get("equipment_type")
    found: list[str] = []

    def walk(node: Any, path: str) -> None:
        if node.kind == NodeKind.EQUIPMENT:
            if not wanted or node.equipment_type == wanted:
                found.append(path)
            return
        for child in sorted(
            kamp.assets.list_nodes(principal, parent_id=node.id), key=lambda n: n.name
        ):
            walk(child, f"{path}/{child.name}")

    walk(root, kamp.assets.path_of(principal, root.id))
    return found


def model_names(prefix: str, paths: list[str]) -> dict[str, str]:
    """``<prefix>-<machine>``; machines of the same name on two lines get their line too."""
    last = [p.rsplit("/", 1)[-1] for p in paths]
    return {
        p: f"{prefix}-{n}" if last.count(n) == 1 else f"{prefix}-{p.replace('/', '.')}"
        for p, n in zip(paths, last, strict=True)
    }


def _train_machine(part: Part, item: dict[str, str]) -> dict[str, Any]:
    """One part of :func:`train_fleet`: the model of one machine, registered once however often
    the part runs (its fence)."""
    fence = part.fence(item["equipment"])
    earlier = part.platform.models.fenced(part.principal, item["name"], fence)
    if earlier is not None:  # this part ran before (its worker died after registering)
        part.log(f"version {earlier.version} was registered by an earlier run of this part")
        return {"equipment": item["equipment"], **_model_out(earlier, 0.0)}
    values = {**part.params["spec"], "name": item["name"], "equipment": item["equipment"]}
    spec = spec_of(values)
    result = part.platform.ml.train(
        part.principal, spec, progress=lambda _step: part.check(), fence=fence
    )
    return {"equipment": item["equipment"], **_model_out(result.version, result.seconds)}


@portable
def train_fleet(ctx: JobContext) -> dict[str, Any]:
    """One model per machine (see the module docstring)."""
    kamp, me = ctx.platform, ctx.principal
    spec = spec_of({**ctx.params["spec"], "equipment": "-"})
    spec.check()  # the task, its target and options, before any machine is read
    paths = machines(kamp, me, ctx.params)
    if not paths:
        raise InvalidInput("There is no machine to train a model for.", code="ml.fleet_no_machines")
    names = model_names(spec.name, paths)
    ctx.progress(0.02, "fit")
    items = [{"equipment": p, "name": names[p]} for p in paths]
    outcomes = ctx.map(_train_machine, items, label=lambda it: it["equipment"], span=(0.02, 1.0))
    models = [o.value for o in outcomes if o.ok]
    failed = [
        {
            "equipment": o.item["equipment"],
            "error": o.error,
            "code": (o.error_record or {}).get("code"),
        }
        for o in outcomes
        if not o.ok
    ]
    if not models:
        raise InvalidInput(
            f"No machine's model could be trained ({len(failed)} failed; see the job's log).",
            code="ml.fleet_none",
            params={"failed": len(failed)},
        )
    workers = sorted({o.worker for o in outcomes})
    return {"models": models, "failed": failed, "workers": workers}
