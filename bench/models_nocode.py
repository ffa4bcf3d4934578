"""The settings a user gets from the no-code flow, for the benchmarks' "no-code defaults" rows.

The web wizard (``/models/new``), the API (``POST /api/v1/models/train``) and the CLI
(``openkamp models train``) all build a ``TrainSpec`` and fit through the model service
(:mod:`openkamp.ml.fit_stored` for equipment data, :mod:`openkamp.ml.on_datasets` for
datasets). What reaches a template from there, when the user leaves every choice as offered:

* ``time_budget_s``: the API's ``TrainRequest`` default, which is also the wizard's preselected
  "normal" budget and the CLI's ``--budget`` default (60 s; the anomaly template's own default
  is 30 s and the RUL template's 300 s, but a user never trains with those);
* ``random_state``: the request's default (0; the wizard does not send one);
* RUL: ``max_rul=None`` (the service trains on the uncapped remaining life; the template's own
  default caps it at 125);
* every other parameter at the template's default (anomaly: ``detector="auto"``, the
  cross-validated threshold, and without a target column, which the wizard preselects, the
  documented default detector; classify: the best-F1 threshold, ``cost_fn=None``).

The values are read from the API and the service, so a changed default changes these rows.
"""

from __future__ import annotations

from typing import Any

from openkamp.api.routers.models import TrainRequest
from openkamp.ml.service import TrainSpec


def no_code(task: str, seed: int | None = None) -> dict[str, Any]:
    """Keyword arguments of ``task``'s template as the no-code flow passes them.

    ``seed`` replaces the request's ``random_state`` (0) where a protocol varies the seed; the
    default keeps what a user gets.
    """
    fields = TrainRequest.model_fields
    budget = float(fields["time_budget_s"].default)
    state = int(fields["random_state"].default)
    spec = TrainSpec(task=task, name="bench", equipment="bench")
    if (spec.time_budget_s, spec.random_state) != (budget, state):
        raise RuntimeError(
            f"the API ({budget} s, seed {state}) and the service ({spec.time_budget_s} s, "
            f"seed {spec.random_state}) disagree on the defaults: which one is the user's?"
        )
    kw: dict[str, Any] = {"time_budget_s": budget, "random_state": state if seed is None else seed}
    if task == "rul":
        kw["max_rul"] = None  # openkamp.ml.fit_stored: RULModel(..., max_rul=None)
    return kw
