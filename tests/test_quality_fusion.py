"""CustomSql fused into the shared pass: only queries whose analyzed plan just filters ``primary``; the
fused form gives the outcome, metrics and row-level verdicts of the query run on its own."""

from __future__ import annotations

import datetime as dt

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F
from tests.spark_jobs import jobs_of

from dea_etl.quality import ROW_LEVEL_COLUMNS, evaluate, evaluate_rows, run_ruleset
from dea_etl.quality.groups import GroupRequest, group_values, grouping_sets_values
from dea_etl.quality.model import Condition, Op
from dea_etl.quality.predicates import value_predicate

SCHEMA = "id int, amount double, d date"
ROWS = [
    (1, 2.0, dt.date(2024, 1, 1)),
    (2, 0.5, dt.date(2024, 1, 2)),
    (3, None, dt.date(2024, 1, 3)),  # null predicate: the filter drops the row, so it does not pass
    (4, 3.0, None),
]
FUSED = 'CustomSql "select id from primary where amount > 1" with threshold > 0.4'
# The same rows selected by queries that are not a plain filter of primary (each runs as its own job):
UNFUSED = [
    'CustomSql "select id from primary where amount > 1 limit 100" with threshold > 0.4',
    'CustomSql "select distinct id from primary where amount > 1" with threshold > 0.4',
    'CustomSql "select id from primary where id in (select id from primary where amount > 1)" '
    "with threshold > 0.4",
]
OUTCOME_SCHEMA = "id int, DataQualityRulesPass array<string>, DataQualityRulesFail array<string>"


@pytest.fixture(scope="module")
def df(spark):
    return spark.createDataFrame(ROWS, SCHEMA)


def test_fused_custom_sql_has_the_outcome_of_the_query_run_alone(spark, df):
    ruleset = "Rules = [\n" + ",\n".join([FUSED, *UNFUSED]) + "\n]"
    rows = evaluate(df, ruleset).collect()
    expected = ("Passed", None, {"Dataset.*.CustomSQL.Compliance": 0.5})
    assert [(r["Outcome"], r["FailureReason"], r["EvaluatedMetrics"]) for r in rows] == [expected] * 4


def test_fused_custom_sql_fails_like_the_query_run_alone(df):
    strict = [r.replace("> 0.4", "= 1.0") for r in [FUSED, *UNFUSED]]
    rows = evaluate(df, "Rules = [\n" + ",\n".join(strict) + "\n]").collect()
    reason = "Value: 0.5 does not meet the constraint requirement."
    assert {(r["Outcome"], r["FailureReason"], r["EvaluatedMetrics"]["Dataset.*.CustomSQL.Compliance"])
            for r in rows} == {("Failed", reason, 0.5)}


def test_only_plain_filters_of_primary_join_the_shared_pass(spark, df):
    one_aggregate = jobs_of(spark, "fusion-baseline", lambda: df.agg(F.count(F.lit(1))).collect())
    fused = jobs_of(spark, "fusion-fused", lambda: run_ruleset(df, f"Rules = [ RowCount > 0, {FUSED} ]"))
    alone = jobs_of(spark, "fusion-alone", lambda: run_ruleset(df, f"Rules = [ RowCount > 0, {UNFUSED[0]} ]"))
    assert fused == one_aggregate
    assert alone > one_aggregate


COUNTED = 'CustomSql "select count(*) from primary where amount > 1" between 1 and 3'
# The same count by queries that are not count(1) over a plain filter of primary (each its own job):
UNCOUNTED = [
    'CustomSql "select count(amount) from primary where amount > 1" between 1 and 3',
    'CustomSql "select count(distinct id) from primary where amount > 1" between 1 and 3',
    'CustomSql "select count(*) from (select id from primary where amount > 1 limit 10)" between 1 and 3',
]


def test_a_fused_count_has_the_value_of_the_query_run_alone(spark, df):
    every_row = 'CustomSql "select count(*) from primary" = 4'
    failing = [r.replace("between 1 and 3", "> 2") for r in (COUNTED, UNCOUNTED[0])]
    rules = [COUNTED, *UNCOUNTED, every_row, *failing]
    rows = evaluate(df, "Rules = [\n" + ",\n".join(rules) + "\n]").collect()
    assert [(r["Outcome"], r["EvaluatedMetrics"]) for r in rows] == [
        *[("Passed", {"Dataset.*.CustomSQL": 2.0})] * 4, ("Passed", {"Dataset.*.CustomSQL": 4.0}),
        *[("Failed", {"Dataset.*.CustomSQL": 2.0})] * 2]
    assert rows[-2]["FailureReason"] == rows[-1]["FailureReason"] == "Value: 2 does not meet the constraint requirement."


def test_only_a_count_over_a_plain_filter_of_primary_joins_the_shared_pass(spark, df):
    one_aggregate = jobs_of(spark, "count-baseline", lambda: df.agg(F.count(F.lit(1))).collect())
    fused = jobs_of(spark, "count-fused", lambda: run_ruleset(df, f"Rules = [ RowCount > 0, {COUNTED} ]"))
    alone = [jobs_of(spark, f"count-alone-{i}", lambda r=r: run_ruleset(df, f"Rules = [ RowCount > 0, {r} ]"))
             for i, r in enumerate(UNCOUNTED)]
    assert fused == one_aggregate
    assert all(n > one_aggregate for n in alone)


def test_fused_custom_sql_row_level_null_predicate_fails(spark, df):
    actual = evaluate_rows(df, f"Rules = [ {FUSED} ]").select("id", *ROW_LEVEL_COLUMNS[:2])
    expected = spark.createDataFrame(
        [(1, [FUSED], []), (2, [], [FUSED]), (3, [], [FUSED]), (4, [FUSED], [])], OUTCOME_SCHEMA
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_day_and_whole_number_conditions_keep_their_meaning(spark, df):
    """Cheaper predicates (dates compared as dates, whole numbers exactly) on the edges and on nulls."""
    checks = {
        "after": value_predicate(F.col("d"), df.schema["d"].dataType, Condition(Op.GT, ("2024-01-02",))),
        "between": value_predicate(
            F.col("d"), df.schema["d"].dataType, Condition(Op.BETWEEN, ("2024-01-01", "2024-01-03"))),
        "in": value_predicate(F.col("id"), df.schema["id"].dataType, Condition(Op.IN, (1.0, 3.0))),
        "not in": value_predicate(F.col("id"), df.schema["id"].dataType, Condition(Op.IN, (1.0,), True)),
    }
    actual = df.select("id", *[c.alias(k) for k, c in checks.items()])
    expected = spark.createDataFrame(
        [(1, False, False, True, False), (2, False, True, False, True), (3, True, False, True, True),
         (4, False, False, False, True)],
        "id int, after boolean, between boolean, `in` boolean, `not in` boolean",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_grouping_sets_give_the_values_of_one_pass_per_column_set(spark):
    df = spark.createDataFrame(
        [(1, "a", 1), (2, "a", 1), (3, None, 2), (None, None, 2), (3, "b", None)], "k int, s string, n int"
    )
    reqs = [
        GroupRequest(("k",), None, "g0_"),
        GroupRequest(("s", "n"), None, "g1_"),
        GroupRequest(("s",), "n = 1", "g2_"),
        GroupRequest(("k",), "n > 5", "g3_"),  # no row inside: zero groups
    ]
    separate = {k: v for r in reqs for k, v in group_values(df, r).items()}
    assert grouping_sets_values(df, reqs) == pytest.approx(separate)
    assert separate["g3_distinct"] == 0 and separate["g2_distinct"] == 1


def test_column_sets_queried_apart_on_large_data_give_the_same_outcomes(spark, monkeypatch):
    """Above SEPARATE_GROUPS_ROWS each column set is a query of its own (side by side); below, one GROUPING
    SETS query: the outcomes are the same."""
    from dea_etl.quality import context, evaluate

    df = spark.createDataFrame(
        [(1, "a", 1), (2, "a", 1), (3, None, 2), (None, None, 2), (3, "b", None)], "k int, s string, n int"
    )
    ruleset = ('Rules = [ IsUnique "k", DistinctValuesCount "s" = 2, Entropy "n" > 0.5, '
               'UniqueValueRatio "s" < 1, IsPrimaryKey "k" "n", Uniqueness "n" > 0.1 where "k > 1" ]')
    one_query = evaluate(df, ruleset)
    monkeypatch.setattr(context, "SEPARATE_GROUPS_ROWS", 0)
    assert_df_equality(evaluate(df, ruleset), one_query, ignore_nullable=True)  # in ruleset order
