"""Inline SVG charts: well-formed, accessible, escaped, robust to odd data, small and deterministic."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from openkamp import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def _texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]


def test_line_with_band_threshold_labels_and_hangul() -> None:
    x = np.arange(50.0)
    svg = charts.line(x, {"점수": np.sin(x)}, title="이상 점수 <검증>", desc="설명",
                      x_label="측정", y_label="점수", band=(np.sin(x) - 1, np.sin(x) + 1),
                      hline=0.5, hline_label="임계값")  # fmt: skip
    root = _parse(svg)
    assert root.find(f"{SVG}title").text == "이상 점수 <검증>"  # type: ignore[union-attr]
    texts = _texts(root)
    assert "측정" in texts and "점수" in texts and any(t.startswith("임계값") for t in texts)
    assert root.find(f".//{SVG}polygon") is not None and root.find(f".//{SVG}path") is not None
    assert "&lt;검증&gt;" in svg


def test_long_lines_are_reduced_but_keep_their_spikes() -> None:
    n = 100_000
    y = np.random.default_rng(0).normal(0, 1, n)
    y[12_345] = 50.0
    svg = charts.line(np.arange(n), {"v": y}, title="long")
    assert len(svg) < 40_000  # about two points per pixel column
    px, py = charts.downsample(np.arange(n, dtype=float), y, 500)
    assert len(px) <= 1000 and 50.0 in py and y.min() in py
    assert np.all(np.diff(px) >= 0)  # still in x order


def test_times_on_the_x_axis() -> None:
    t = pd.date_range("2026-03-02", periods=48, freq="1h", tz="Asia/Seoul")
    root = _parse(charts.line(t, {"a": np.arange(48.0)}, title="t"))
    assert any(":" in s for s in _texts(root))  # hour ticks in local time


@pytest.mark.parametrize(
    "make",
    [
        lambda: charts.line([], {}, title="e"),
        lambda: charts.line([1, 2, 3], {"a": [np.nan, np.inf, np.nan]}, title="e"),
        lambda: charts.line([1, 2, 3], {"a": [2.0, 2.0, 2.0]}, title="const"),
        lambda: charts.scatter([], [], title="e"),
        lambda: charts.scatter([1.0, 1.0], [1.0, 1.0], title="const", diagonal=True),
        lambda: charts.bar([], [], title="e"),
        lambda: charts.bar(["a", "b"], [np.nan, 2.0], title="nan"),
        lambda: charts.histogram([], title="e"),
        lambda: charts.histogram([3.0, 3.0, np.nan], title="const", marker=3.0),
        lambda: charts.heatmap(pd.DataFrame(), title="e"),
        lambda: charts.heatmap([[0, 0], [0, 0]], title="zeros"),
    ],
)
def test_odd_data_gives_a_valid_chart(make: object) -> None:
    _parse(make())  # type: ignore[operator]


def test_empty_chart_says_so() -> None:
    root = _parse(charts.line([], {}, title="e", empty="데이터 없음"))
    assert "데이터 없음" in _texts(root)


def test_scatter_bar_histogram_heatmap() -> None:
    rng = np.random.default_rng(1)
    sc = _parse(charts.scatter(np.arange(5000), np.arange(5000), title="s", diagonal=True,
                               max_points=300))  # fmt: skip
    assert len(list(sc.iter(f"{SVG}circle"))) == 300 and sc.find(f".//{SVG}line") is not None
    b = charts.bar(["<b>x&y</b>", "짧은 이름"], [0.6, 0.4], title="중요도")
    assert "<b>x&y</b>" not in b and "&lt;b&gt;x&amp;y&lt;/b&gt;" in b
    assert len(list(_parse(b).iter(f"{SVG}rect"))) >= 2
    h = _parse(charts.histogram(rng.random(600), groups=["OK"] * 500 + ["NG"] * 100, title="h",
                                marker=0.5, marker_label="thr"))  # fmt: skip
    texts = _texts(h)
    assert "OK" in texts and "NG" in texts and any(t.startswith("thr") for t in texts)
    m = _parse(charts.heatmap(pd.DataFrame([[90, 10], [5, 45]], index=["OK", "NG"],
                                           columns=["OK", "NG"]), title="cm"))  # fmt: skip
    texts = _texts(m)
    assert {"90", "10", "5", "45", "90%", "10%"} <= set(texts)
    with pytest.raises(ValueError):
        charts.scatter([1, 2], [1], title="bad")
    with pytest.raises(ValueError):
        charts.line([1, 2], {"a": [1]}, title="bad")


def test_output_is_deterministic() -> None:
    x = np.linspace(0, 10, 3000)
    a = charts.line(x, {"y": np.cos(x)}, title="d")
    assert a == charts.line(x, {"y": np.cos(x)}, title="d")
    assert 'id="plot-7-t"' in charts.line(x, {"y": np.cos(x)}, title="d", uid="plot-7")
