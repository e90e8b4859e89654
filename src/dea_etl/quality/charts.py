"""Inline SVG of the reports (pure; no network, no script): a metric's line chart over its runs, with the
expected band, and a column's small histogram.

A metric gets a line chart only when it has a history to show (:data:`MIN_POINTS` runs, this one included);
the report lists the others' values in a table. The value axis has "nice" ticks (steps of 1, 2 or 5 times a
power of ten, as Heckbert's "Nice numbers for graph labels") printed with as many decimals as the step needs,
so a tick reads ``4.5``, never ``4.44999``; both axes are labelled. Every text that reaches the SVG is
escaped; numbers are formatted by us, so a hostile metric name or rule cannot inject markup.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 560, 230
LEFT, RIGHT, TOP, BOTTOM = 84, 20, 14, 52
LINE_COLOR = "#1f6fb4"
BAND_COLOR = "#2ca02c"
FAIL_COLOR = "#d62728"
AXIS_COLOR = "#666"
#: Runs a metric needs (this one included) before it is drawn: fewer points show no trend.
MIN_POINTS = 3
#: The width of a character of the axes' text (11 px sans-serif, generous) and the room between two labels.
CHAR_WIDTH, LABEL_GAP = 6.6, 14.0


@dataclass(frozen=True)
class Chart:
    """A metric's values over the runs (oldest first; the last one is this run) and this run's bounds."""

    metric: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    lower: float | None = None
    upper: float | None = None
    failed: bool = False

    @property
    def drawn(self) -> bool:
        """Enough runs for a line (else the report shows the values in a table)."""
        return len(self.values) >= MIN_POINTS


def _nice(x: float, round_it: bool) -> float:
    """1, 2, 5 or 10 times a power of ten near ``x`` (> 0)."""
    exp = math.floor(math.log10(x))
    f = x / 10 ** exp
    if round_it:
        nf = 1 if f < 1.5 else 2 if f < 3 else 5 if f < 7 else 10
    else:
        nf = 1 if f <= 1 else 2 if f <= 2 else 5 if f <= 5 else 10
    return float(nf * 10.0 ** exp)


def nice_ticks(lo: float, hi: float, count: int = 5) -> tuple[list[float], float]:
    """Ticks covering ``[lo, hi]`` at a nice step, and the step."""
    if hi - lo < 1e-12 * max(abs(lo), abs(hi), 1.0):
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    step = _nice(_nice(hi - lo, False) / (count - 1), True)
    first = math.floor(lo / step + 1e-9) * step
    last = math.ceil(hi / step - 1e-9) * step
    return [first + i * step for i in range(round((last - first) / step) + 1)], step


def tick_label(value: float, step: float, biggest: float) -> str:
    """``value`` with the decimals ``step`` needs; with thousands separators, or a suffix from a million on
    (``2.5M``, ``1G``)."""
    scale, suffix = (1e9, "G") if biggest >= 1e9 else (1e6, "M") if biggest >= 1e6 else (1.0, "")
    decimals = max(-math.floor(math.log10(step / scale) + 1e-9), 0)
    scaled = round(value / scale, decimals)
    return f"{0.0 if scaled == 0 else scaled:,.{decimals}f}{suffix}"


def _x_ticks(positions: Sequence[float], labels: Sequence[str]) -> list[tuple[int, str]]:
    """The runs named under the chart and their labels' anchors: the first (from its point on) and the last (up
    to its point) always, the others (centred) where they fit between them."""
    last = len(positions) - 1
    if last == 0:
        return [(0, "middle")]

    def span(i: int, anchor: str) -> tuple[float, float]:
        w = len(labels[i]) * CHAR_WIDTH
        start = {"start": positions[i], "end": positions[i] - w, "middle": positions[i] - w / 2}[anchor]
        return start - LABEL_GAP / 2, start + w + LABEL_GAP / 2

    chosen = [(0, "start"), (last, "end")]
    if span(0, "start")[1] > span(last, "end")[0]:
        chosen = [(last, "end")]
    for i in range(1, last):
        lo, hi = span(i, "middle")
        if all(hi <= span(j, a)[0] or lo >= span(j, a)[1] for j, a in chosen):
            chosen.append((i, "middle"))
    return sorted(chosen)


def svg(chart: Chart) -> str:
    """The chart as an ``<svg>`` element (empty string when there is no value)."""
    if not chart.values:
        return ""
    bounds = [b for b in (chart.lower, chart.upper) if b is not None and math.isfinite(b)]
    low, high = min([*chart.values, *bounds]), max([*chart.values, *bounds])
    pad = (high - low) * 0.05  # no point on the frame
    ticks, step = nice_ticks(low - pad, high + pad)
    lo, hi = ticks[0], ticks[-1]
    biggest = max(abs(lo), abs(hi))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(chart.values)

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - lo) / (hi - lo))

    name = escape(chart.metric)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{name} over runs" font-size="11" '
             f'font-family="system-ui,sans-serif">',
             f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fafafa" stroke="#ccc"/>']
    for t in ticks:
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
                     f'stroke="#e4e4e4"/>')
        parts.append(f'<text class="ytick" x="{LEFT - 6}" y="{y(t) + 4:.1f}" text-anchor="end" fill="{AXIS_COLOR}">'
                     f"{tick_label(t, step, biggest)}</text>")
    if bounds:
        top = y(chart.upper) if chart.upper is not None else TOP
        bottom = y(chart.lower) if chart.lower is not None else TOP + plot_h
        parts.append(f'<rect class="band" x="{LEFT}" y="{top:.1f}" width="{plot_w}" '
                     f'height="{max(bottom - top, 1):.1f}" fill="{BAND_COLOR}" fill-opacity="0.18"/>')
        for b in bounds:
            parts.append(f'<line class="bound" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(b):.1f}" y2="{y(b):.1f}" '
                         f'stroke="{BAND_COLOR}" stroke-dasharray="4 3"/>')
    path = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for i, v in enumerate(chart.values))
    parts.append(f'<path class="series" d="{path}" fill="none" stroke="{LINE_COLOR}" stroke-width="3"/>')
    for i, v in enumerate(chart.values):
        last = i == n - 1
        color = FAIL_COLOR if last and chart.failed else LINE_COLOR
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="{5 if last else 3}" fill="{color}">'
                     f"<title>{escape(chart.labels[i])}: {v:.6g}</title></circle>")
    ticks_x = [x(i) for i in range(n)]
    for i, anchor in _x_ticks(ticks_x, chart.labels):
        parts.append(f'<text class="xtick" x="{ticks_x[i]:.1f}" y="{TOP + plot_h + 16}" text-anchor="{anchor}" '
                     f'fill="{AXIS_COLOR}">{escape(chart.labels[i])}</text>')
    parts.append(f'<text class="xlabel" x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle">'
                 f"run (evaluated at, UTC)</text>")
    parts.append(f'<text class="ylabel" transform="translate(14,{TOP + plot_h / 2:.1f}) rotate(-90)" '
                 f'text-anchor="middle">{escape(_short(chart.metric))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _short(metric: str) -> str:
    """The metric's last part (``Column.x.Completeness`` -> ``Completeness``): the chart's caption names it all."""
    return metric.rsplit(".", 1)[-1] if "." in metric else metric


HIST_WIDTH, HIST_HEIGHT = 132, 30


def histogram_svg(counts: Sequence[int], titles: Sequence[str]) -> str:
    """A column's histogram as small bars (one per bin; ``titles``: each bar's tooltip)."""
    if not counts:
        return ""
    top = max(counts) or 1
    w = HIST_WIDTH / len(counts)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="hist" width="{HIST_WIDTH}" height="{HIST_HEIGHT}" '
             f'viewBox="0 0 {HIST_WIDTH} {HIST_HEIGHT}" role="img" aria-label="histogram">',
             f'<line x1="0" x2="{HIST_WIDTH}" y1="{HIST_HEIGHT - 0.5}" y2="{HIST_HEIGHT - 0.5}" stroke="#bbb"/>']
    for i, (count, title) in enumerate(zip(counts, titles, strict=True)):
        h = 0.0 if count == 0 else max(HIST_HEIGHT * count / top, 1.5)
        parts.append(f'<rect x="{i * w + 0.5:.1f}" y="{HIST_HEIGHT - h:.1f}" width="{max(w - 1, 1):.1f}" '
                     f'height="{h:.1f}" fill="{LINE_COLOR}"><title>{escape(title)}</title></rect>')
    parts.append("</svg>")
    return "".join(parts)
