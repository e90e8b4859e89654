"""Row-level outcomes (Glue's rowLevelOutcomes) and the gate in both modes."""

from __future__ import annotations

import pytest
from chispa import assert_df_equality

from dea_etl.quality import ANALYZER_OUTCOMES_SCHEMA, ROW_LEVEL_COLUMNS, analyze, evaluate, evaluate_rows
from dea_etl.quality.gate import DataQualityError, gate

SCHEMA = "id int, name string, amount double, qty int"
ROWS = [(1, "alice", 0.0, 1), (2, "bob", 0.0, 2), (3, "bob", 3.0, 3), (4, None, None, 4)]
COMPLETE = 'IsComplete "name"'
QTY = 'ColumnValues "qty" <= 3'
COUNT = "RowCount > 0"
EITHER = '(IsComplete "amount") or (ColumnValues "qty" = 4)'
UNIQUE = 'IsUnique "name"'
ROW_RULESET = f"Rules = [ {COMPLETE}, {QTY}, {COUNT}, {EITHER}, {UNIQUE} ]"
OUTCOME_SCHEMA = (
    "id int, DataQualityRulesPass array<string>, DataQualityRulesFail array<string>, "
    "DataQualityRulesSkip array<string>, DataQualityEvaluationResult string"
)


@pytest.fixture(scope="module")
def people_df(spark):
    return spark.createDataFrame(ROWS, SCHEMA)


@pytest.fixture(scope="module")
def row_outcomes(people_df):
    return evaluate_rows(people_df, ROW_RULESET)


def test_row_level_outcomes_keep_the_input_columns(people_df, row_outcomes):
    assert row_outcomes.columns == [*people_df.columns, *ROW_LEVEL_COLUMNS]


def test_row_level_pass_fail_skip_per_row(spark, row_outcomes):
    expected = spark.createDataFrame(
        [
            (1, [COMPLETE, QTY, EITHER, UNIQUE], [], [COUNT], "Passed"),
            (2, [COMPLETE, QTY, EITHER], [UNIQUE], [COUNT], "Failed"),
            (3, [COMPLETE, QTY, EITHER], [UNIQUE], [COUNT], "Failed"),
            # a null name is left out of uniqueness (as Deequ), so it passes IsUnique at row level
            (4, [EITHER, UNIQUE], [COMPLETE, QTY], [COUNT], "Failed"),
        ],
        OUTCOME_SCHEMA,
    )
    actual = row_outcomes.select("id", *ROW_LEVEL_COLUMNS)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_row_level_where_clause_and_unevaluable_rule(spark, people_df):
    ruleset = 'Rules = [ IsComplete "name" where "qty < 4", Mean "nope" > 0, ColumnValues "nope" > 0 ]'
    actual = evaluate_rows(people_df, ruleset).select("id", *ROW_LEVEL_COLUMNS)
    where, mean, missing = 'IsComplete "name" where "qty < 4"', 'Mean "nope" > 0', 'ColumnValues "nope" > 0'
    expected = spark.createDataFrame(
        [(i, [where], [missing], [mean], "Failed") for i in (1, 2, 3, 4)], OUTCOME_SCHEMA
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_gate_fail_mode_raises_with_outcomes(people_df):
    with pytest.raises(DataQualityError) as info:
        gate(people_df, f"Rules = [ {COUNT}, {COMPLETE} ]", "fail", table="people")
    assert str(info.value) == f"people: 1 of 2 data-quality rules failed: {COMPLETE}"
    assert [r["Outcome"] for r in info.value.result.outcomes_df.collect()] == ["Passed", "Failed"]


def test_gate_fail_mode_passes_the_data_through(people_df):
    result = gate(people_df, f"Rules = [ {COUNT} ]", "fail")
    assert result.passed and result.passed_df is people_df and result.quarantined_df is None


def test_gate_quarantine_mode_splits_rows(spark, people_df):
    result = gate(people_df, f"Rules = [ {COMPLETE}, {QTY}, RowCount > 10 ]", "quarantine")
    assert result.failed_rules == [COMPLETE, QTY, "RowCount > 10"]
    assert_df_equality(
        result.passed_df, people_df.where("id < 4"), ignore_row_order=True, ignore_nullable=True
    )
    expected_bad = spark.createDataFrame(
        [(4, None, None, 4, f"data quality: {COMPLETE}; {QTY}", [COMPLETE, QTY])],
        f"{SCHEMA}, reason string, dq_rules_failed array<string>",
    )
    assert_df_equality(result.quarantined_df, expected_bad, ignore_row_order=True, ignore_nullable=True)


@pytest.mark.parametrize(
    ("ruleset", "clean"),
    [
        (f"Rules = [ {QTY} where \"id < 4\", IsUnique \"id\", IsPrimaryKey \"id\" \"qty\" ]", True),
        (f"Rules = [ {COMPLETE} ]", False),  # row 4's name is null
        (f"Rules = [ {UNIQUE} ]", False),  # bob twice
        ('Rules = [ IsPrimaryKey "id" "name" ]', False),  # row 4's key is not complete
        (f"Rules = [ {EITHER} ]", True),  # row 4 fails IsComplete "amount" and passes the other
        ('Rules = [ (IsComplete "amount") and (ColumnValues "qty" = 4) ]', False),
        ('Rules = [ ColumnValues "nope" > 0 ]', False),  # cannot be evaluated: fails every row
        (f"Rules = [ {COUNT}, Mean \"qty\" > 100 ]", True),  # no row-level rule: nothing to quarantine
    ],
)
def test_the_pass_tells_when_no_row_fails(spark, people_df, ruleset, clean):
    """When the pass's counts show that no row fails a row-level rule, the quarantine gate splits nothing:
    the rows pass as they are and none is quarantined, without a row-level pass; else it splits them."""
    result = gate(people_df, ruleset, "quarantine")
    assert result.evaluation.rows_clean is clean
    assert result.quarantined_df is not None
    assert (result.quarantined_df.count() == 0) is clean
    if clean:
        assert result.passed_df is people_df and result.row_level_df is None
    result.release()


def test_gate_rejects_an_unknown_mode(people_df):
    with pytest.raises(ValueError, match="mode must be one of fail, quarantine"):
        gate(people_df, "Rules = [ RowCount > 0 ]", "warn")


def test_analyzers_section_gives_metrics(spark, people_df):
    actual = analyze(
        people_df, 'Rules = [ RowCount > 0 ]\nAnalyzers = [ RowCount, Completeness "name", Mean "qty" ]'
    )
    expected = spark.createDataFrame(
        [
            ("RowCount", {"Dataset.*.RowCount": 4.0}),
            ('Completeness "name"', {"Column.name.Completeness": 0.75}),
            ('Mean "qty"', {"Column.qty.Mean": 2.5}),
        ],
        ANALYZER_OUTCOMES_SCHEMA,
    )
    assert actual.collect() == expected.collect()


def test_empty_data(spark, people_df):
    # as Deequ: a rule on no data at all fails (the empty-ruleset case is a parse error, see test_quality_parser)
    empty = people_df.where("id < 0")
    rows = evaluate(empty, 'Rules = [ RowCount = 0, IsComplete "name" ]').collect()
    assert [(r.Outcome, r.FailureReason) for r in rows] == [
        ("Passed", None),
        ("Failed", "No rows to evaluate"),
    ]
