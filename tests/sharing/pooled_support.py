"""Shared by the pooled compute-to-data tests: three owners' datasets of the same injection
process (ten process values with Korean names and a pass/fail label) and a consumer.

Owner A's labels follow the process (a known rule plus noise); owner B's rows are another
sample of the same process, the same size (the same distribution: its contribution should equal
A's); owner N's labels are pure noise (shuffled: the same share of NG, no relation to the
process). A fourth dataset lacks a column, for the schema refusal."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from openkamp.core.tenancy import Principal
from openkamp.platform import Platform
from openkamp.sharing.policy import Action
from openkamp.sharing.policy_jsonld import from_jsonld, to_jsonld

#: Ten process values: name -> (mean, std, decimals). The label depends on the first four.
PROCESS = {
    "사출압력": (1250.0, 18.0, 1),
    "보압": (820.0, 12.0, 1),
    "사출속도": (85.0, 3.5, 2),
    "계량시간": (4.8, 0.15, 3),
    "쿠션량": (6.5, 0.4, 2),
    "금형온도": (60.0, 0.6, 1),
    "실린더온도": (230.0, 2.0, 1),
    "냉각시간": (12.0, 0.5, 2),
    "형체력": (350.0, 6.0, 1),
    "사이클타임": (32.0, 0.8, 2),
}
TARGET = "판정"
ROWS = 3000
COLUMNS = [
    {"name": "일시", "kind": "time", "role": "time"},
    {"name": "품번", "kind": "text", "role": "id"},
    *({"name": c, "kind": "number", "role": "input"} for c in PROCESS),
    {"name": TARGET, "kind": "text", "role": "label"},
]
#: A policy that allows compute-to-data (every offer of the tests has it).
POLICY = {"purposes": ["quality"], "max_trainings": 20}


def shots(rows: int = ROWS, seed: int = 0, *, noise: bool = False) -> pd.DataFrame:
    """One owner's shots: the label NG when a weighted sum of four standardised process values
    (plus noise) is positive; ``noise``: the labels shuffled."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "일시": pd.date_range("2026-11-02 06:00", periods=rows, freq="32s", tz="Asia/Seoul"),
            "품번": rng.choice(["AX-1021", "AX-1022", "BK-3300"], rows),
        }
    )
    z = {}
    for name, (mean, std, decimals) in PROCESS.items():
        z[name] = rng.standard_normal(rows)
        frame[name] = np.round(mean + std * z[name], decimals)
    risk = (1.2 * z["사출압력"] - 0.8 * z["보압"] + 0.5 * z["사출속도"] + 0.6 * z["쿠션량"]
            + rng.normal(0, 0.5, rows))  # fmt: skip
    label = np.where(risk > 0.0, "NG", "OK")
    frame[TARGET] = rng.permutation(label) if noise else label
    return frame


def offer(kamp: Platform, owner: Principal, name: str, dataset: str = "shots",
          policy: dict[str, Any] | None = None) -> int:  # fmt: skip
    """A published offer of the owner's dataset; its id."""
    rec = kamp.sharing.catalog.create(
        owner, name, dataset, title_ko="사출 공정 데이터", title_en="Injection process data",
        description_ko="사출기 샷별 공정 값과 판정.", description_en="Process values per shot.",
        equipment_type="injection_moulding", industry="C22", problem="defect",
        price={"model": "flat", "amount": "100000"}, policy=policy or POLICY,
    )  # fmt: skip
    kamp.sharing.catalog.publish(owner, rec["id"])
    return int(rec["id"])


def export_only(kamp: Platform, owner: Principal) -> dict[str, Any]:
    """The owner's offered terms (its first offer's) with its permission narrowed to exports
    (reproduce): no training, so no compute-to-data."""
    rec = kamp.sharing.catalog.list_own(owner)[0]
    policy = from_jsonld(rec["policy"])
    [perm] = policy.permissions
    narrowed = dataclasses.replace(perm, action=Action.REPRODUCE)
    return to_jsonld(dataclasses.replace(policy, permissions=(narrowed,)))
