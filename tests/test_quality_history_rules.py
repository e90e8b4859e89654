"""Dynamic rules and DetectAnomalies evaluated on Spark against a metric history built from earlier runs;
Analyzers stored in the history."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from dea_etl.io.lake import Lake
from dea_etl.pipelines import data_quality
from dea_etl.quality import DqdlSyntaxError, evaluate, evaluate_rows, parse_ruleset
from dea_etl.quality.history import EMPTY, history_from_rows, load_history
from dea_etl.quality.rulesets import ruleset_from_text
from dea_etl.tables.seed import CUSTOMERS

T0 = datetime(2026, 11, 2, 6, tzinfo=UTC)


def _history(metric: str, values: list[float]):
    return history_from_rows([(metric, f"r{i}", T0 + timedelta(days=i), v) for i, v in enumerate(values)])


def _df(spark, rows: int, nulls: int = 0):
    data = [(i, None if i < nulls else float(i)) for i in range(rows)]
    return spark.createDataFrame(data, "id int, x double")


def _outcomes(spark, df, rules: str, history) -> list[tuple[str, str | None, dict[str, float]]]:
    rows = evaluate(df, rules, history=history).collect()
    return [(r["Outcome"], r["FailureReason"], dict(r["EvaluatedMetrics"])) for r in rows]


def test_rowcount_against_80_percent_of_the_average_of_the_last_runs(spark):
    history = _history("Dataset.*.RowCount", [10.0, 12.0, 8.0])  # avg 10 -> threshold 8
    rules = "Rules = [ RowCount > avg(last(10)) * 0.8 ]"
    [(passed, _, metrics)] = _outcomes(spark, _df(spark, 9), rules, history)
    assert passed == "Passed"
    assert metrics == {"Dataset.*.RowCount": 9.0, "Dataset.*.RowCount.LowerBound": pytest.approx(8.0)}
    [(failed, reason, _)] = _outcomes(spark, _df(spark, 8), rules, history)
    assert failed == "Failed" and "8" in reason


def test_mean_between_min_and_max_of_the_last_three(spark):
    history = _history("Column.x.Mean", [1.0, 5.0, 2.0, 3.0])  # last(3): 3, 2, 5 -> (2, 5) exclusive
    rules = 'Rules = [ Mean "x" between min(last(3)) and max(last(3)) ]'
    assert _outcomes(spark, _df(spark, 7), rules, history)[0][0] == "Passed"  # mean of 0..6 = 3
    assert _outcomes(spark, _df(spark, 3), rules, history)[0][0] == "Failed"  # mean 1


def test_first_run_without_history_compares_with_zero(spark):
    rules = "Rules = [ RowCount > avg(last(10)) * 0.8, RowCount > last() ]"
    assert [o[0] for o in _outcomes(spark, _df(spark, 1), rules, EMPTY)] == ["Passed", "Passed"]
    assert [o[0] for o in _outcomes(spark, _df(spark, 1), rules, None)] == ["Passed", "Passed"]


def test_a_dynamic_operand_that_cannot_be_evaluated_fails_the_rule_with_its_reason(spark):
    history = _history("Dataset.*.RowCount", [10.0])
    rules = ('Rules = [ RowCount > index(last(3), 2), RowCount > 1 / (last() - 10), '
             '(RowCount > 0) and (RowCount < max(last(5))) ]')
    outcomes = _outcomes(spark, _df(spark, 4), rules, history)
    assert [o[0] for o in outcomes] == ["Failed", "Failed", "Passed"]
    assert "index 2 is outside the 1 recorded values" in outcomes[0][1]
    assert "division by zero" in outcomes[1][1]


def test_invalid_dynamic_expressions_are_syntax_errors_with_a_position():
    with pytest.raises(DqdlSyntaxError, match="line 1, column 22: unknown function foo"):
        parse_ruleset("Rules = [ RowCount > foo(last(2)) ]")
    with pytest.raises(DqdlSyntaxError, match=r"last\(k\) takes one whole number"):
        parse_ruleset("Rules = [ RowCount > last(0) ]")
    # only rule types with a metric history take dynamic values (the reference's "Dynamic rule support?")
    with pytest.raises(DqdlSyntaxError, match="line 1, column 11: ColumnValues takes no dynamic value"):
        parse_ruleset('Rules = [ ColumnValues "x" > avg(last(2)) ]')
    with pytest.raises(DqdlSyntaxError, match="line 1, column 11: RowCountMatch takes no dynamic value"):
        parse_ruleset('Rules = [ RowCountMatch "ref" > avg(last(2)) ]')
    with pytest.raises(DqdlSyntaxError, match=r"ColumnValues takes no dynamic value .* in its threshold"):
        parse_ruleset('Rules = [ ColumnValues "x" > 0 with threshold > avg(last(2)) ]')


def test_detect_anomalies_on_rowcount_fails_on_a_drop_and_reports_the_bounds(spark):
    history = _history("Dataset.*.RowCount", [100.0, 102.0, 98.0, 101.0, 99.0])
    rules = 'Rules = [ DetectAnomalies "RowCount" ]'
    [(outcome, reason, metrics)] = _outcomes(spark, _df(spark, 60), rules, history)
    assert outcome == "Failed" and reason.startswith("Anomaly detected: value 60 outside the expected")
    assert metrics["Dataset.*.RowCount"] == 60.0
    assert metrics["Dataset.*.RowCount.LowerBound"] < 98.0 < 102.0 < metrics["Dataset.*.RowCount.UpperBound"]
    [(normal, none, _)] = _outcomes(spark, _df(spark, 100), rules, history)
    assert (normal, none) == ("Passed", None)


def test_detect_anomalies_on_a_column_statistic_and_with_too_little_history(spark):
    history = _history("Column.x.Completeness", [1.0, 1.0, 1.0, 1.0])
    rules = 'Rules = [ DetectAnomalies "Completeness" "x", DetectAnomalies "Mean" "x" ]'
    outcomes = _outcomes(spark, _df(spark, 10, nulls=5), rules, history)
    assert outcomes[0][0] == "Failed" and outcomes[0][2]["Column.x.Completeness"] == 0.5
    assert outcomes[1][0] == "Passed"  # no Mean history yet: recorded, not judged
    # dataset-level: an anomaly rule fails no row, it is listed as skipped on every row
    rows = evaluate_rows(_df(spark, 10, nulls=5), rules).collect()
    assert {tuple(r["DataQualityRulesFail"]) for r in rows} == {()}
    assert {tuple(r["DataQualityRulesSkip"]) for r in rows} == {
        ('DetectAnomalies "Completeness" "x"', 'DetectAnomalies "Mean" "x"')}


def test_detect_anomalies_on_column_length_watches_the_shortest_and_the_longest_value(spark):
    def lengths(lo: list[float], hi: list[float]):
        rows = [(m, f"r{i}", T0 + timedelta(days=i), v) for m, vs in
                (("Column.s.MinimumLength", lo), ("Column.s.MaximumLength", hi)) for i, v in enumerate(vs)]
        return history_from_rows(rows)

    history = lengths([3.0, 3.0, 4.0, 3.0, 3.0], [8.0, 9.0, 8.0, 8.0, 9.0])
    rules = 'Rules = [ DetectAnomalies "ColumnLength" "s" ]'
    usual = spark.createDataFrame([("abc",), ("abcdefgh",)], "s string")
    [(outcome, reason, metrics)] = _outcomes(spark, usual, rules, history)
    assert (outcome, reason) == ("Passed", None)
    assert (metrics["Column.s.MinimumLength"], metrics["Column.s.MaximumLength"]) == (3.0, 8.0)
    assert metrics["Column.s.MaximumLength.LowerBound"] <= 8.0 <= metrics["Column.s.MaximumLength.UpperBound"]
    assert "Column.s.MinimumLength.Predicted" in metrics
    too_long = spark.createDataFrame([("abc",), ("x" * 60,)], "s string")
    [(outcome, reason, _)] = _outcomes(spark, too_long, rules, history)
    assert outcome == "Failed" and reason.startswith("Anomaly detected: Column.s.MaximumLength: value 60")
    # dataset-level, as every DetectAnomalies: skipped on every row
    assert {tuple(r["DataQualityRulesSkip"]) for r in evaluate_rows(too_long, rules).collect()} == {
        ('DetectAnomalies "ColumnLength" "s"',)}


def test_detect_anomalies_on_column_values_watches_the_smallest_and_the_largest_value(spark):
    rows = [(m, f"r{i}", T0 + timedelta(days=i), v) for m, vs in
            (("Column.x.Minimum", [0.0, 0.0, 1.0, 0.0]), ("Column.x.Maximum", [9.0, 10.0, 9.0, 11.0]))
            for i, v in enumerate(vs)]
    history = history_from_rows(rows)
    rules = 'Rules = [ DetectAnomalies "ColumnValues" "x" ]'
    [(outcome, reason, metrics)] = _outcomes(spark, _df(spark, 10), rules, history)  # x = 0 .. 9
    assert (outcome, reason) == ("Passed", None)
    assert (metrics["Column.x.Minimum"], metrics["Column.x.Maximum"]) == (0.0, 9.0)
    assert {"Column.x.Minimum.LowerBound", "Column.x.Maximum.UpperBound"} <= set(metrics)
    [(outcome, reason, _)] = _outcomes(spark, _df(spark, 500), rules, history)  # x up to 499
    assert outcome == "Failed" and reason.startswith("Anomaly detected: Column.x.Maximum: value 499")
    assert {tuple(r["DataQualityRulesSkip"]) for r in evaluate_rows(_df(spark, 10), rules).collect()} == {
        ('DetectAnomalies "ColumnValues" "x"',)}


@pytest.mark.parametrize(("rule", "error"), [
    ('DetectAnomalies "RowCountMatch" "other"', "line 1, column 11: DetectAnomalies cannot watch 'RowCountMatch'"),
    ('DetectAnomalies "Nonsense"', "line 1, column 11: DetectAnomalies cannot watch 'Nonsense'"),
    ('DetectAnomalies "Completeness"', "line 1, column 11: DetectAnomalies 'Completeness' needs Completeness's"),
    ('(DetectAnomalies "RowCount") and (RowCount > 0)', "line 1, column 12: DetectAnomalies is a rule of its own"),
    ('DetectAnomalies "RowCount" > 1', "line 1, column 11: DetectAnomalies takes no condition"),
])
def test_detect_anomalies_needs_a_watchable_rule_and_stands_alone(rule, error):
    """Refused when the ruleset is parsed, before any data is read."""
    with pytest.raises(DqdlSyntaxError, match=error):
        parse_ruleset(f"Rules = [ {rule} ]")


def test_detect_anomalies_of_is_the_grammars_other_spelling(spark):
    history = _history("Dataset.*.RowCount", [10.0, 10.0, 10.0])
    rules = "Rules = [ DetectAnomalies of RowCount, DetectAnomalies \"RowCount\" ]"
    first, second = _outcomes(spark, _df(spark, 3), rules, history)
    assert first[0] == second[0] == "Failed" and first[2] == second[2]
    assert first[1].startswith("Anomaly detected: value 3 outside the expected")


def _customers(spark, lake: Lake, rows: int) -> None:
    data = [(i, f"F{i}", "L", "F L") for i in range(rows)]
    spark.createDataFrame(data, CUSTOMERS.processed_schema).write.mode("overwrite").parquet(
        lake.processed("customers"))


DYNAMIC = """# mode: fail
Rules = [ RowCount >= avg(last(3)) * 0.5, DetectAnomalies "RowCount" ]
Analyzers = [ Completeness "firstname", DistinctValuesCount "lastname" ]"""


def test_the_pipeline_step_reads_its_own_history_run_after_run(spark, tmp_path):
    from dea_etl.quality.gate import DataQualityError

    lake = Lake(str(tmp_path / "lake"))
    ruleset = ruleset_from_text("customers", DYNAMIC)
    for i, rows in enumerate([100, 101, 99, 100]):
        _customers(spark, lake, rows)
        data_quality.check_table(spark, lake, ruleset, f"run-{i}", {})
    _customers(spark, lake, 40)  # 40 >= 0.5 * avg(101, 99, 100) fails; and it is an anomaly
    with pytest.raises(DataQualityError, match="2 of 2 data-quality rules failed"):
        data_quality.check_table(spark, lake, ruleset, "run-4", {})
    history = load_history(spark, lake.root, "customers")
    assert history.values("Dataset.*.RowCount") == [100.0, 101.0, 99.0, 100.0, 40.0]
    # the analyzers' metrics are in the history too
    assert history.values("Column.firstname.Completeness") == [1.0] * 5
    assert history.values("Column.lastname.DistinctValuesCount") == [1.0] * 5


def test_all_statistics_analyzer_gathers_a_columns_metrics(spark):
    from dea_etl.quality import analyze

    df = spark.createDataFrame([(1, 2.0, "ab"), (2, 4.0, None), (3, 4.0, "abcd")], "id int, x double, s string")
    rows = analyze(df, 'Rules = [ RowCount > 0 ]\nAnalyzers = [ AllStatistics "x", AllStatistics "s" ]').collect()
    x, s = (dict(r["EvaluatedMetrics"]) for r in rows)
    assert x == pytest.approx({
        "Dataset.*.RowCount": 3.0, "Dataset.*.ColumnCount": 3.0, "Column.x.Completeness": 1.0,
        "Column.x.Uniqueness": 1 / 3,
        "Column.x.DistinctValuesCount": 2.0, "Column.x.UniqueValueRatio": 0.5,
        "Column.x.Entropy": -(1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3)),
        "Column.x.Mean": 10 / 3, "Column.x.Sum": 10.0,
        "Column.x.StandardDeviation": math.sqrt(((2 - 10 / 3) ** 2 + 2 * (4 - 10 / 3) ** 2) / 3),
        "Column.x.Minimum": 2.0, "Column.x.Maximum": 4.0,
    })
    assert s["Column.s.Completeness"] == pytest.approx(2 / 3)
    assert (s["Column.s.MinimumLength"], s["Column.s.MaximumLength"]) == (2.0, 4.0)
