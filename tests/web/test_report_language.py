"""The analysis report of a remaining-life and a forecast model, on tiny generated data, scanned
for untranslated text: the features these templates build (window statistics of a signal, the
unit's age, lags, seasons, the calendar, an exogenous column) are said in words, with the
signals' display names, in Korean and in English. No platform: the models are fitted directly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from openkamp.i18n import MESSAGES
from openkamp.ml.card import ModelCard
from openkamp.ml.report import feature_label, render_report
from openkamp.ml.templates.forecast import ForecastModel
from openkamp.ml.templates.forecast import feature_words as forecast_words
from openkamp.ml.templates.rul import RULModel
from openkamp.ml.templates.rul import feature_words as rul_words

from .language_scan import untranslated

#: Display names of the generated data's columns, per language (as the asset model gives them).
DISPLAY = {
    "ko": {"s1": "진동 RMS", "s2": "절삭유 온도", "planned run [0/1]": "계획 운전"},
    "en": {"s1": "Vibration RMS", "s2": "Coolant temperature", "planned run [0/1]": "Planned run"},
}


@pytest.fixture(scope="module")
def cards() -> dict[str, ModelCard]:
    rng = np.random.default_rng(0)
    # A small fleet wearing linearly to failure (as in tests/ml/test_rul.py).
    parts = []
    for u in range(10):
        life = int(rng.integers(50, 90))
        h = np.arange(1, life + 1) / life
        parts.append(pd.DataFrame({"unit": u, "cycle": np.arange(1, life + 1),
                                   "s1": h + rng.normal(0, 0.05, life),
                                   "s2": rng.normal(0, 1, life)}))  # fmt: skip
    fleet = pd.concat(parts, ignore_index=True)
    rul = RULModel(max_rul=60, learners=["ridge"], n_splits=3, time_budget_s=5)
    rul.fit(fleet, unit="unit", time="cycle")
    # Two weeks of hourly output following a plan known in advance (an exogenous column).
    idx = pd.date_range("2026-03-02", periods=14 * 24, freq="1h", tz="Asia/Seoul")
    plan = np.tile(np.r_[np.zeros(6), np.ones(16), np.zeros(2)], 14)
    y = pd.Series(80.0 * plan + rng.normal(0, 2, len(idx)), index=idx)
    X = pd.DataFrame({"planned run [0/1]": plan}, index=idx)
    forecast = ForecastModel(horizon=6, learners=["ridge"], seasons=[24]).fit(y, X)
    return {"rul": rul.card(), "forecast": forecast.card()}


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("task", ["rul", "forecast"])
def test_report_has_no_untranslated_text(cards: dict[str, ModelCard], task: str, lang: str) -> None:
    card = cards[task]
    html = render_report(card, lang=lang, model_name="m01", version=1, display=DISPLAY[lang])
    findings = untranslated(html, lang, f"{task} report")
    assert not findings, "\n".join(str(f) for f in findings[:40])
    # The built features are named by the signals' display names, never their code names.
    shown = [feature_label(f, card.task, lang, DISPLAY[lang], card.method) for f in card.features]
    assert len(set(shown)) == len(shown), shown  # no two features said the same way
    signals = ["s1"] if task == "rul" else ["planned run [0/1]"]  # s2 is noise: RUL drops it
    for name in signals:
        assert any(s.startswith(DISPLAY[lang][name]) for s in shown), (name, shown)


def test_every_built_feature_has_words_in_both_languages(cards: dict[str, ModelCard]) -> None:
    words = {"rul": rul_words, "forecast": lambda f: forecast_words(f, ["planned run [0/1]"])}
    for task, card in cards.items():
        for feature in card.features:
            said = words[task](feature)
            assert said is not None, (task, feature)
            key = said[0]
            assert MESSAGES[key]["ko"] and MESSAGES[key]["en"], key
            for lang in ("ko", "en"):
                assert feature_label(feature, task, lang, method=card.method) != feature
    assert forecast_words("x0_planned_run__0_1_", ["planned run [0/1]"]) == (
        "ml.feature.exog",
        {"signal": "planned run [0/1]"},
    )
    assert rul_words("vibration_rms__mean10") == (
        "ml.feature.mean_n",
        {"signal": "vibration_rms", "n": 10},
    )
    # Names a template does not build are the data's columns: left to the display names.
    assert rul_words("hold_pressure") is None and forecast_words("hold_pressure") is None
    assert feature_label("level", "classify", "ko") == "level"  # a tank's level, not a lag
