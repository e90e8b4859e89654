"""The optional Deequ backend: delegate DQDL evaluation to pydeequ when a Deequ jar is on the classpath.

pydeequ is imported lazily (it reads ``SPARK_VERSION`` at import time) and only after the jar was found
through the JVM, so ``engine="deequ"`` fails with a clear :class:`DeequUnavailableError` otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import MapType, StringType

from dea_etl.errors import DeaEtlError
from dea_etl.quality.model import Ruleset

DEEQU_CLASS = "com.amazon.deequ.dqdl.EvaluateDataQuality"
OUTCOME_COLUMNS = ("Rule", "Outcome", "FailureReason", "EvaluatedMetrics")


class DeequUnavailableError(DeaEtlError, RuntimeError):
    """engine="deequ" was asked for, but no Deequ jar (or no pydeequ) is available."""


def deequ_on_classpath(spark: SparkSession, class_name: str = DEEQU_CLASS) -> bool:
    """True when the JVM can load Deequ's DQDL evaluator class (or ``class_name``)."""
    jvm: Any = spark.sparkContext._jvm
    try:
        loader = jvm.java.lang.Thread.currentThread().getContextClassLoader()
        jvm.java.lang.Class.forName(class_name, False, loader)
        return True
    except Exception:
        return False


def require_deequ(spark: SparkSession, class_name: str = DEEQU_CLASS) -> None:
    """Raise :class:`DeequUnavailableError` naming what is missing when the JVM cannot load ``class_name``."""
    if not deequ_on_classpath(spark, class_name):
        raise DeequUnavailableError(
            f"engine='deequ' needs a Deequ jar on the Spark classpath ({class_name} not found); "
            "start Spark with --jars \"$(dea-etl jars)\" (or through dea_etl.runtime.get_spark) "
            "or use engine='native'"
        )


def _evaluator(spark: SparkSession) -> Any:
    require_deequ(spark)
    import pyspark

    # pydeequ reads SPARK_VERSION when it is imported; give it the running version if unset.
    os.environ.setdefault("SPARK_VERSION", pyspark.__version__)
    try:
        from pydeequ.dqdl import EvaluateDataQuality
    except ImportError as exc:
        message = f"engine='deequ' needs pydeequ>=1.7 (pip install dea-etl[deequ]): {exc}"
        raise DeequUnavailableError(message) from None
    return EvaluateDataQuality


def _text(ruleset: str | Ruleset) -> str:
    if isinstance(ruleset, str):
        return ruleset
    raise TypeError("engine='deequ' takes the ruleset as DQDL text")


def _register_views(df: DataFrame, references: Mapping[str, DataFrame] | None) -> None:
    """CustomSql in Deequ reads ``primary`` (and the references) from the session's catalog, as the native
    engine registers them: without this it reads whatever ``primary`` a previous evaluation left."""
    df.createOrReplaceTempView("primary")
    for alias, ref in (references or {}).items():
        ref.createOrReplaceTempView(alias)


def evaluate_deequ(
    df: DataFrame, ruleset: str | Ruleset, references: Mapping[str, DataFrame] | None
) -> DataFrame:
    evaluator = _evaluator(df.sparkSession)
    _register_views(df, references)
    out = evaluator.process(df.sparkSession, df, _text(ruleset), dict(references or {}))
    # the native shape: Deequ's ruleOutcomes have no EvaluatedRule or Labels (its parser has no constants,
    # dynamic rules or labels), so the rule as written and no label
    return out.select(*OUTCOME_COLUMNS, F.col("Rule").alias("EvaluatedRule"),  # type: ignore[no-any-return]
                      F.create_map().cast(MapType(StringType(), StringType(), False)).alias("Labels"))


def evaluate_rows_deequ(
    df: DataFrame, ruleset: str | Ruleset, references: Mapping[str, DataFrame] | None
) -> DataFrame:
    evaluator = _evaluator(df.sparkSession)
    _register_views(df, references)
    result = evaluator.processRows(df.sparkSession, df, _text(ruleset), dict(references or {}))
    return result["rowLevelOutcomes"]  # type: ignore[no-any-return]
