"""Anomaly detection over a metric's history (``DetectAnomalies``): a pure, documented algorithm.

Glue stores every ``DetectAnomalies`` evaluation and, "when there is enough data gathered", checks the
new value against what the history predicts, learning trends and seasonal (weekly) patterns. dea-etl does
the same with a small robust model a reader can follow:

1. **Too little history.** With fewer than :data:`MIN_POINTS` (3) earlier values the rule passes
   ("not enough history": the value is recorded and becomes training data).
2. **Training window.** The latest :data:`WINDOW` (30) earlier values.
3. **Seasonality (weekly).** When the runs are about daily (median gap between runs 12-36 hours), the
   window spans at least two weeks and at least :data:`MIN_POINTS` earlier runs fell on the current run's
   weekday (UTC), only those same-weekday runs are used: Mondays are compared with Mondays.
4. **Trend.** A Theil-Sen line through the points used, over their run order (x = 0, 1, ... for the
   earlier runs, the current run is the next x): slope the median of the pairwise slopes, intercept the
   median of ``value - slope * x``; robust to a few outliers in the history, and to irregular gaps
   between runs (a run after a long pause is still "the next run", not an extrapolation over weeks).
5. **Bounds.** ``predicted = line(next x)``; the spread is ``1.4826 * MAD`` of the residuals (a robust standard
   deviation); ``bounds = predicted +/- max(K * spread, 2 * max |residual|, TOLERANCE * |predicted|, 1e-9)``
   with ``K = 3``: the largest deviation already seen, doubled, is never an anomaly (with a few runs the
   MAD is often 0), and a 1 % tolerance keeps a perfectly constant history from flagging a rounding
   difference.
6. **Outcome.** The value is an anomaly (the rule fails) when it lies outside the bounds (inclusive bounds
   pass). The predicted value and the bounds are reported in EvaluatedMetrics.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

MIN_POINTS = 3
WINDOW = 30
K = 3.0
TOLERANCE = 0.01
MAD_TO_SD = 1.4826


@dataclass(frozen=True)
class AnomalyResult:
    anomaly: bool
    reason: str
    predicted: float | None = None
    lower: float | None = None
    upper: float | None = None
    points_used: int = 0
    seasonal: bool = False


def _is_daily(times: Sequence[datetime]) -> bool:
    gaps = [(b - a).total_seconds() / 3600 for a, b in itertools.pairwise(times)]
    return bool(gaps) and 12 <= statistics.median(gaps) <= 36


def seasonal_points(points: Sequence[tuple[datetime, float]], at: datetime) -> list[tuple[datetime, float]] | None:
    """The same-weekday points when the history is daily and spans two weeks; else None."""
    times = [t for t, _ in points]
    if len(points) < 2 or not _is_daily(times) or (at - times[0]).days < 14:
        return None
    same = [(t, v) for t, v in points if t.weekday() == at.weekday()]
    return same if len(same) >= MIN_POINTS else None


def theil_sen(xy: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """(slope, intercept) of the Theil-Sen line; slope 0 when all x are equal."""
    slopes = [(y2 - y1) / (x2 - x1) for i, (x1, y1) in enumerate(xy) for x2, y2 in xy[i + 1:] if x2 != x1]
    slope = statistics.median(slopes) if slopes else 0.0
    intercept = statistics.median(y - slope * x for x, y in xy)
    return slope, intercept


def detect(history: Sequence[tuple[datetime, float]], value: float, at: datetime) -> AnomalyResult:
    """Whether ``value`` (measured at ``at``) is an anomaly given the earlier ``(time, value)`` points."""
    points = sorted(history)[-WINDOW:]
    if len(points) < MIN_POINTS:
        return AnomalyResult(False, f"not enough history: {len(points)} earlier runs, {MIN_POINTS} needed",
                             points_used=len(points))
    same_day = seasonal_points(points, at)
    used = same_day or points
    xy = [(float(i), v) for i, (_, v) in enumerate(used)]
    slope, intercept = theil_sen(xy)
    predicted = intercept + slope * len(used)  # the next run
    residuals = [y - (intercept + slope * x) for x, y in xy]
    center = statistics.median(residuals)
    spread = MAD_TO_SD * statistics.median(abs(r - center) for r in residuals)
    half = max(K * spread, 2 * max(abs(r) for r in residuals), TOLERANCE * abs(predicted), 1e-9)
    lower, upper = predicted - half, predicted + half
    anomaly = not lower <= value <= upper
    reason = (f"value {value:.6g} outside the expected [{lower:.6g}, {upper:.6g}]" if anomaly
              else f"value {value:.6g} within the expected [{lower:.6g}, {upper:.6g}]")
    return AnomalyResult(anomaly, reason, predicted, lower, upper, len(used), same_day is not None)
