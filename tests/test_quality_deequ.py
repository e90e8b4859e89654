"""engine="deequ": Deequ's EvaluateDataQuality (through pydeequ) on the declared jars, in the native shape."""

from __future__ import annotations

import pytest
from chispa import assert_df_equality

from dea_etl.quality import RULE_OUTCOMES_SCHEMA, evaluate, evaluate_rows
from dea_etl.quality.deequ import DEEQU_CLASS, DeequUnavailableError, deequ_on_classpath, require_deequ

RULESET = 'Rules = [ RowCount = 2, IsComplete "id", IsComplete "name" ]'


@pytest.fixture(scope="module")
def small_df(spark):
    return spark.createDataFrame([(1, "a"), (2, None)], "id int, name string")


def test_unknown_engine_is_rejected(small_df):
    with pytest.raises(ValueError, match="engine must be one of native, deequ"):
        evaluate(small_df, RULESET, engine="pandas")


def test_the_declared_jars_put_deequ_on_the_classpath(spark):
    assert deequ_on_classpath(spark)


def test_a_missing_evaluator_class_says_what_is_missing(spark):
    # The session has the jar, so the "no jar" path is exercised with a class name the JVM cannot load:
    # the same lookup and the same error as a session started without --jars.
    require_deequ(spark)
    missing = DEEQU_CLASS + "DoesNotExist"
    with pytest.raises(DeequUnavailableError, match=r"needs a Deequ jar on the Spark classpath \(.*DoesNotExist"):
        require_deequ(spark, missing)


def test_deequ_engine_gives_the_outcomes_in_the_native_shape(spark, small_df):
    deequ = evaluate(small_df, RULESET, engine="deequ")
    expected = spark.createDataFrame(
        [
            ("RowCount = 2", "Passed", None, {"Dataset.*.RowCount": 2.0}, "RowCount = 2", {}),
            ('IsComplete "id"', "Passed", None, {"Column.id.Completeness": 1.0}, 'IsComplete "id"', {}),
            ('IsComplete "name"', "Failed", "Value: 0.5 does not meet the constraint requirement!",
             {"Column.name.Completeness": 0.5}, 'IsComplete "name"', {}),
        ],
        RULE_OUTCOMES_SCHEMA,
    )
    assert_df_equality(deequ, expected, ignore_nullable=True)
    native = evaluate(small_df, RULESET)
    assert [(r.Rule, r.Outcome) for r in deequ.collect()] == [(r.Rule, r.Outcome) for r in native.collect()]


def test_deequ_engine_gives_row_level_outcomes(small_df):
    rows = evaluate_rows(small_df, RULESET, engine="deequ").orderBy("id").collect()
    assert [r["DataQualityEvaluationResult"] for r in rows] == ["Passed", "Failed"]
    assert rows[1]["DataQualityRulesFail"] == ['IsComplete "name"']


def test_deequ_engine_takes_dqdl_text_only(small_df):
    from dea_etl.quality import parse_ruleset

    with pytest.raises(TypeError, match="takes the ruleset as DQDL text"):
        evaluate(small_df, parse_ruleset(RULESET), engine="deequ")
