"""The analysis report of a trained model: one self-contained HTML file, in Korean or English.

:func:`render_report` turns a :class:`~openkamp.ml.card.ModelCard` into the sections of the
KAMP AI guidebooks (problem, data, method, evaluation protocol, results, explanation, limits,
provenance), with every chart of the card drawn as inline SVG (:mod:`openkamp.charts`). The file
has no script, external font, stylesheet or image: it opens offline and prints on A4.

The renderer reads cards generically: metric names, plot titles, limit and dropped-reason keys
are looked up in the i18n catalogue and shown readably when a template uses one the catalogue
does not know yet (``ml.metric.new_score`` → "new score"); a chart that cannot be drawn becomes an
empty frame with a note. Every text from the card is escaped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from openkamp import charts
from openkamp.i18n import MESSAGES, t
from openkamp.ml.card import ModelCard, Plot, protocol_key

__all__ = ["axis_label", "feature_label", "protocol_keys", "render_plot", "render_report"]

_CSS = """
*{box-sizing:border-box}
body{font-family:'Noto Sans KR','Malgun Gothic','Apple SD Gothic Neo','Nanum Gothic',sans-serif;
color:#222;max-width:960px;margin:0 auto;padding:24px;line-height:1.55;font-size:14px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;border-bottom:2px solid #0072B2;
padding-bottom:4px;margin-top:32px}h3{font-size:15px;margin:18px 0 6px}
.sub{color:#555;margin:0 0 16px}
table{border-collapse:collapse;margin:8px 0 12px;font-size:13px}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f4f8}td.n{text-align:right;font-variant-numeric:tabular-nums}
.metrics{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0}
.metric{border:1px solid #cfd8e3;border-radius:6px;padding:8px 12px;min-width:170px}
.metric .v{font-size:20px;font-weight:bold}.metric .ci{color:#555;font-size:12px}
.note{background:#f6f8fa;border-left:4px solid #0072B2;padding:8px 12px}
figure{margin:12px 0;break-inside:avoid;page-break-inside:avoid}
svg.chart{max-width:100%;height:auto}
nav ol{columns:2}
code{font-size:12px}
footer{margin-top:32px;color:#666;font-size:12px}
@media print{body{padding:0;font-size:12px}nav{display:none}h2{break-after:avoid}
@page{size:A4;margin:16mm}}
"""

_SECTIONS = ("problem", "data", "method", "protocol", "results", "explanation", "limits")


def _e(v: Any) -> str:
    return escape(str(v), quote=True)


class _Text:
    """i18n lookups with a readable fallback for keys the catalogue does not have."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **kwargs: Any) -> str:
        if key in MESSAGES:
            return t(key, self.lang, **kwargs)
        return key.rsplit(".", 1)[-1].replace("_", " ")


def _value(v: Any) -> str:
    """A plain value for a table cell."""
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    if isinstance(v, float | np.floating):
        return charts.fmt(float(v))
    if isinstance(v, list | tuple):
        return ", ".join(_value(x) for x in v)
    if isinstance(v, dict):
        return ", ".join(f"{k}: {_value(x)}" for k, x in v.items())
    return str(v)


class _Code(str):
    """Text that is code, not words: a hyper-parameter's or candidate's name, a library, a hash.
    It is shown as it is, in ``<code>``, and marked ``translate="no"`` (the same in both
    languages)."""


def _cell(tag: str, c: Any, numeric: bool = False) -> str:
    cls = ' class="n"' if numeric else ""
    if isinstance(c, _Code):
        return f'<{tag}{cls} translate="no"><code>{_e(c)}</code></{tag}>'
    return f"<{tag}{cls}>{_e(c)}</{tag}>"


def _table(header: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(_cell("th", h) for h in header)
    body = "".join(
        "<tr>" + "".join(_cell("td", c, i in numeric) for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _kv(rows: list[tuple[str, Any]], tx: _Text, *, code: bool = False) -> str:
    """A two-column table of settings; with ``code``, names and values are code (the technical
    appendix: ``num_leaves``, ``lgbm``). A :class:`_Code` name or value is code either way."""

    def shown(v: Any) -> Any:
        if isinstance(v, _Code):
            return v
        return _Code(_value(v)) if code else _value(v)

    return _table(
        [tx("ml.report.parameter"), tx("ml.report.value")],
        [[_Code(k) if code and not isinstance(k, _Code) else k, shown(v)] for k, v in rows],
    )


# --------------------------------------------------------------------------- words

#: Protocol kinds of the templates that name their own (``ModelCard.protocol_kind``), beside the
#: tabular folds' of :func:`openkamp.ml.card.protocol_key`.
_PROTOCOLS = {
    "normal time split": "ml.protocol.normal_time_split",  # anomaly: threshold="holdout"
    "held-out normal recordings": "ml.protocol.normal_recordings",  # anomaly: threshold="cv"
    "held-out normal blocks": "ml.protocol.normal_blocks",
    "labelled anomalies": "ml.protocol.labelled_anomalies",
    "unit k-fold with cuts": "ml.protocol.unit_cuts",  # rul
    "rolling-origin backtest": "ml.protocol.backtest",  # forecast
}
#: The sentence of :meth:`openkamp.ml.splits.Folds.describe` ("5-fold group k-fold: …").
_FOLDS_SENTENCE = re.compile(r"^\d+-fold (?P<kind>[a-z -]+?): ")


def protocol_keys(card: ModelCard) -> list[str] | None:
    """The i18n keys that explain ``card``'s evaluation protocol in words, in order (a kind
    ``a + b`` is a's text then b's); None when a part has no text (the report then shows the
    template's sentence). A card without a kind whose protocol is a folds sentence
    (``Folds.describe``: an optimise model passes on its surrogate's, models saved before kinds
    were kept) is read by the kind the sentence names."""
    kind = card.protocol_kind
    if not kind:
        said = _FOLDS_SENTENCE.match(card.protocol or "")
        kind = said["kind"] if said else None
    if not kind:
        return None
    keys = [protocol_key(part) or _PROTOCOLS.get(part) for part in kind.split(" + ")]
    return [k for k in keys if k] if all(keys) else None


def _feature_words(
    task: str, method: Mapping[str, Any]
) -> Callable[[str], tuple[str, dict[str, Any]] | None] | None:
    """The template's own explanation of the features it builds (None: the features are the
    data's columns)."""
    if task == "rul":
        from openkamp.ml.templates.rul import feature_words

        return feature_words
    if task == "forecast":
        from openkamp.ml.templates.forecast import feature_words as forecast_words

        exog = list(method.get("exog") or ())
        return lambda name: forecast_words(name, exog)
    return None


def feature_label(
    name: str,
    task: str,
    lang: str = "ko",
    display: Mapping[str, str] | None = None,
    method: Mapping[str, Any] | None = None,
) -> str:
    """A model's input as people call it: a column by its display name (``display``), a feature
    the template built from the columns by what it is (``vibration_rms__mean10`` → 진동 RMS
    최근 10행 평균, ``lag3`` → 3스텝 전의 값, ``age`` → 사용 기간), else the name as it is.
    ``method`` is the card's (a forecast's exogenous columns)."""
    shown = display or {}
    name = str(name)
    if name in shown:
        return shown[name]
    words = _feature_words(task, method or {})
    said = words(name) if words is not None else None
    if said is None or said[0] not in MESSAGES:
        return name
    key, params = said
    if "signal" in params:
        params = {**params, "signal": shown.get(str(params["signal"]), str(params["signal"]))}
    return t(key, lang, **params)


def _learner_said(chosen: Any, tx: _Text) -> str:
    """The chosen learner or detector in words (``seasonal_naive_24`` names its season)."""
    season = re.fullmatch(r"seasonal_naive_(\d+)", str(chosen))
    if season:
        return tx("ml.learner.seasonal_naive", season=int(season[1]))
    key = f"ml.learner.{chosen}"
    return tx(key) if key in MESSAGES else _value(chosen)


# --------------------------------------------------------------------------- plots


def _col(data: pd.DataFrame, name: str | None) -> pd.Series:
    if name is None:
        return pd.Series(data.index, index=data.index)
    if name in data.columns:
        return data[name]
    if data.index.name == name:
        return pd.Series(data.index, index=data.index)
    raise ValueError(f"no column {name!r}")


def axis_label(name: str, lang: str) -> str | None:
    """An axis or series name the cards' plots use, in ``lang`` (``predicted`` → 예측,
    ``mean_abs_contribution`` → 평균 기여도); None for any other name (a column of the data,
    shown by its own or display name)."""
    key = f"ml.axis.{name}"
    return t(key, lang) if key in MESSAGES else None


def render_plot(plot: Plot, *, lang: str = "ko", uid: str | None = None) -> str:
    """One :class:`Plot` of a card as an inline ``<svg>`` (an empty frame when it cannot be drawn);
    axis and series names in ``lang`` (:func:`axis_label`)."""
    tx = _Text(lang)

    def said(name: str | None) -> str:
        return "" if name is None else axis_label(name, lang) or name

    title = tx(plot.title)
    empty = tx("ml.report.empty_plot")
    hline_label = tx(plot.hline_label) if plot.hline_label else ""
    data = plot.data if isinstance(plot.data, pd.DataFrame) else pd.DataFrame(plot.data)
    try:
        if plot.kind == "line":
            ys = [c for c in plot.y if c in data.columns]
            band = None
            if "lo" in ys and "hi" in ys:
                band = (data["lo"], data["hi"])
                ys = [c for c in ys if c not in ("lo", "hi")]
            return charts.line(
                _col(data, plot.x),
                {said(c): data[c] for c in ys},
                title=title,
                desc=title,
                x_label=said(plot.x),
                y_label=said(ys[0]) if len(ys) == 1 else "",
                band=band,
                band_label=tx("ml.axis.band") if band is not None else "",
                hline=plot.hline,
                hline_label=hline_label,
                uid=uid,
                empty=empty,
            )
        if plot.kind == "scatter":
            return charts.scatter(
                _col(data, plot.x),
                data[plot.y[0]],
                title=title,
                desc=title,
                x_label=said(plot.x),
                y_label=said(plot.y[0]),
                diagonal=plot.diagonal,
                uid=uid,
                empty=empty,
            )
        if plot.kind == "bar":
            return charts.bar(
                [str(v) for v in _col(data, plot.x)],
                data[plot.y[0]],
                title=title,
                desc=title,
                x_label=said(plot.y[0]),
                uid=uid,
                empty=empty,
            )
        if plot.kind == "matrix":
            return charts.heatmap(
                data,
                title=title,
                desc=title,
                x_label=tx("ml.report.predicted"),
                y_label=tx("ml.report.actual"),
                uid=uid,
                empty=empty,
            )
        if plot.kind == "hist":
            return charts.histogram(
                data[plot.y[0]],
                groups=None if plot.x is None else data[plot.x],
                title=title,
                desc=title,
                x_label=said(plot.y[0]),
                y_label=tx("count"),
                marker=plot.hline,
                marker_label=hline_label,
                uid=uid,
                empty=empty,
            )
    except (KeyError, IndexError, ValueError, TypeError):
        pass  # a malformed plot becomes an empty frame below, never a broken report
    return charts.line([], {}, title=title, desc=title, uid=uid, empty=empty)


# --------------------------------------------------------------------------- sections


def _metric_cards(card: ModelCard, tx: _Text) -> str:
    out = []
    for name, v in card.metrics.items():
        if not isinstance(v, int | float) or isinstance(v, bool):
            continue
        ci = card.metric_ci.get(name)
        ci_html = ""
        if ci is not None and all(math.isfinite(float(c)) for c in ci):
            ci_html = (
                f'<div class="ci">{_e(tx("ml.report.interval"))}: '
                f"{_e(charts.fmt(float(ci[0])))} – {_e(charts.fmt(float(ci[1])))}</div>"
            )
        out.append(
            f'<div class="metric" data-metric="{_e(name)}"><div>{_e(tx(f"ml.metric.{name}"))}</div>'
            f'<div class="v">{_e(charts.fmt(float(v)))}</div>{ci_html}</div>'
        )
    return f'<div class="metrics">{"".join(out)}</div>' if out else ""


def _leaderboard(card: ModelCard, tx: _Text) -> str:
    rows = [r for r in card.leaderboard[:15] if isinstance(r, Mapping)]
    if not rows:
        return ""
    keys: list[str] = []
    for r in rows:
        keys += [str(k) for k in r if str(k) not in keys]
    keys = keys[:10]
    numeric = {i + 1 for i, k in enumerate(keys) if all(_is_num(r.get(k)) for r in rows)}
    body = [
        [str(i + 1), *(_value(r.get(k, "")) if j + 1 in numeric else _Code(_value(r.get(k, "")))
                       for j, k in enumerate(keys))]
        for i, r in enumerate(rows)
    ]  # fmt: skip
    header = ["#", *(_Code(k) for k in keys)]  # candidates, learners, metrics: code
    return f"<h3>{_e(tx('ml.report.leaderboard'))}</h3>" + _table(header, body, numeric | {0})


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)


def _renamed(text: str, column: Any, name_of: Any) -> str:
    """A finding's text with its column written by its display name."""
    column = str(column or "")
    return text.replace(column, name_of(column), 1) if column else text


def _quality(quality: Any, tx: _Text, name_of: Any = str) -> str:
    from openkamp.quality import INDICES

    if quality is None:
        return ""
    if isinstance(quality, Mapping) and isinstance(quality.get("indices"), Mapping):
        # A stored QualityReport.to_dict() (a registered model's provenance).
        from types import SimpleNamespace

        from openkamp.quality import Finding

        known = set(Finding.__dataclass_fields__)
        quality = SimpleNamespace(
            indices=quality["indices"],
            overall=quality.get("overall"),
            findings=[
                Finding(**{k: v for k, v in f.items() if k in known})
                for f in quality.get("findings") or []
                if isinstance(f, Mapping)
            ],
        )
    indices = getattr(quality, "indices", quality)
    if not isinstance(indices, Mapping):
        return ""
    rows = [
        [tx(f"quality.index.{k}"), charts.fmt(float(indices[k]))] for k in INDICES if k in indices
    ]
    rows += [[tx(f"quality.index.{k}"), _value(v)] for k, v in indices.items() if k not in INDICES]
    overall = getattr(quality, "overall", None)
    if overall is not None:
        rows.append([tx("quality.overall"), charts.fmt(float(overall))])
    html = f"<h3>{_e(tx('quality.title'))}</h3>" + _table(
        [tx("quality.index"), tx("ml.report.value")], rows, {1}
    )
    findings = getattr(quality, "findings", None) or []
    if findings:
        items = "".join(
            f"<li>{_e(_renamed(f.text(tx.lang), f.column, name_of))}</li>" for f in findings[:12]
        )
        html += f"<h3>{_e(tx('quality.findings'))}</h3><ul>{items}</ul>"
    return html


def _provenance(card: ModelCard, provenance: Mapping[str, Any] | None, dataset: Any,
                tx: _Text) -> str:  # fmt: skip
    from openkamp.ml.registry import code_version, library_versions

    prov = dict(provenance or {})
    if "libraries" not in prov:
        prov["libraries"] = library_versions()
    if "code_version" not in prov:
        prov["code_version"] = code_version()
    rows: list[tuple[str, Any]] = []
    labels = {
        "code_version": "ml.report.code_version",
        "dataset_id": "ml.report.dataset",
        "schema_hash": "ml.report.schema_hash",
        "created_at": "ml.report.created",
    }
    if dataset is not None and "dataset_id" not in prov:
        prov["dataset_id"] = dataset
    for key, label in labels.items():
        if prov.get(key) is not None:
            rows.append((tx(label), _Code(_value(prov[key]))))
    libs = prov.get("libraries") or {}
    if isinstance(libs, Mapping):
        rows.append(
            (tx("ml.report.libraries"),
             _Code(", ".join(f"{k} {v}" for k, v in libs.items() if v)))
        )  # fmt: skip
    if card.fit_seconds is not None:
        rows.append((tx("ml.report.fit_seconds"), tx("ml.report.seconds", s=card.fit_seconds)))
    skip = {*labels, "libraries", "feature_names", "training"}
    rows += [
        (_Code(k), _Code(_value(v))) for k, v in prov.items() if k not in skip and v is not None
    ]
    return _kv(rows, tx)


def render_report(
    card: ModelCard,
    *,
    lang: str = "ko",
    title: str | None = None,
    model_name: str | None = None,
    version: Any = None,
    dataset: Any = None,
    quality: Any = None,
    provenance: Mapping[str, Any] | None = None,
    display: Mapping[str, str] | None = None,
    tz: str = "Asia/Seoul",
) -> str:
    """The analysis report of ``card`` as one self-contained HTML document.

    Parameters
    ----------
    card : the model's card (``model.card()``)
    lang : ``"ko"`` or ``"en"``
    title, model_name, version : shown in the heading
    dataset : the dataset's id or name (used for provenance when ``provenance`` has none)
    quality : a :class:`~openkamp.quality.QualityReport` of the training data, or a mapping of
        index name → value
    provenance : the registry's provenance record (``ModelVersion.provenance``): libraries,
        code version, dataset id, schema hash, creation time; current library versions otherwise
    display : column name → the name to show (보압 rather than hold_pressure), in ``lang``
    tz : the time zone times are shown in (the data's period)

    The main part speaks in words (target, data and period, protocol, verdict, figures,
    importance); hyper-parameters, the leaderboard and template details are in a folded
    appendix.
    """
    shown = dict(display or {})

    def name_of(column: Any) -> str:
        return shown.get(str(column), str(column))

    def feature_of(column: Any) -> str:
        return feature_label(str(column), card.task, lang, shown, card.method)

    if lang not in ("ko", "en"):
        raise ValueError(f"lang must be 'ko' or 'en', not {lang!r}")
    tx = _Text(lang)
    heading = title or tx("ml.report.title")
    sub = " · ".join(
        _e(s)
        for s in (
            model_name,
            None if version is None else f"{tx('ml.report.version')} {version}",
            tx(f"ml.task.{card.task}"),
        )
        if s
    )
    parts: list[str] = []

    def section(name: str, body: str) -> None:
        parts.append(f'<section id="{name}"><h2>{_e(tx(f"ml.report.{name}"))}</h2>{body}</section>')

    # 1 problem
    target = name_of(card.target) if card.target is not None else tx("ml.report.no_target")
    section(
        "problem",
        _kv(
            [(tx("ml.report.task"), tx(f"ml.task.{card.task}")), (tx("ml.report.target"), target)],
            tx,
        ),
    )
    # 2 data
    unit = tx(f"ml.unit.{card.rows_unit}")
    data_rows: list[tuple[str, Any]] = [
        (tx("ml.report.rows"), f"{card.rows:,} {unit}"),
        (tx("ml.report.features"), f"{len(card.features):,}: " + ", ".join(feature_of(f) for f in card.features[:40])
         + (" …" if len(card.features) > 40 else "")),
    ]  # fmt: skip
    if isinstance(dataset, Mapping):
        data_rows.extend(_data_in_words(dataset, tx, tz))
    elif dataset is not None:
        data_rows.append((tx("ml.report.dataset"), dataset))
    body = _kv(data_rows, tx)
    if card.dropped:
        body += f"<h3>{_e(tx('ml.report.dropped'))}</h3>" + _table(
            [tx("ml.report.column"), tx("ml.report.reason")],
            [[name_of(c), tx(str(r))] for c, r in card.dropped.items()],
        )
    body += _quality(quality, tx, name_of)
    section("data", body)
    # 3 method
    chosen = card.method.get("learner", card.method.get("detector", ""))
    body = (f"<p><strong>{_e(tx('ml.report.chosen'))}:</strong> {_e(_learner_said(chosen, tx))}</p>"
            if chosen not in ("", None) else "")  # fmt: skip
    body += f"<p>{_e(tx('ml.report.search_in_words', n=len(card.leaderboard)))}</p>"
    appendix = _kv([(str(k), v) for k, v in card.method.items()], tx, code=True)
    appendix += _leaderboard(card, tx)
    section("method", body)
    # 4 protocol
    keys = protocol_keys(card)
    # The protocol in the page's language; the template's English sentence (fold counts, seed)
    # only on English pages, and for protocols without a text.
    said = " ".join(tx(k) for k in keys) if keys else card.protocol
    if keys and lang == "en":
        said += f" ({card.protocol})"
    section(
        "protocol",
        f'<p>{_e(said)}</p><p class="note">{_e(tx("ml.report.validation_only"))}</p>',
    )
    # 5 results
    figures = "".join(
        f"<figure>{render_plot(_shown(p, name_of, feature_of), lang=lang, uid=f'plot-{i + 1}')}</figure>"
        for i, p in enumerate(card.plots)
    )
    body = _metric_cards(card, tx) + figures
    for w in card.warnings:
        body = (
            f'<p class="warning">{_e(tx(str(w["key"]), **dict(w.get("params") or {})))}</p>' + body
        )
    if card.verdict:
        body = (
            f'<p class="verdict verdict-{_e(card.verdict)}"><strong>{_e(tx(f"ml.verdict.{card.verdict}"))}</strong></p>'
            + body
        )
    if card.extra:
        rows = [
            (str(k), v)
            for k, v in card.extra.items()
            if not isinstance(v, list | dict) or len(v) <= 10
        ]
        if rows:
            appendix += f"<h3>{_e(tx('ml.report.extra'))}</h3>" + _kv(rows, tx, code=True)
    section("results", body)
    # 6 explanation
    imp = card.importance
    if imp is not None and len(imp):
        top = pd.Series(imp).head(20)
        body = f"<p>{_e(tx('ml.report.importance_note'))}</p>" + _table(
            [tx("ml.report.features"), tx("ml.report.value")],
            [[feature_of(k), charts.fmt(float(v))] for k, v in top.items()],
            {1},
        )
    else:
        body = f"<p>{_e(tx('ml.report.no_importance'))}</p>"
    section("explanation", body)
    # 7 limits
    items = "".join(f"<li>{_e(tx(str(k)))}</li>" for k in card.limits)
    section("limits", f"<ul>{items}</ul>" if items else f"<p>{_e(tx('ml.report.no_limits'))}</p>")
    parts.append(
        f'<section id="details"><h2>{_e(tx("ml.report.details"))}</h2>'
        f"<details><summary>{_e(tx('ml.report.details_open'))}</summary>{appendix}</details>"
        "</section>"
    )
    source = None if isinstance(dataset, Mapping) else dataset
    parts.append(
        f'<section id="provenance"><h2>{_e(tx("ml.report.provenance"))}</h2>'
        f"{_provenance(card, provenance, source, tx)}</section>"
    )
    toc = "".join(
        f'<li><a href="#{s}">{_e(tx(f"ml.report.{s}"))}</a></li>'
        for s in (*_SECTIONS, "details", "provenance")
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(heading)}</title><style>{_CSS}</style></head><body>"
        f'<header><h1>{_e(heading)}</h1><p class="sub">{sub}</p></header>'
        f"<nav><h2>{_e(tx('ml.report.contents'))}</h2><ol>{toc}</ol></nav>"
        + "".join(parts)
        + f"<footer>{_e(tx('ml.report.generated'))}</footer></body></html>\n"
    )


def _local(when: Any, tz: str) -> str | None:
    try:
        ts = pd.Timestamp(when)
    except (TypeError, ValueError):
        return None
    if pd.isna(ts):
        return None
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts
    return ts.tz_convert(tz).strftime("%Y-%m-%d %H:%M")


def _data_in_words(facts: Mapping[str, Any], tx: _Text, tz: str) -> list[tuple[str, Any]]:
    """Where the data came from and which period it covers, in local time (never a raw dict)."""
    rows: list[tuple[str, Any]] = []
    if facts.get("dataset"):
        rows.append((tx("ml.report.dataset"), str(facts["dataset"])))
    elif facts.get("equipment"):
        rows.append((tx("ml.report.source"), str(facts["equipment"])))
    first, last = _local(facts.get("first"), tz), _local(facts.get("last"), tz)
    if first and last:
        rows.append(
            (tx("ml.report.period"), tx("ml.report.period_value", first=first, last=last, tz=tz))
        )
    skipped = facts.get("unlabelled_rows")
    if isinstance(skipped, int) and skipped:
        rows.append((tx("ml.report.unlabelled"), f"{skipped:,}"))
    return rows


def _shown(plot: Plot, name_of: Any, feature_of: Any = None) -> Plot:
    """A plot whose column-name labels (importance bars, the settings an advice changes) are
    display names (features: :func:`feature_label`)."""
    if plot.x not in ("feature", "control") or plot.x not in plot.data.columns:
        return plot
    said = feature_of if plot.x == "feature" and feature_of is not None else name_of
    data = plot.data.assign(**{plot.x: plot.data[plot.x].map(said)})
    return Plot(
        plot.kind,
        plot.title,
        data,
        plot.x,
        list(plot.y),
        plot.hline,
        plot.hline_label,
        plot.diagonal,
    )
