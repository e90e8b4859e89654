"""Dynamic-rule functions and anomaly detection over a metric history (pure functions, no Spark)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dea_etl.quality.anomaly import MIN_POINTS, detect, theil_sen
from dea_etl.quality.dynamic import BinOp, Call, DynamicRuleError, Last, Num, evaluate, is_dynamic, last, threshold

#: RowCount of five earlier runs, oldest first.
RUNS = [100.0, 110.0, 90.0, 120.0, 130.0]


def test_last_is_the_k_newest_values_newest_first() -> None:
    assert last(RUNS, 3) == (130.0, 120.0, 90.0)
    assert last(RUNS) == (130.0,)


def test_last_with_fewer_runs_than_k_is_all_of_them_and_with_none_is_zero() -> None:
    assert last(RUNS, 10) == (130.0, 120.0, 90.0, 110.0, 100.0)
    assert last([], 10) == (0.0,)
    with pytest.raises(DynamicRuleError, match="k >= 1"):
        last(RUNS, 0)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("avg", (130 + 120 + 90) / 3), ("min", 90.0), ("max", 130.0), ("sum", 340.0), ("median", 120.0),
     # population standard deviation of 130, 120, 90 (mean 113.33...)
     ("std", ((16.6667**2 + 6.6667**2 + 23.3333**2) / 3) ** 0.5)],
)
def test_reducers_over_last_3(name: str, expected: float) -> None:
    assert threshold(Call(name, (Last(3),)), RUNS) == pytest.approx(expected, rel=1e-4)


def test_index_picks_the_ith_newest_and_rejects_a_position_past_the_end() -> None:
    assert threshold(Call("index", (Last(3), Num(0))), RUNS) == 130.0
    assert threshold(Call("index", (Last(3), Num(2))), RUNS) == 90.0
    with pytest.raises(DynamicRuleError, match="outside the 3 recorded values"):
        threshold(Call("index", (Last(3), Num(3))), RUNS)


def test_arithmetic_over_functions_as_in_rowcount_above_80_percent_of_the_average() -> None:
    # RowCount > avg(last(10)) * 0.8 with the five runs: avg 110 -> 88
    expr = BinOp("*", Call("avg", (Last(10),)), Num(0.8))
    assert threshold(expr, RUNS) == pytest.approx(88.0)
    assert is_dynamic(expr) and not is_dynamic(BinOp("+", Num(1), Num(2)))
    assert threshold(BinOp("-", Call("max", (Last(3),)), Call("abs", (Num(-5),))), RUNS) == 125.0
    # first run: no history -> last() is 0.0, so the threshold is 0 and any positive count passes
    assert threshold(expr, []) == 0.0


def test_a_list_where_a_number_is_expected_or_a_division_by_zero_is_an_error() -> None:
    with pytest.raises(DynamicRuleError, match="list of 3 values"):
        threshold(Last(3), RUNS)
    with pytest.raises(DynamicRuleError, match="division by zero"):
        threshold(BinOp("/", Num(1), Call("min", (Last(1),))), [0.0])
    with pytest.raises(DynamicRuleError, match="unknown function"):
        evaluate(Call("mode", (Last(3),)), RUNS)


T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)  # a Monday


def _daily(values: list[float]) -> list[tuple[datetime, float]]:
    return [(T0 + timedelta(days=i), v) for i, v in enumerate(values)]


def test_too_little_history_passes_and_says_so() -> None:
    result = detect(_daily([100.0, 101.0]), 5000.0, T0 + timedelta(days=2))
    assert not result.anomaly
    assert f"{MIN_POINTS} needed" in result.reason and result.lower is None


def test_a_drop_from_a_steady_history_is_an_anomaly_and_normal_noise_is_not() -> None:
    history = _daily([1000.0, 1010.0, 990.0, 1005.0, 995.0, 1002.0, 998.0])
    at = T0 + timedelta(days=7)
    normal = detect(history, 1003.0, at)
    assert not normal.anomaly and normal.lower is not None and normal.upper is not None
    assert normal.lower < 1000.0 < normal.upper
    drop = detect(history, 750.0, at)  # a store's extract silently missing: -25 %
    assert drop.anomaly and "outside the expected" in drop.reason
    assert not drop.seasonal


def test_a_steady_trend_is_followed() -> None:
    history = _daily([100.0 + 10 * i for i in range(10)])  # +10 a day
    slope, intercept = theil_sen([(float(i), 100.0 + 10 * i) for i in range(10)])
    assert (slope, intercept) == (pytest.approx(10.0), pytest.approx(100.0))
    at = T0 + timedelta(days=10)
    assert not detect(history, 200.0, at).anomaly  # on the line
    assert detect(history, 140.0, at).anomaly  # the mean of the history, but far off the trend


def test_weekly_seasonality_compares_a_weekday_with_the_same_weekday() -> None:
    # weekends are low (200), weekdays high (1000): 4 weeks of daily runs
    values = [200.0 if (T0 + timedelta(days=i)).weekday() >= 5 else 1000.0 for i in range(28)]
    history = _daily(values)
    saturday = T0 + timedelta(days=33)
    assert saturday.weekday() == 5
    result = detect(history, 201.0, saturday)
    assert result.seasonal and not result.anomaly
    assert detect(history, 1000.0, saturday).anomaly  # a weekday volume on a Saturday
    assert detect(history, 200.0, saturday + timedelta(days=2)).anomaly  # a Saturday volume on a Monday


def test_a_constant_history_tolerates_one_percent() -> None:
    history = _daily([500.0] * 5)
    at = T0 + timedelta(days=5)
    assert not detect(history, 504.0, at).anomaly
    assert detect(history, 510.0, at).anomaly
