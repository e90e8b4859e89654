"""Each DQDL rule type evaluated natively, passing and failing, nulls included (chispa on ruleOutcomes)."""

from __future__ import annotations

import datetime as dt

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F
from pyspark.sql.types import StructType
from tests.spark_jobs import jobs_of

from dea_etl.quality import RULE_OUTCOMES_SCHEMA, evaluate, run_ruleset

SCHEMA = "id int, name string, amount double, qty int, d date, code string"
ROWS = [
    (1, "alice", 0.0, 1, dt.date(2024, 1, 1), "A"),
    (2, "bob", 0.0, 2, dt.date(2024, 1, 2), "B"),
    (3, "bob", 3.0, 3, None, "  "),
    (4, None, None, 4, dt.date(2024, 1, 4), ""),
]
P, F_ = "Passed", "Failed"


def _value(v: str, failed: str, of: str = "4") -> str:
    return f"Value: {v} does not meet the constraint requirement ({failed} of {of} rows failed)."


def _plain(v: str) -> str:
    return f"Value: {v} does not meet the constraint requirement."


# (rule, outcome, reason, metrics) written by hand from ROWS.
EXPECTED = [
    ("RowCount = 4", P, None, {"Dataset.*.RowCount": 4.0}),
    ("RowCount between 4 and 10", F_, _plain("4"), {"Dataset.*.RowCount": 4.0}),
    ("ColumnCount = 6", P, None, {"Dataset.*.ColumnCount": 6.0}),
    ('Completeness "name" > 0.7', P, None, {"Column.name.Completeness": 0.75}),
    ('Completeness "name" > 0.8', F_, _value("0.75", "1"), {"Column.name.Completeness": 0.75}),
    ('IsComplete "id"', P, None, {"Column.id.Completeness": 1.0}),
    ('IsComplete "name"', F_, _value("0.75", "1"), {"Column.name.Completeness": 0.75}),
    ('IsComplete "name" where "qty < 4"', P, None, {"Column.name.Completeness": 1.0}),
    ('IsUnique "id"', P, None, {"Column.id.Uniqueness": 1.0}),
    # uniqueness-type rules leave the null row out (as Deequ): alice once, bob twice
    ('IsUnique "name"', F_, _plain("0.333333"), {"Column.name.Uniqueness": 0.333333}),
    ('Uniqueness "name" < 0.5', P, None, {"Column.name.Uniqueness": 0.333333}),
    ('Uniqueness "name" "code" = 1.0', P, None, {"Multicolumn.name,code.Uniqueness": 1.0}),
    ('IsPrimaryKey "id"', P, None, {"Column.id.Uniqueness": 1.0, "Column.id.Completeness": 1.0}),
    (
        'IsPrimaryKey "name"',
        F_,
        _plain("0.333333"),
        {"Column.name.Uniqueness": 0.333333, "Column.name.Completeness": 0.75},
    ),
    ('Entropy "name" > 0.6', P, None, {"Column.name.Entropy": 0.636514}),  # -(1/3 ln 1/3 + 2/3 ln 2/3)
    ('DistinctValuesCount "name" = 3', P, None, {"Column.name.DistinctValuesCount": 3.0}),  # null counts
    ('UniqueValueRatio "name" = 0.5', P, None, {"Column.name.UniqueValueRatio": 0.5}),
    ('Mean "amount" = 1', P, None, {"Column.amount.Mean": 1.0}),
    ('Sum "amount" > 5', F_, _plain("3"), {"Column.amount.Sum": 3.0}),
    ('StandardDeviation "amount" < 1.5', P, None, {"Column.amount.StandardDeviation": 1.414214}),
    ('Variance "amount" = 2', P, None, {"Column.amount.Variance": 2.0}),
    ('ColumnCorrelation "id" "amount" > 0.8', P, None, {"Multicolumn.id,amount.ColumnCorrelation": 0.866025}),
    ('ColumnValues "qty" > 0', P, None, {"Column.qty.Minimum": 1.0}),
    ('ColumnValues "amount" >= 0', F_, _value("0.75", "1"), {"Column.amount.Minimum": 0.0}),
    (
        'ColumnValues "qty" between 1 and 4',
        F_,
        _value("0.5", "2"),
        {"Column.qty.ColumnValues.Compliance": 0.5},
    ),
    (
        'ColumnValues "code" in ["A", "B"]',
        F_,
        _value("0.5", "2"),
        {"Column.code.ColumnValues.Compliance": 0.5},
    ),
    (
        'ColumnValues "code" in ["A", "B", EMPTY, WHITESPACES_ONLY]',
        P,
        None,
        {"Column.code.ColumnValues.Compliance": 1.0},
    ),
    (
        'ColumnValues "name" matches "[a-z]+" with threshold > 0.7',
        P,
        None,
        {"Column.name.PatternMatch": 0.75},
    ),
    ('ColumnValues "name" != "bob"', F_, _value("0.5", "2"), {"Column.name.ColumnValues.Compliance": 0.5}),
    (
        'ColumnValues "name" not in ["bob", NULL]',
        F_,
        _value("0.25", "3"),
        {"Column.name.ColumnValues.Compliance": 0.25},
    ),
    ('ColumnValues "d" <= now()', F_, _value("0.75", "1"), {"Column.d.ColumnValues.Compliance": 0.75}),
    (
        'ColumnValues "d" > "2024-01-01" with threshold >= 0.5',
        P,
        None,
        {"Column.d.ColumnValues.Compliance": 0.5},
    ),
    (
        'ColumnValues "d" > (now() - 36500 days)',
        F_,
        _value("0.75", "1"),
        {"Column.d.ColumnValues.Compliance": 0.75},
    ),
    # no "with threshold": rules-config.json does not give DataFreshness one (AWS's parser refuses it)
    ('DataFreshness "d" > 1 days', F_, "75.00% of rows passed", {"Column.d.DataFreshness.Compliance": 0.75}),
    ('DataFreshness "d" <= 24 hours', F_, "0.00% of rows passed", {"Column.d.DataFreshness.Compliance": 0.0}),
    ('ColumnDataType "code" = "STRING"', P, None, {"Column.code.ColumnDataType.Compliance": 1.0}),
    (
        'ColumnDataType "name" = "INTEGER"',
        F_,
        _value("0", "4"),
        {"Column.name.ColumnDataType.Compliance": 0.0},
    ),
    (
        'ColumnLength "name" between 2 and 6',  # the null name fails as a 0-length string (Glue's reference)
        F_,
        _value("0.75", "1"),
        {"Column.name.MinimumLength": 3.0, "Column.name.MaximumLength": 5.0},  # of the values
    ),
    (
        'ColumnLength "code" = 1',
        F_,
        _value("0.5", "2"),
        {"Column.code.MinimumLength": 0.0, "Column.code.MaximumLength": 2.0},
    ),
    ('ColumnExists "qty"', P, None, {"Dataset.qty.ColumnExists": 1.0}),
    ('ColumnExists "nope"', F_, _plain("0"), {"Dataset.nope.ColumnExists": 0.0}),
    ('ColumnNamesMatchPattern "^[a-z]+$"', P, None, {"Dataset.*.ColumnNamesPatternMatchRatio": 1.0}),
    (
        'ColumnNamesMatchPattern "^q"',
        F_,
        "Columns that do not match the pattern: id, name, amount, d, code",
        {"Dataset.*.ColumnNamesPatternMatchRatio": 0.166667},
    ),
    ('CustomSql "select count(*) from primary where qty > 2" = 2', P, None, {"Dataset.*.CustomSQL": 2.0}),
    (
        'CustomSql "select id from primary where amount > 1" with threshold > 0.2',
        P,
        None,
        {"Dataset.*.CustomSQL.Compliance": 0.25},
    ),
    ('Mean "nope" > 1', F_, "Column 'nope' does not exist", {}),
    ('Mean "name" > 1', F_, "Column 'name' is not numeric (string)", {}),
    (
        '(IsComplete "id") and (IsComplete "name")',
        F_,
        _value("0.75", "1"),
        {"Column.id.Completeness": 1.0, "Column.name.Completeness": 0.75},
    ),
    (
        '(IsComplete "name") or (RowCount = 4)',
        P,
        None,
        {"Column.name.Completeness": 0.75, "Dataset.*.RowCount": 4.0},
    ),
]


#: Glue's four ruleOutcomes columns, which the expected rows below give
FOUR = StructType(RULE_OUTCOMES_SCHEMA.fields[:4])


def _comparable(df):
    """The four columns, metrics rounded to 6 decimals, as a sorted array of entries (chispa cannot sort by a map)."""
    rounded = F.transform_values("EvaluatedMetrics", lambda k, v: F.round(v, 6))
    return df.select(*FOUR.fieldNames()).withColumn("EvaluatedMetrics", F.array_sort(F.map_entries(rounded)))


@pytest.fixture(scope="module")
def people_df(spark):
    return spark.createDataFrame(ROWS, SCHEMA)


@pytest.fixture(scope="module")
def outcomes(people_df):
    ruleset = "Rules = [\n" + ",\n".join(rule for rule, *_ in EXPECTED) + "\n]"
    return _comparable(evaluate(people_df, ruleset))


def test_every_rule_type_passes_and_fails_as_written_by_hand(spark, outcomes):
    expected = _comparable(spark.createDataFrame(EXPECTED, FOUR))
    assert_df_equality(outcomes, expected, ignore_row_order=True, ignore_nullable=True)


def test_outcomes_keep_ruleset_order_and_glue_columns(people_df, outcomes):
    assert [r["Rule"] for r in outcomes.collect()] == [e[0] for e in EXPECTED]
    # Glue's four columns first (the DESIGN contract), then EvaluatedRule and Labels
    row = evaluate(people_df, 'Rules = [ RowCount = 4 labels = ["team"="sales"] ]').collect()[0]
    written = 'RowCount = 4 labels = ["team"="sales"]'
    assert row.asDict() == {"Rule": written, "Outcome": "Passed", "FailureReason": None,
                            "EvaluatedMetrics": {"Dataset.*.RowCount": 4.0}, "EvaluatedRule": written,
                            "Labels": {"team": "sales"}}


def test_rules_that_cannot_be_evaluated_fail_with_the_reason(people_df):
    ruleset = """Rules = [
        IsComplete "name" where "qty <<>> (",
        CustomSql "select count(*) from nowhere" > 0,
        CustomSql "select name from primary" = 1,
        Entropy "id" > 0 where "id > 100"
    ]"""
    rows = evaluate(people_df, ruleset).collect()
    assert [r["Outcome"] for r in rows] == ["Failed"] * 3 + ["Passed"]
    assert rows[0]["FailureReason"].startswith("where clause 'qty <<>> (' is invalid: does not parse")
    assert rows[1]["FailureReason"] == "CustomSql refused: table 'nowhere' is not one of the query's tables (primary)"
    assert rows[2]["FailureReason"] == "CustomSql must return exactly one numeric value"
    assert rows[3]["FailureReason"] is None  # its where clause leaves no row: passed, as Deequ


@pytest.fixture(scope="module")
def ref_df(spark):
    return spark.createDataFrame([(1, 0.0), (2, 5.0), (3, 3.0), (None, None)], "id int, amount double")


REFERENCE_EXPECTED = [
    (
        'ReferentialIntegrity "id" "ref.id" = 1.0',
        F_,
        _plain("0.75"),
        {"Column.ref.ReferentialIntegrity": 0.75},
    ),
    ('ReferentialIntegrity "id" "ref.{id}" > 0.7', P, None, {"Column.ref.ReferentialIntegrity": 0.75}),
    ('RowCountMatch "ref" = 1.0', P, None, {"Dataset.ref.RowCountMatch": 1.0}),
    ('SchemaMatch "ref" = 1.0', F_, _plain("0.333333"), {"Dataset.ref.SchemaMatch": 0.333333}),
    (
        'AggregateMatch "sum(amount)" "sum(ref.amount)" > 0.9',
        F_,
        _plain("0.375"),
        {"Column.amount.AggregateMatch": 0.375},
    ),
    ('DatasetMatch "ref" "id" "amount" >= 0.5', P, None, {"Dataset.ref.DatasetMatch": 0.5}),
    ('RowCountMatch "other" = 1.0', F_, "Reference dataset 'other' not found in references", {}),
]


def test_rules_on_reference_datasets(spark, people_df, ref_df):
    ruleset = "Rules = [\n" + ",\n".join(rule for rule, *_ in REFERENCE_EXPECTED) + "\n]"
    actual = _comparable(evaluate(people_df, ruleset, {"ref": ref_df}))
    expected = _comparable(spark.createDataFrame(REFERENCE_EXPECTED, FOUR))
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_all_aggregate_rules_cost_the_jobs_of_one_aggregation(spark, people_df):
    ruleset = """Rules = [ RowCount > 0, Completeness "name" > 0.5, Mean "amount" > 0, Sum "qty" > 0,
        StandardDeviation "amount" > 0, ColumnValues "qty" > 0, ColumnLength "name" < 9, IsComplete "id" ]"""
    one_aggregate = jobs_of(spark, "dq-baseline", lambda: people_df.agg(F.count(F.lit(1))).collect())
    eight_rules = jobs_of(spark, "dq-one-pass", lambda: run_ruleset(people_df, ruleset))
    assert eight_rules == one_aggregate


def test_column_values_take_times_of_day_and_ignore_case(spark):
    """``"9:00 AM"`` / ``"21:50"`` are today's times (UTC without a timeZone tag); ``with ignoreCase = "true"``
    compares strings whatever their case."""
    noon = dt.datetime.now(dt.UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    df = spark.createDataFrame([(noon, "ABC"), (noon - dt.timedelta(days=1), "abc"), (noon, "x")],
                               "ts timestamp, s string")
    rules = ('Rules = [ ColumnValues "ts" between "9:00 AM" and "21:50", '
             'ColumnValues "s" in ["abc"] with ignoreCase = "true", ColumnValues "s" = "abc", '
             'ColumnValues "s" matches "a.c" with ignoreCase = "true" ]')
    rows = evaluate(df, rules).collect()
    assert [round(r.EvaluatedMetrics[m], 6) for r, m in zip(rows, [
        "Column.ts.ColumnValues.Compliance", "Column.s.ColumnValues.Compliance",
        "Column.s.ColumnValues.Compliance", "Column.s.PatternMatch"], strict=True)] == [
        round(2 / 3, 6), round(2 / 3, 6), round(1 / 3, 6), round(2 / 3, 6)]


def test_analyzers_all_statistics_of_all_columns_and_column_values(spark):
    from dea_etl.quality import run_ruleset

    df = spark.createDataFrame([(1, "ab"), (2, None)], "id int, s string")
    ev = run_ruleset(df, 'Rules = [ RowCount > 0 ]\nAnalyzers = [ AllStatistics of AllColumns, ColumnValues "s" ]')
    every, values = ev.analyzers
    assert {"Dataset.*.RowCount", "Dataset.*.ColumnCount", "Column.id.Mean", "Column.id.Maximum",
            "Column.s.Completeness", "Column.s.MaximumLength"} <= set(every.metrics)
    assert (every.metrics["Column.s.Completeness"], every.metrics["Column.id.Sum"]) == (0.5, 3.0)
    assert dict(values.metrics) == {}
    assert values.reason == "ColumnValues gathers the Minimum and Maximum of a numeric column; 's' is not numeric (string)"
