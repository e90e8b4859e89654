"""``ColumnValues "c" matches "..."`` with a step budget, so that no pattern runs for hours.

Java's regex matcher backtracks: some patterns take exponential time on some values (``(a+)+$``). The match
runs in ``dea_etl.spark.BoundedRegexMatch`` (``dea-etl-spark.jar``), which reads each value through a
character sequence that counts the characters the matcher looks at and stops it after :data:`MAX_STEPS`;
the rows where that happens fail the rule, and the rule's reason names the pattern and how many values ran
out of steps. (The classic runaway shapes are refused before Spark starts, see
:mod:`dea_etl.quality.backtracking`; the budget catches the rest.)
"""

from __future__ import annotations

from pyspark.sql import Column, SparkSession
from pyspark.sql import functions as F

from dea_etl.jvm import functions

#: The Spark function the match runs as (a Java UDF of ``dea-etl-spark.jar``).
FUNCTION = functions.BOUNDED_REGEX_MATCH
#: Characters the matcher may read per value: a value of a few thousand characters matched by an ordinary
#: pattern reads some thousands; a runaway one exceeds a million within milliseconds.
MAX_STEPS = 1_000_000
MATCHED, UNMATCHED, OUT_OF_STEPS = 1, 0, -1


def register(spark: SparkSession) -> None:
    """Make :data:`FUNCTION` known to the session (once)."""
    functions.register(spark, FUNCTION)


def verdict(value: Column, pattern: str, *, ignore_case: bool = False, max_steps: int = MAX_STEPS) -> Column:
    """1 when the whole string value matches ``pattern``, 0 when it does not, -1 when the budget ran out,
    null for a null value (:data:`FUNCTION` is registered in the active session first)."""
    spark = SparkSession.getActiveSession()
    if spark is not None:
        register(spark)
    regex = f"{'(?i)' if ignore_case else ''}(?:{pattern})"
    return F.call_udf(FUNCTION, value.cast("string"), F.lit(regex), F.lit(max_steps).cast("long"))
