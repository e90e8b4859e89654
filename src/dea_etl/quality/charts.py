"""Inline SVG line charts of a metric over its runs, with the expected band (pure; no network, no script).

Every text that reaches the SVG is escaped; numbers are formatted by us, so a hostile metric name or rule
cannot inject markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 560, 200
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 28
LINE_COLOR = "#1f6fb4"
BAND_COLOR = "#2ca02c"
FAIL_COLOR = "#d62728"


@dataclass(frozen=True)
class Chart:
    """A metric's values over the runs (oldest first; the last one is this run) and this run's bounds."""

    metric: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    lower: float | None = None
    upper: float | None = None
    failed: bool = False


def _scale(lo: float, hi: float) -> tuple[float, float]:
    if hi - lo < 1e-12:
        pad = abs(hi) * 0.05 or 1.0
        return lo - pad, hi + pad
    pad = (hi - lo) * 0.08
    return lo - pad, hi + pad


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def svg(chart: Chart) -> str:
    """The chart as an ``<svg>`` element (empty string when there is no value)."""
    if not chart.values:
        return ""
    bounds = [b for b in (chart.lower, chart.upper) if b is not None]
    lo, hi = _scale(min([*chart.values, *bounds]), max([*chart.values, *bounds]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(chart.values)

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - lo) / (hi - lo))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(chart.metric)} over runs">',
             f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fafafa" stroke="#ccc"/>']
    if chart.lower is not None or chart.upper is not None:
        top = y(chart.upper) if chart.upper is not None else TOP
        bottom = y(chart.lower) if chart.lower is not None else TOP + plot_h
        parts.append(f'<rect class="band" x="{LEFT}" y="{top:.1f}" width="{plot_w}" '
                     f'height="{max(bottom - top, 1):.1f}" fill="{BAND_COLOR}" fill-opacity="0.25"/>')
        for b in bounds:
            parts.append(f'<line class="bound" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(b):.1f}" y2="{y(b):.1f}" '
                         f'stroke="{BAND_COLOR}" stroke-dasharray="4 3"/>')
    path = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(v):.1f}" for i, v in enumerate(chart.values))
    parts.append(f'<path class="series" d="{path}" fill="none" stroke="{LINE_COLOR}" stroke-width="3"/>')
    for i, v in enumerate(chart.values):
        last = i == n - 1
        color = FAIL_COLOR if last and chart.failed else LINE_COLOR
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="{5 if last else 3}" fill="{color}">'
                     f"<title>{escape(chart.labels[i])}: {_fmt(v)}</title></circle>")
    for v in (lo, hi):
        parts.append(f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11">{_fmt(v)}</text>')
    parts.append(f'<text x="{LEFT}" y="{HEIGHT - 8}" font-size="11">{escape(chart.labels[0])}</text>')
    parts.append(f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 8}" text-anchor="end" font-size="11">'
                 f"{escape(chart.labels[-1])}</text>")
    parts.append("</svg>")
    return "".join(parts)
