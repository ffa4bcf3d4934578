"""Three days of the demo factory (seed 5) and models of every kind that learn from the first
two: shared by the tests that compare ways of scoring the same models (in pieces, online)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from openkamp.ingest.importer import ImportOptions
from openkamp.ml.service import TrainSpec
from openkamp.platform import Platform
from openkamp.sim import Factory

START = datetime.fromisoformat("2026-03-02T00:00:00+09:00")
LEARN = START + timedelta(days=2)
END = START + timedelta(days=3)
INJ, PRESS, CNC = "plant1/line1/inj01", "plant1/line2/press01", "plant1/line2/cnc01"
CNC_SIGNALS = ["spindle_speed", "spindle_load", "feed_rate", "vibration_rms", "coolant_temp"]


def specs(budget_s: float) -> dict[str, TrainSpec]:
    """An anomaly model that looks back far (lags, smoothing, alarm filter), a defect model, a
    regression, and remaining life per tool with and without minutes in use."""
    return {
        "watch": TrainSpec(task="anomaly", name="watch", equipment=PRESS, start=START, end=LEARN,
                           time_budget_s=budget_s, options={"lags": 3, "smoothing": 7,
                                                            "alarm_filter": 5, "detector": "pca"}),
        "defect": TrainSpec(task="classify", name="defect", equipment=INJ, target="pass_fail",
                            start=START, end=LEARN, time_budget_s=budget_s),
        "cycle": TrainSpec(task="regress", name="cycle", equipment=INJ, target="cycle_time",
                           start=START, end=LEARN, time_budget_s=budget_s),
        "tool_use": TrainSpec(task="rul", name="tool_use", equipment=CNC, unit="tool_id",
                              usage="feed_rate", features=CNC_SIGNALS, start=START, end=LEARN,
                              time_budget_s=budget_s),
        "tool_age": TrainSpec(task="rul", name="tool_age", equipment=CNC, unit="tool_id",
                              features=CNC_SIGNALS, start=START, end=LEARN,
                              time_budget_s=budget_s),
    }  # fmt: skip


def platform_with_models(
    root: Path, trained: Iterable[TrainSpec], *, production: bool = False
) -> Platform:
    """A platform in ``root`` with the three days of inj01, press01 and cnc01 imported and
    ``trained`` trained on them (each made the production version if ``production``)."""
    platform = Platform.at(root / "data")
    me = platform.principal()
    factory = Factory(seed=5)
    site = factory.asset_model()
    platform.assets.apply_tree(me, [site])
    paths = {e.name: f"{site.name}/{ln.name}/{e.name}" for ln in site.lines for e in ln.equipment}
    for file in factory.write_files(root / "files", START, END):
        if paths[file.stem] in (INJ, PRESS, CNC):
            platform.imports.import_file(me, file, ImportOptions(equipment=paths[file.stem]))
    for spec in trained:
        result = platform.ml.train(me, spec)
        if production:
            platform.models.set_stage(me, spec.name, result.version.version, "production")
    return platform
