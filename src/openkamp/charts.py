"""Small inline SVG charts with no dependencies: line, scatter, horizontal bar, histogram, heat map.

Every function returns one ``<svg>`` element as a string, ready to be written into an HTML page
(the analysis report, the web UI) with no script, font or image to load::

    from openkamp.charts import line
    svg = line(x, {"score": s}, hline=thr, hline_label="threshold", title="Anomaly score")

Conventions shared by all charts:

* **Accessible**: ``role="img"`` with ``<title>`` and ``<desc>`` (``aria-labelledby``), axis
  labels, tick labels in a font stack that covers Hangul.
* **Safe**: every piece of text is escaped; numbers are written with fixed precision.
* **Robust**: NaN and ±inf are skipped, empty data gives an empty frame with a note, constant
  data gets a padded axis. Nothing raises on odd data; wrong shapes raise ``ValueError``.
* **Small**: a line of more points than its width in pixels is reduced to the minimum and the
  maximum of each pixel column (spikes survive, a 100k-point line stays a few kB); scatters keep
  at most ``max_points`` evenly spaced points.
* **Deterministic**: the same input gives the same bytes (element ids come from ``uid`` or a hash
  of the title and data).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["PALETTE", "bar", "heatmap", "histogram", "line", "scatter"]

#: Okabe-Ito colours (distinguishable with colour-vision deficiencies).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
FONT = "'Noto Sans KR','Malgun Gothic','Apple SD Gothic Neo','Nanum Gothic',sans-serif"
_MARGIN = (40, 16, 48, 64)  # top, right, bottom, left


# --------------------------------------------------------------------------- helpers


def _esc(text: Any) -> str:
    return escape(str(text), quote=True)


def _num(v: float) -> str:
    """Coordinates: at most two decimals, no trailing zeros."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def fmt(v: float) -> str:
    """A readable tick or value label (4 significant digits, thousands separated)."""
    if v is None or not math.isfinite(v):
        return "–"
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1e6 or a < 1e-3:
        return f"{v:.3g}"
    if a >= 1000:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def _nice_step(span: float, n: int) -> float:
    raw = span / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw:
            return m * mag
    return 10 * mag


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    step = _nice_step(hi - lo, n)
    start = math.ceil(lo / step - 1e-9) * step
    out: list[float] = []
    v = start
    while v <= hi + step * 1e-9 and len(out) < 50:
        out.append(round(v, 12))
        v += step
    return out


def _domain(values: np.ndarray, *, include: Sequence[float] = ()) -> tuple[float, float]:
    """Padded (low, high) of the finite values and ``include``; constant data gets room."""
    v = values[np.isfinite(values)]
    extra = [float(x) for x in include if x is not None and math.isfinite(x)]
    if not len(v) and not extra:
        return 0.0, 1.0
    lo = min([float(v.min())] if len(v) else [], default=math.inf)
    hi = max([float(v.max())] if len(v) else [], default=-math.inf)
    lo, hi = min([lo, *extra]), max([hi, *extra])
    if hi == lo:
        pad = abs(lo) * 0.1 or 1.0
        return lo - pad, hi + pad
    pad = (hi - lo) * 0.04
    return lo - pad, hi + pad


def _floats(x: Any) -> tuple[np.ndarray, bool]:
    """(float array, whether the values were times); times become seconds since the epoch."""
    s = pd.Series(x) if not isinstance(x, pd.Series) else x
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(s):
        ns = pd.DatetimeIndex(s).as_unit("ns").asi8.astype(np.float64)
        ns[s.isna().to_numpy()] = np.nan
        return ns / 1e9, True
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan), False


def _time_label(seconds: float, span: float) -> str:
    ts = pd.Timestamp(seconds, unit="s")
    if span >= 3 * 86400:
        return ts.strftime("%m-%d")
    if span >= 86400:
        return ts.strftime("%m-%d %H:%M")
    return ts.strftime("%H:%M:%S" if span < 600 else "%H:%M")


def _uid(uid: str | None, *parts: Any) -> str:
    if uid:
        return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in uid)
    h = hashlib.sha1(repr(parts).encode("utf-8")).hexdigest()[:10]
    return f"c{h}"


class _Canvas:
    """Collects SVG elements in plot coordinates."""

    def __init__(self, width: int, height: int, title: str, desc: str, uid: str) -> None:
        self.w, self.h = width, height
        self.top, self.right, self.bottom, self.left = _MARGIN
        self.title, self.desc, self.uid = title, desc, uid
        self.parts: list[str] = []

    @property
    def pw(self) -> float:
        return self.w - self.left - self.right

    @property
    def ph(self) -> float:
        return self.h - self.top - self.bottom

    def add(self, element: str) -> None:
        self.parts.append(element)

    def text(self, x: float, y: float, s: str, *, anchor: str = "middle", size: int = 11,
             extra: str = "") -> None:  # fmt: skip
        self.add(
            f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" font-size="{size}"'
            f"{extra}>{_esc(s)}</text>"
        )

    def svg(self) -> str:
        t, d = f"{self.uid}-t", f"{self.uid}-d"
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {self.w} {self.h}"'
            f' width="{self.w}" height="{self.h}" role="img" aria-labelledby="{t} {d}"'
            f' font-family="{_esc(FONT)}" fill="#222">'
            f'<title id="{t}">{_esc(self.title)}</title><desc id="{d}">{_esc(self.desc)}</desc>'
            f'<rect width="{self.w}" height="{self.h}" fill="#fff"/>'
        )
        caption = (
            f'<text x="{_num(self.left)}" y="20" font-size="13" font-weight="bold">'
            f"{_esc(self.title)}</text>"
        )
        return head + caption + "".join(self.parts) + "</svg>"


class _Axes:
    """Linear scales from data to pixels, and the frame with ticks and labels."""

    def __init__(self, c: _Canvas, xd: tuple[float, float], yd: tuple[float, float]) -> None:
        self.c, self.xd, self.yd = c, xd, yd

    def x(self, v: np.ndarray | float) -> Any:
        lo, hi = self.xd
        return self.c.left + (np.asarray(v, dtype=np.float64) - lo) / (hi - lo) * self.c.pw

    def y(self, v: np.ndarray | float) -> Any:
        lo, hi = self.yd
        return (
            self.c.top + self.c.ph - (np.asarray(v, dtype=np.float64) - lo) / (hi - lo) * self.c.ph
        )

    def frame(self, x_label: str, y_label: str, *, x_time: bool = False,
              x_ticks: bool = True) -> None:  # fmt: skip
        c = self.c
        left, top, bottom = c.left, c.top, c.top + c.ph
        grid = []
        for v in _ticks(*self.yd):
            yy = float(self.y(v))
            grid.append(f'<line x1="{_num(left)}" x2="{_num(left + c.pw)}" y1="{_num(yy)}" '
                        f'y2="{_num(yy)}" stroke="#e5e5e5"/>')  # fmt: skip
            c.text(left - 6, yy + 4, fmt(v), anchor="end", size=10)
        if x_ticks:
            span = self.xd[1] - self.xd[0]
            for v in _ticks(*self.xd, n=4 if x_time else 6):
                xx = float(self.x(v))
                grid.append(f'<line x1="{_num(xx)}" x2="{_num(xx)}" y1="{_num(bottom)}" '
                            f'y2="{_num(bottom + 4)}" stroke="#888"/>')  # fmt: skip
                label = _time_label(v, span) if x_time else fmt(v)
                c.text(xx, bottom + 16, label, size=10)
        c.parts[:0] = grid
        c.add(
            f'<rect x="{_num(left)}" y="{_num(top)}" width="{_num(c.pw)}" height="{_num(c.ph)}" '
            'fill="none" stroke="#888"/>'
        )
        if x_label:
            c.text(left + c.pw / 2, c.h - 8, x_label, size=11)
        if y_label:
            cy = top + c.ph / 2
            c.text(14, cy, y_label, size=11, extra=f' transform="rotate(-90 14 {_num(cy)})"')

    def hline(self, v: float | None, label: str) -> None:
        if v is None or not math.isfinite(v):
            return
        c, yy = self.c, float(self.y(v))
        c.add(
            f'<line x1="{_num(c.left)}" x2="{_num(c.left + c.pw)}" y1="{_num(yy)}" y2="{_num(yy)}"'
            ' stroke="#D55E00" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        c.text(c.left + c.pw - 4, yy - 4, f"{label} {fmt(v)}".strip(), anchor="end", size=10,
               extra=' fill="#D55E00"')  # fmt: skip

    def vline(self, v: float | None, label: str) -> None:
        if v is None or not math.isfinite(v):
            return
        c, xx = self.c, float(self.x(v))
        c.add(
            f'<line x1="{_num(xx)}" x2="{_num(xx)}" y1="{_num(c.top)}" y2="{_num(c.top + c.ph)}"'
            ' stroke="#D55E00" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        c.text(xx + 4, c.top + 12, f"{label} {fmt(v)}".strip(), anchor="start", size=10,
               extra=' fill="#D55E00"')  # fmt: skip


def _legend(c: _Canvas, names: Sequence[str], colours: Sequence[str]) -> None:
    x = c.left + c.pw
    for name, colour in reversed(list(zip(names, colours, strict=True))):
        width = 14 + 7 * len(str(name))
        x -= width + 10
        c.add(f'<rect x="{_num(x)}" y="{c.top - 14}" width="10" height="10" fill="{colour}"/>')
        c.text(x + 14, c.top - 5, str(name), anchor="start", size=10)


def _empty(c: _Canvas, note: str) -> str:
    c.add(
        f'<rect x="{_num(c.left)}" y="{_num(c.top)}" width="{_num(c.pw)}" height="{_num(c.ph)}" '
        'fill="#fafafa" stroke="#ccc"/>'
    )
    c.text(c.left + c.pw / 2, c.top + c.ph / 2, note, size=12, extra=' fill="#777"')
    return c.svg()


def _path(px: np.ndarray, py: np.ndarray) -> str:
    """An SVG path through the points, broken where a coordinate is not finite."""
    ok = np.isfinite(px) & np.isfinite(py)
    out: list[str] = []
    pen_up = True
    for a, b, good in zip(px.tolist(), py.tolist(), ok.tolist(), strict=True):
        if not good:
            pen_up = True
            continue
        out.append(f"{'M' if pen_up else 'L'}{_num(a)} {_num(b)}")
        pen_up = False
    return "".join(out)


def downsample(x: np.ndarray, y: np.ndarray, buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """Minimum and maximum of ``y`` per bucket of ``x`` (sorted by x; NaNs dropped).

    Each bucket keeps its two extreme points in their original order, so spikes stay visible.
    """
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) <= 2 * buckets:
        return x, y
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    span = x[-1] - x[0]
    b = np.minimum(((x - x[0]) / span * buckets).astype(np.int64), buckets - 1)
    starts = np.flatnonzero(np.r_[True, b[1:] != b[:-1]])
    ends = np.r_[starts[1:], len(x)]
    # Position of the min and max inside each bucket, via a stable sort by (bucket, y).
    by = np.lexsort((y, b))
    i_min, i_max = by[starts], by[ends - 1]
    first, second = np.minimum(i_min, i_max), np.maximum(i_min, i_max)
    idx = np.column_stack([first, second]).ravel()
    idx = idx[np.r_[True, idx[1:] != idx[:-1]]]
    return x[idx], y[idx]


# --------------------------------------------------------------------------- charts


def line(
    x: Any,
    series: Mapping[str, Any],
    *,
    title: str,
    desc: str = "",
    x_label: str = "",
    y_label: str = "",
    band: tuple[Any, Any] | None = None,
    band_label: str = "",
    hline: float | None = None,
    hline_label: str = "",
    width: int = 640,
    height: int = 300,
    uid: str | None = None,
    empty: str = "no data",
) -> str:
    """Lines of each of ``series`` (name → values) against ``x`` (numbers or times).

    ``band`` (low, high) shades an interval; ``hline`` draws a dashed reference line (a
    threshold) labelled ``hline_label``. More points than pixels are reduced per pixel column.
    """
    xs, is_time = _floats(x)
    ys = {str(k): _floats(v)[0] for k, v in series.items()}
    for k, v in ys.items():
        if len(v) != len(xs):
            raise ValueError(f"series {k!r} has {len(v)} values for {len(xs)} x values")
    c = _Canvas(width, height, title, desc, _uid(uid, "line", title, len(xs)))
    lo_hi = [_floats(b)[0] for b in band] if band is not None else []
    finite_y = [v[np.isfinite(xs)] for v in [*ys.values(), *lo_hi]]
    all_y = np.concatenate(finite_y) if finite_y else np.empty(0)
    if not np.isfinite(xs).any() or not np.isfinite(all_y).any():
        return _empty(c, empty)
    ax = _Axes(c, _domain(xs), _domain(all_y, include=[] if hline is None else [hline]))
    buckets = max(int(c.pw), 10)
    if band is not None:
        bx, blo = downsample(xs, lo_hi[0], buckets)
        bx2, bhi = downsample(xs, lo_hi[1], buckets)
        pts = [f"{_num(a)},{_num(b)}" for a, b in zip(ax.x(bx), ax.y(blo), strict=True)]
        pts += [f"{_num(a)},{_num(b)}" for a, b in zip(ax.x(bx2)[::-1], ax.y(bhi)[::-1], strict=True)]  # fmt: skip
        if pts:
            c.add(f'<polygon points="{" ".join(pts)}" fill="#0072B2" fill-opacity="0.15"/>')
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(ys))]
    for (_name, v), colour in zip(ys.items(), colours, strict=True):
        if len(xs) > 2 * buckets:
            px, py = downsample(xs, v, buckets)
        else:
            px, py = xs, v
        d = _path(ax.x(px), ax.y(py))
        if d:
            c.add(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
    ax.hline(hline, hline_label)
    ax.frame(x_label, y_label, x_time=is_time)
    names, cols = list(ys), colours
    if band is not None and band_label:
        names, cols = [*names, band_label], [*cols, "#B3D4EA"]
    if len(names) > 1:
        _legend(c, names, cols)
    return c.svg()


def scatter(
    x: Any,
    y: Any,
    *,
    title: str,
    desc: str = "",
    x_label: str = "",
    y_label: str = "",
    diagonal: bool = False,
    width: int = 420,
    height: int = 380,
    max_points: int = 2000,
    uid: str | None = None,
    empty: str = "no data",
) -> str:
    """Points (``x``, ``y``); ``diagonal`` draws y = x (predicted against true, calibration)."""
    xs, ys = _floats(x)[0], _floats(y)[0]
    if len(xs) != len(ys):
        raise ValueError(f"x has {len(xs)} values, y {len(ys)}")
    c = _Canvas(width, height, title, desc, _uid(uid, "scatter", title, len(xs)))
    ok = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[ok], ys[ok]
    if not len(xs):
        return _empty(c, empty)
    if len(xs) > max_points:  # evenly spaced, deterministic
        keep = np.linspace(0, len(xs) - 1, max_points).round().astype(int)
        xs, ys = xs[keep], ys[keep]
    if diagonal:  # one domain for both axes so the diagonal is at 45 degrees
        both = _domain(np.r_[xs, ys])
        ax = _Axes(c, both, both)
        a, b = both
        c.add(
            f'<line x1="{_num(float(ax.x(a)))}" y1="{_num(float(ax.y(a)))}" '
            f'x2="{_num(float(ax.x(b)))}" y2="{_num(float(ax.y(b)))}" stroke="#999" '
            'stroke-dasharray="4 4"/>'
        )
    else:
        ax = _Axes(c, _domain(xs), _domain(ys))
    r = 3.0 if len(xs) <= 300 else 2.0
    dots = "".join(
        f'<circle cx="{_num(a)}" cy="{_num(b)}" r="{r:g}"/>'
        for a, b in zip(ax.x(xs).tolist(), ax.y(ys).tolist(), strict=True)
    )
    c.add(f'<g fill="#0072B2" fill-opacity="0.6">{dots}</g>')
    ax.frame(x_label, y_label)
    return c.svg()


def bar(
    labels: Sequence[Any],
    values: Any,
    *,
    title: str,
    desc: str = "",
    x_label: str = "",
    width: int = 640,
    uid: str | None = None,
    empty: str = "no data",
) -> str:
    """Horizontal bars, one per label, in the order given (put the largest first)."""
    vals = _floats(values)[0]
    names = [str(v) for v in labels]
    if len(names) != len(vals):
        raise ValueError(f"{len(names)} labels for {len(vals)} values")
    row = 22
    height = _MARGIN[0] + _MARGIN[2] + max(len(names), 1) * row
    c = _Canvas(width, height, title, desc, _uid(uid, "bar", title, names))
    longest = max((len(n) for n in names), default=0)
    c.left = int(min(max(64, 8 + 7 * longest), width * 0.45))
    if not len(vals) or not np.isfinite(vals).any():
        return _empty(c, empty)
    ax = _Axes(c, _domain(vals, include=[0.0]), (0.0, 1.0))
    zero = float(ax.x(0.0))
    max_chars = max(4, int((c.left - 8) / 7))
    for i, (name, v) in enumerate(zip(names, vals.tolist(), strict=True)):
        y0 = c.top + i * row + 3
        shown = name if len(name) <= max_chars else name[: max_chars - 1] + "…"
        c.add(
            f'<text x="{_num(c.left - 6)}" y="{_num(y0 + 12)}" text-anchor="end" font-size="10">'
            f"<title>{_esc(name)}</title>{_esc(shown)}</text>"
        )
        if not math.isfinite(v):
            continue
        x1 = float(ax.x(v))
        c.add(
            f'<rect x="{_num(min(zero, x1))}" y="{_num(y0)}" width="{_num(abs(x1 - zero))}" '
            f'height="{row - 6}" fill="#0072B2"><title>{_esc(name)}: {_esc(fmt(v))}</title></rect>'
        )
    c.add(f'<line x1="{_num(zero)}" x2="{_num(zero)}" y1="{c.top}" y2="{_num(c.top + c.ph)}" '
          'stroke="#444"/>')  # fmt: skip
    # x ticks only (the y axis holds the labels)
    bottom = c.top + c.ph
    for v in _ticks(*ax.xd):
        xx = float(ax.x(v))
        c.add(f'<line x1="{_num(xx)}" x2="{_num(xx)}" y1="{_num(bottom)}" y2="{_num(bottom + 4)}" '
              'stroke="#888"/>')  # fmt: skip
        c.text(xx, bottom + 16, fmt(v), size=10)
    if x_label:
        c.text(c.left + c.pw / 2, c.h - 8, x_label)
    return c.svg()


def histogram(
    values: Any,
    *,
    title: str,
    desc: str = "",
    x_label: str = "",
    y_label: str = "",
    groups: Any = None,
    bins: int = 30,
    marker: float | None = None,
    marker_label: str = "",
    width: int = 640,
    height: int = 300,
    uid: str | None = None,
    empty: str = "no data",
) -> str:
    """Counts of ``values`` in ``bins`` equal bins, one outlined colour per group when
    ``groups`` (same length) is given; ``marker`` draws a vertical reference line (a threshold).
    """
    vals = _floats(values)[0]
    c = _Canvas(width, height, title, desc, _uid(uid, "hist", title, len(vals)))
    if groups is not None:
        g = pd.Series(groups).astype(str).to_numpy()
        if len(g) != len(vals):
            raise ValueError(f"{len(g)} groups for {len(vals)} values")
    else:
        g = np.full(len(vals), "")
    ok = np.isfinite(vals)
    vals, g = vals[ok], g[ok]
    if not len(vals):
        return _empty(c, empty)
    lo, hi = float(vals.min()), float(vals.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, max(int(bins), 1) + 1)
    names = sorted(set(g.tolist()))
    counts = {n: np.histogram(vals[g == n], bins=edges)[0] for n in names}
    top = max(int(cnt.max()) for cnt in counts.values())
    ax = _Axes(
        c, _domain(edges, include=[] if marker is None else [marker]), (0.0, top * 1.08 or 1)
    )
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(names))]
    for name, colour in zip(names, colours, strict=True):
        cnt = counts[name]
        rects = "".join(
            f'<rect x="{_num(float(ax.x(a)))}" y="{_num(float(ax.y(k)))}" '
            f'width="{_num(max(float(ax.x(b) - ax.x(a)) - 0.5, 0.5))}" '
            f'height="{_num(float(ax.y(0) - ax.y(k)))}"/>'
            for a, b, k in zip(edges[:-1].tolist(), edges[1:].tolist(), cnt.tolist(), strict=True)
            if k > 0
        )
        opacity = "0.45" if len(names) > 1 else "0.85"
        c.add(f'<g fill="{colour}" fill-opacity="{opacity}" stroke="{colour}">{rects}</g>')
    ax.vline(marker, marker_label)
    ax.frame(x_label, y_label)
    if len(names) > 1:
        _legend(c, names, colours)
    return c.svg()


def heatmap(
    matrix: Any,
    *,
    title: str,
    row_labels: Sequence[Any] | None = None,
    col_labels: Sequence[Any] | None = None,
    desc: str = "",
    x_label: str = "",
    y_label: str = "",
    normalise_rows: bool = True,
    uid: str | None = None,
    empty: str = "no data",
) -> str:
    """A table of counts as coloured cells (a confusion matrix: rows true, columns predicted).

    Cell colour is the share of its row (``normalise_rows``) or of the largest cell; each cell
    shows its count and, with ``normalise_rows``, its row share.
    """
    m = pd.DataFrame(matrix)
    rows = [str(r) for r in (row_labels if row_labels is not None else m.index)]
    cols = [str(r) for r in (col_labels if col_labels is not None else m.columns)]
    vals = m.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
    if vals.shape != (len(rows), len(cols)):
        raise ValueError(f"{vals.shape} matrix for {len(rows)} × {len(cols)} labels")
    cell = 64 if max(len(rows), len(cols)) <= 6 else max(24, 384 // max(len(rows), len(cols)))
    longest = max((len(r) for r in rows), default=1)
    left = int(min(max(72, 10 + 7 * longest), 200))
    width = left + cell * max(len(cols), 1) + 20
    height = 40 + 20 + cell * max(len(rows), 1) + 40
    c = _Canvas(width, height, title, desc, _uid(uid, "matrix", title, rows, cols))
    c.left, c.top, c.right = left, 60, 20
    if not vals.size or not np.isfinite(vals).any():
        return _empty(c, empty)
    with np.errstate(invalid="ignore", divide="ignore"):
        if normalise_rows:
            share = vals / np.nansum(vals, axis=1, keepdims=True)
        else:
            share = vals / np.nanmax(vals)
    share = np.nan_to_num(share, nan=0.0)
    for j, name in enumerate(cols):
        c.text(left + (j + 0.5) * cell, c.top - 6, name[:12], size=10)
    for i, name in enumerate(rows):
        y0 = c.top + i * cell
        c.text(left - 6, y0 + cell / 2 + 4, name[:28], anchor="end", size=10)
        for j in range(len(cols)):
            s = float(share[i, j])
            v = vals[i, j]
            # White to the palette's blue (#0072B2) by share.
            r, gr, bl = (round(255 - s * (255 - k)) for k in (0, 114, 178))
            fill = f"rgb({r},{gr},{bl})"
            c.add(
                f'<rect x="{_num(left + j * cell)}" y="{_num(y0)}" width="{cell}" height="{cell}" '
                f'fill="{fill}" stroke="#fff"/>'
            )
            label = fmt(float(v)) if math.isfinite(v) else "–"
            colour = ' fill="#fff"' if s > 0.55 else ""
            c.text(left + (j + 0.5) * cell, y0 + cell / 2 + (0 if normalise_rows else 4), label,
                   size=12, extra=colour)  # fmt: skip
            if normalise_rows and cell >= 40:
                c.text(left + (j + 0.5) * cell, y0 + cell / 2 + 14, f"{s:.0%}", size=9,
                       extra=colour)  # fmt: skip
    if x_label:
        c.text(left + cell * len(cols) / 2, 34, x_label, size=11)
    if y_label:
        cy = c.top + cell * len(rows) / 2
        c.text(14, cy, y_label, size=11, extra=f' transform="rotate(-90 14 {_num(cy)})"')
    return c.svg()
