"""Regex rules cannot run for hours (issue 22): a ``matches`` pattern Java's backtracking matcher would take
exponential time on fails its rule, named, before Spark starts; ordinary patterns run as before."""

from __future__ import annotations

import pytest
from pyspark.sql import SparkSession

from dea_etl.quality import evaluate
from dea_etl.quality.backtracking import backtracking_risk

REPEATED_GROUP = "it repeats a group that begins with a repetition, which can backtrack for hours"


@pytest.mark.parametrize("pattern", [
    "(a+)+$", r"(\w+\s?)*$", "(.*a){20}", "(x+x+)+y", "(a*)*b", r"^(([a-z])+.)+[A-Z]([a-z])+$", "((ab)*)+c",
])
def test_the_catastrophic_shapes_are_found(pattern: str) -> None:
    assert backtracking_risk(pattern) == REPEATED_GROUP


@pytest.mark.parametrize("pattern", [
    r"^[a-z]+(\.[a-z]+)*@example\.com$", r"^([a-z]+\.)*[a-z]+$", r"[A-Z]{2}\d{4}", r"^\d{3}-\d{4}$",
    r"([^,]*,)*x", r"(\d+-)+\d+", "[a-z]+", r"\p{Alpha}+", "x++", "(cat|dog)+",
])
def test_ordinary_patterns_are_left_to_run(pattern: str) -> None:
    assert backtracking_risk(pattern) is None


def test_a_backreference_is_refused() -> None:
    assert backtracking_risk(r"(\d)\1") == "it holds a backreference"


def test_the_rule_fails_naming_the_pattern_and_the_others_run(spark: SparkSession) -> None:
    df = spark.createDataFrame([("a" * 22 + "!",), ("abc",), (None,)], "name string")
    ruleset = 'Rules = [ ColumnValues "name" matches "(a+)+$", ColumnValues "name" matches "[a-z!]+" with threshold > 0.5 ]'
    rows = evaluate(df, ruleset).collect()
    assert [(r.Outcome, r.FailureReason) for r in rows] == [
        ("Failed", f"regex '(a+)+$' is refused: {REPEATED_GROUP} (Java's matcher backtracks); rewrite it"),
        ("Passed", None),
    ]


def test_a_pattern_that_passes_the_check_runs_out_of_steps_and_fails_its_rule_named(spark: SparkSession) -> None:
    """Twelve `.*a` in a row is not one of the shapes the check knows (Java 17 memoizes `(a|aa)+`, not this),
    and takes over a minute on 40 a's and a `!` (measured): the match runs with a step budget, the value
    fails, the rule says why; the rest run as usual."""
    from dea_etl.quality import evaluate_rows
    from dea_etl.quality.regex import MAX_STEPS

    pattern = ".*a" * 12
    assert backtracking_risk(pattern) is None
    runaway = "a" * 40 + "!"
    df = spark.createDataFrame([(runaway,), ("a" * 12,), (None,)], "name string")
    ruleset = f'Rules = [ ColumnValues "name" matches "{pattern}", ColumnValues "name" matches "[a!]+" ]'
    rows = evaluate(df, ruleset).collect()
    assert [(r.Outcome, r.FailureReason) for r in rows] == [
        ("Failed", f"regex '{pattern}' ran out of its {MAX_STEPS:,} steps on 1 value (Java's matcher backtracks "
                   "on it without end): rewrite the pattern"),
        ("Failed", "Value: 0.666667 does not meet the constraint requirement (1 of 3 rows failed)."),
    ]
    verdicts = {r.name: r.DataQualityRulesFail for r in evaluate_rows(df, ruleset).collect()}
    assert verdicts[runaway] == [f'ColumnValues "name" matches "{pattern}"']
    assert verdicts["a" * 12] == []
