"""engine="deequ": delegates to pydeequ when a Deequ jar is on the classpath; otherwise a clear error."""

from __future__ import annotations

import pytest

from dea_etl.quality import evaluate
from dea_etl.quality.deequ import DeequUnavailableError, deequ_on_classpath

RULESET = 'Rules = [ RowCount = 2, IsComplete "id" ]'


@pytest.fixture(scope="module")
def small_df(spark):
    return spark.createDataFrame([(1, "a"), (2, None)], "id int, name string")


def test_unknown_engine_is_rejected(small_df):
    with pytest.raises(ValueError, match="engine must be one of native, deequ"):
        evaluate(small_df, RULESET, engine="pandas")


def test_deequ_engine_without_a_jar_says_what_is_missing(spark, small_df):
    if deequ_on_classpath(spark):
        pytest.skip("a Deequ jar is on the classpath: the unavailable path cannot be exercised")
    with pytest.raises(DeequUnavailableError, match="needs a Deequ jar on the Spark classpath"):
        evaluate(small_df, RULESET, engine="deequ")


def test_deequ_engine_gives_the_native_shape_and_outcomes(spark, small_df):
    if not deequ_on_classpath(spark):
        pytest.skip(
            "no Deequ jar on the Spark classpath (com.amazon.deequ.dqdl.EvaluateDataQuality not found); "
            "pip cannot install it - start Spark with --packages com.amazon.deequ:deequ:2.0.21-spark-3.5"
        )
    pytest.importorskip("pydeequ", reason="pydeequ (the deequ extra) is not installed")
    deequ = evaluate(small_df, RULESET, engine="deequ")
    native = evaluate(small_df, RULESET)
    assert deequ.columns == native.columns
    assert [(r.Rule, r.Outcome) for r in deequ.collect()] == [(r.Rule, r.Outcome) for r in native.collect()]
