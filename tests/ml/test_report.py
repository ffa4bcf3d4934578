"""The analysis report: cards of small seeded fits rendered in Korean and English.

Checks that the HTML is one self-contained, well-formed, escaped document with the sections in
the right language, every headline metric and interval, and one SVG per plot; that any card
renders, whatever names a new template uses; and that every i18n key the code names exists in
both languages.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from openkamp.charts import fmt
from openkamp.i18n import MESSAGES
from openkamp.ml.card import ModelCard, Plot
from openkamp.ml.report import protocol_keys, render_report
from openkamp.ml.templates.anomaly import AnomalyModel
from openkamp.ml.templates.classify import ClassifyModel
from openkamp.ml.templates.forecast import ForecastModel
from openkamp.ml.templates.rul import RULModel
from openkamp.quality import profile
from openkamp.sim import Factory

SRC = Path(__file__).resolve().parents[2] / "src" / "openkamp"
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xhtml"}
HEADINGS = {
    "ko": ["1. 문제 정의", "2. 데이터", "3. 분석 방법", "4. 검증 방법", "5. 결과", "6. 설명", "7. 한계"],
    "en": ["1. Problem", "2. Data", "3. Method", "4. Evaluation protocol", "5. Results",
           "6. Explanation", "7. Limits"],
}  # fmt: skip


@pytest.fixture(scope="module")
def sim() -> object:
    return Factory(seed=3).simulate("2026-03-02", "2026-03-04")


@pytest.fixture(scope="module")
def cards(sim: object) -> dict[str, tuple[ModelCard, pd.DataFrame]]:
    data = sim.data  # type: ignore[attr-defined]
    shots = data["inj01"]
    X = shots.drop(columns=["pass_fail", "defect_type", "lot_id", "timestamp"])
    X = X.rename(columns={"cushion": "<b>x&y</b>"})  # a hostile feature name
    y = (shots["pass_fail"] == "NG").to_numpy()
    classify = ClassifyModel(learners="logreg", n_splits=3, random_state=0).fit(X, y)
    press = data["press01"].drop(columns="fault_kind")
    anomaly = AnomalyModel().fit(press.iloc[:4000])
    # A synthetic fleet wearing linearly to failure (as in test_rul.py), a few units.
    rng = np.random.default_rng(0)
    parts = []
    for u in range(12):
        life = int(rng.integers(60, 120))
        h = np.arange(1, life + 1) / life
        parts.append(pd.DataFrame({"unit": u, "cycle": np.arange(1, life + 1),
                                   "s1": h + rng.normal(0, 0.05, life),
                                   "s2": rng.normal(0, 1, life)}))  # fmt: skip
    fleet = pd.concat(parts, ignore_index=True)
    rul = RULModel(max_rul=80, learners=["ridge"], n_splits=3, time_budget_s=10).fit(
        fleet, unit="unit", time="cycle"
    )
    # Three weeks of hourly output following a plan known in advance (an exogenous column).
    idx = pd.date_range("2026-03-02", periods=21 * 24, freq="1h", tz="Asia/Seoul")
    plan = np.tile(np.r_[np.zeros(6), np.ones(16), np.zeros(2)], 21)
    hourly = pd.DataFrame({"timestamp": idx, "planned run [0/1]": plan,
                           "output": 80.0 * plan + rng.normal(0, 2, len(idx))})  # fmt: skip
    forecast = ForecastModel(horizon=6, learners=["ridge"], seasons=[24]).fit(
        hourly.set_index("timestamp")["output"],
        hourly.set_index("timestamp")[["planned run [0/1]"]],
    )
    return {
        "classify": (classify.card(), shots),
        "anomaly": (anomaly.card(), data["press01"]),
        "rul": (rul.card(), fleet),
        "forecast": (forecast.card(), hourly),
    }


class _Doc(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.h2: list[str] = []
        self.text: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_h2 = tag == "h2"
        if tag not in ("meta", "br", "rect", "line", "circle", "path", "polygon"):
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("rect", "line", "circle", "path", "polygon"):
            return
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()
        self._in_h2 = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_h2:
            self.h2.append(data.strip())


def _check_self_contained(html: str) -> None:
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert urls <= NAMESPACES, urls - NAMESPACES
    low = html.lower()
    for banned in ("<script", "<link", "@import", "url(", "<img", "<iframe", "src="):
        assert banned not in low, banned


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("task", ["classify", "anomaly", "rul", "forecast"])
def test_report_of_a_fitted_model(cards: dict, task: str, lang: str) -> None:
    card, data = cards[task]
    qual = profile(data, time="timestamp" if "timestamp" in data else None)
    html = render_report(card, lang=lang, model_name="press <01>", version=3, dataset="ds-1",
                         quality=qual, provenance={"schema_hash": "abc123", "dataset_id": "ds-1",
                                                   "created_at": "2026-03-04T00:00:00+00:00"})  # fmt: skip
    doc = _Doc()
    doc.feed(html)
    doc.close()
    assert not doc.stack, doc.stack  # every element closed
    assert f'<html lang="{lang}">' in html
    for heading in HEADINGS[lang]:
        assert heading in doc.h2, (heading, doc.h2)
    other = HEADINGS["en" if lang == "ko" else "ko"]
    assert not set(other) & set(doc.h2)
    # Headline metrics and their intervals, formatted as shown.
    text = " ".join(doc.text)
    for name, value in card.headline().items():
        assert f'data-metric="{name}"' in html
        assert fmt(value) in text, (name, value)
        label = MESSAGES[f"ml.metric.{name}"][lang]
        assert label in text, label
    for name, (lo, hi) in card.metric_ci.items():
        assert f"{fmt(lo)} – {fmt(hi)}" in text, name
    # One SVG per plot, each with a title; the plot title in the report's language.
    svgs = [a for tag, a in doc.tags if tag == "svg"]
    assert len(svgs) == len(card.plots) >= 1
    for p in card.plots:
        assert MESSAGES[p.title][lang] in text
    assert len(re.findall(r'<svg [^>]*role="img"', html)) == len(card.plots)
    assert html.count('<title id="plot-') == len(card.plots)
    for limit in card.limits:
        assert MESSAGES[limit][lang] in text
    assert MESSAGES["quality.index.completeness"][lang] in text
    assert "abc123" in text and "ds-1" in text
    _check_self_contained(html)
    assert "press <01>" in text and "press &lt;01&gt;" in html


def test_every_protocol_is_explained_in_both_languages(cards: dict) -> None:
    """Each template's card names the kind of its protocol, which the report says in words
    (the English sentence with its counts follows on English pages only)."""
    for task, (card, _) in cards.items():
        keys = protocol_keys(card)
        assert keys, (task, card.protocol_kind)
        ko, en = render_report(card, lang="ko"), render_report(card, lang="en")
        for key in keys:
            assert escape(MESSAGES[key]["ko"]) in ko and escape(MESSAGES[key]["en"]) in en, key
        assert escape(card.protocol) not in ko and escape(card.protocol) in en, task


def test_protocol_kinds_in_words() -> None:
    def card(kind: str | None, sentence: str = "how it was checked") -> ModelCard:
        return ModelCard(
            task="optimise", method={}, protocol=sentence, metrics={}, protocol_kind=kind
        )

    assert protocol_keys(card("held-out normal blocks + labelled anomalies")) == [
        "ml.protocol.normal_blocks",
        "ml.protocol.labelled_anomalies",
    ]
    assert protocol_keys(card("rolling-origin backtest")) == ["ml.protocol.backtest"]
    # A card that kept only the folds' sentence (an optimise model passes its surrogate's on;
    # models saved before the kind was kept) is read by the kind it names.
    said = "5-fold forward-chaining time split: train strictly before test in time"
    assert protocol_keys(card(None, said)) == ["ml.protocol.forward"]
    # Kinds without a text: the template's sentence, in both languages.
    assert protocol_keys(card("brand new split")) is None
    assert protocol_keys(card("group k-fold + brand new part")) is None
    assert protocol_keys(card(None, "5-fold brand new split: …")) is None
    assert "how it was checked" in render_report(card("brand new split"), lang="ko")


def test_text_is_escaped(cards: dict) -> None:
    card, _ = cards["classify"]
    assert "<b>x&y</b>" in card.features
    html = render_report(card, lang="en")
    assert "<b>x&y</b>" not in html
    assert "&lt;b&gt;x&amp;y&lt;/b&gt;" in html


def test_any_card_renders() -> None:
    """Unknown task, metric, plot, limit and reason names; odd and broken plot data."""
    card = ModelCard(
        task="optimise",
        method={"learner": "bayes<opt>", "trials": 40, "space": {"temp": [180, 220]}},
        protocol="held-out batches",
        metrics={"improvement": 0.12, "brand_new_score": 3.5, "nan_metric": float("nan")},
        metric_ci={"brand_new_score": (3.0, 4.0), "nan_metric": (float("nan"), 1.0)},
        leaderboard=[{"learner": "a", "score": 1.0}, {"learner": "b", "other": "x"}],
        importance=pd.Series({"temp": 0.7, "speed": 0.3}),
        features=["temp", "speed"],
        dropped={"id": "ml.dropped.some_new_reason"},
        plots=[
            Plot(
                "line",
                "ml.plot.never_seen_before",
                pd.DataFrame({"t": [1, 2, 3], "v": [1.0, np.nan, 3.0]}),
                x="t",
                y=["v"],
            ),
            Plot(
                "scatter",
                "ml.plot.other",
                pd.DataFrame({"a": [], "b": []}),
                x="a",
                y=["b"],
                diagonal=True,
            ),
            Plot("bar", "ml.plot.x", pd.DataFrame({"f": ["a"], "s": [1.0]}), x="missing", y=["s"]),
            Plot("hist", "ml.plot.h", pd.DataFrame({"r": [1.0, 1.0, 1.0]}), y=["r"]),
            Plot("matrix", "ml.plot.m", pd.DataFrame([[1]])),
            Plot("pie", "ml.plot.pie", pd.DataFrame({"a": [1]}), y=["a"]),  # type: ignore[arg-type]
        ],
        limits=["ml.limit.some_new_limit"],
        extra={"anything": [1, 2, 3]},
    )
    for lang in ("ko", "en"):
        html = render_report(card, lang=lang)
        doc = _Doc()
        doc.feed(html)
        assert html.count("<svg") == len(card.plots)
        text = " ".join(doc.text)
        assert "brand new score" in text and "some new limit" in text
        assert "never seen before" in text and "some new reason" in text
        _check_self_contained(html)
    with pytest.raises(ValueError, match="lang"):
        render_report(card, lang="de")


def test_every_i18n_key_named_in_the_code_has_both_languages() -> None:
    keys: set[str] = set()
    for path in SRC.rglob("*.py"):
        keys |= set(re.findall(r"""["']((?:ml|quality)\.[a-z0-9_]+(?:\.[a-z0-9_]+)*)["']""",
                               path.read_text(encoding="utf-8")))  # fmt: skip
    keys = {k for k in keys if not k.endswith(".py")}
    assert {"ml.plot.confusion", "ml.limit.rul_cap", "quality.advice.stuck"} <= keys | set(MESSAGES)

    def both(key: str) -> bool:
        return bool(MESSAGES.get(key, {}).get("ko") and MESSAGES.get(key, {}).get("en"))

    # An error code ("ml.cannot_train") names its text as err.<code>.
    missing = sorted(k for k in keys if not (both(k) or both(f"err.{k}")))
    assert not missing, missing
