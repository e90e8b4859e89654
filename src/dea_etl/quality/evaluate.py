"""Evaluate a DQDL ruleset on a DataFrame: ruleOutcomes (``evaluate``), rowLevelOutcomes (``evaluate_rows``)
and the analyzers' metrics (``analyze``), in the shape AWS Glue Data Quality gives them; each is a view of
one :class:`~dea_etl.quality.run.Evaluation`."""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, MapType, StringType, StructField, StructType

from dea_etl.errors import JobArgumentError
from dea_etl.quality.history import History
from dea_etl.quality.model import Ruleset
from dea_etl.quality.outcome import FAILED, PASSED, Outcome
from dea_etl.quality.run import Evaluation, run_ruleset

__all__ = [
    "ANALYZER_OUTCOMES_SCHEMA", "FAILED", "PASSED", "ROW_FAIL", "ROW_LEVEL_COLUMNS", "ROW_PASS", "ROW_RESULT",
    "ROW_SKIP", "RULE_OUTCOMES_SCHEMA", "Evaluation", "analyze", "analyzers_frame", "evaluate", "evaluate_rows",
    "outcomes_frame", "row_level_frame", "run_ruleset",
]

METRICS = MapType(StringType(), DoubleType(), False)
LABELS = MapType(StringType(), StringType(), False)
#: Glue's ruleOutcomes: Rule, Outcome, FailureReason, EvaluatedMetrics, then EvaluatedRule (constants and
#: dynamic values resolved) and Labels.
RULE_OUTCOMES_SCHEMA = StructType([
    StructField("Rule", StringType(), False),
    StructField("Outcome", StringType(), False),
    StructField("FailureReason", StringType(), True),
    StructField("EvaluatedMetrics", METRICS, False),
    StructField("EvaluatedRule", StringType(), False),
    StructField("Labels", LABELS, False),
])
ROW_PASS, ROW_FAIL, ROW_SKIP = "DataQualityRulesPass", "DataQualityRulesFail", "DataQualityRulesSkip"
ROW_RESULT = "DataQualityEvaluationResult"
ROW_LEVEL_COLUMNS = (ROW_PASS, ROW_FAIL, ROW_SKIP, ROW_RESULT)
ENGINES = ("native", "deequ")
ANALYZER_OUTCOMES_SCHEMA = StructType([
    StructField("Analyzer", StringType(), False),
    StructField("EvaluatedMetrics", METRICS, False),
])


def outcome_row(o: Outcome) -> tuple[object, ...]:
    """One rule's ruleOutcomes row (:data:`RULE_OUTCOMES_SCHEMA`)."""
    metrics = {k: float(v) for k, v in o.metrics.items()}
    return o.rule, o.outcome, o.failure_reason, metrics, o.evaluated_rule or o.rule, dict(o.labels)


def outcomes_frame(ev: Evaluation, df: DataFrame) -> DataFrame:
    return df.sparkSession.createDataFrame([outcome_row(o) for o in ev.outcomes], RULE_OUTCOMES_SCHEMA)


def analyzers_frame(ev: Evaluation, df: DataFrame) -> DataFrame:
    data = [(a.rule, {k: float(v) for k, v in a.metrics.items()}) for a in ev.analyzers]
    return df.sparkSession.createDataFrame(data, ANALYZER_OUTCOMES_SCHEMA)


def row_level_frame(ev: Evaluation) -> DataFrame:
    names = [node.text for node in ev.rules]
    tmp = {f"__dq_r{i}": r for i, r in enumerate(ev.rows) if r is not None}
    flagged = ev.base.withColumns(tmp) if tmp else ev.base
    empty = F.array().cast("array<string>")

    def names_where(test: str) -> Column:
        items = []
        for i, r in enumerate(ev.rows):
            if r is None:
                continue
            c = F.col(f"__dq_r{i}")
            cond = c if test == "pass" else (~c if test == "fail" else c.isNull())
            items.append(F.when(cond, F.lit(names[i])))
        return F.array_compact(F.array(*items)) if items else empty

    skipped = [F.lit(names[i]) for i, r in enumerate(ev.rows) if r is None]
    skip = F.concat(F.array(*skipped).cast("array<string>") if skipped else empty, names_where("skip"))
    return flagged.select(
        *[F.col("`" + c.replace("`", "``") + "`") for c in ev.columns],
        names_where("pass").alias(ROW_PASS),
        names_where("fail").alias(ROW_FAIL),
        skip.alias(ROW_SKIP),
        F.when(F.size(names_where("fail")) == 0, F.lit(PASSED)).otherwise(F.lit(FAILED)).alias(ROW_RESULT),
    )


def analyze(
    df: DataFrame, ruleset: str | Ruleset, references: Mapping[str, DataFrame] | None = None
) -> DataFrame:
    """The ``Analyzers = [...]`` section: one row per analyzer with its metrics (Analyzer, EvaluatedMetrics).
    The rules are evaluated in the same pass (use :func:`run_ruleset` to have both)."""
    return analyzers_frame(run_ruleset(df, ruleset, references), df)


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise JobArgumentError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")


def evaluate(df: DataFrame, ruleset: str | Ruleset, references: Mapping[str, DataFrame] | None = None,
             engine: str = "native", *, history: History | None = None,
             file_roots: tuple[str, ...] = ()) -> DataFrame:
    """ruleOutcomes: one row per top-level rule with Rule, Outcome, FailureReason, EvaluatedMetrics,
    EvaluatedRule and Labels. ``history`` (native engine): the metric history dynamic rules and
    DetectAnomalies read."""
    _check_engine(engine)
    if engine == "deequ":
        from dea_etl.quality.deequ import evaluate_deequ

        return evaluate_deequ(df, ruleset, references)
    ev = run_ruleset(df, ruleset, references, history=history, file_roots=file_roots, with_analyzers=False)
    return outcomes_frame(ev, df)


def evaluate_rows(df: DataFrame, ruleset: str | Ruleset, references: Mapping[str, DataFrame] | None = None,
                  engine: str = "native") -> DataFrame:
    """rowLevelOutcomes: the input rows plus DataQualityRulesPass / Fail / Skip and
    DataQualityEvaluationResult. Rules without a row-level meaning are listed in Skip on every row."""
    _check_engine(engine)
    if engine == "deequ":
        from dea_etl.quality.deequ import evaluate_rows_deequ

        return evaluate_rows_deequ(df, ruleset, references)
    return row_level_frame(run_ruleset(df, ruleset, references, collect=False, with_analyzers=False))
