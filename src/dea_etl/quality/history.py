"""The metric history: every evaluation's metrics, one row per (table, ruleset, rule, metric) and run.

``<lake>/processedData/_dq/metrics/`` holds one flat table (:data:`METRICS_SCHEMA`), appended to after each
evaluation (an atomic append: a failed write leaves the history as it was; the data_quality job appends
every table it checked in one), in the job's table format: Parquet, or an Iceberg table (one snapshot per
append) with ``--table-format iceberg``; once the history is an Iceberg table it stays one, whatever a
later run's format. It is what dynamic
rules (``last(k)``) and ``DetectAnomalies`` read, what the report charts, and what ``dea-etl sql`` and
Athena query (``dq_metrics``). A metric's history is keyed by table and metric name
(``Dataset.*.RowCount``, ``Column.total.Mean``), not by rule text: a rule whose threshold changes keeps its
history. Each row carries its rule's labels (``labels``, DQDL ``labels = [...]`` and ``DefaultLabels``).

A history (or outcomes table) created before a column was added keeps its columns: what is appended to it
leaves the new column out (:func:`fit_to_table`), and reading it gives that column as null.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, MapType, StringType, StructField, StructType, TimestampType

from dea_etl.io import files
from dea_etl.io.iceberg import is_iceberg_table
from dea_etl.io.lake import Lake
from dea_etl.io.tables import DEFAULT_FORMAT, ICEBERG, PARQUET, TableFormat, read_any, write_table
from dea_etl.quality.outcome import Outcome

METRICS_TABLE = "dq_metrics"
METRICS_SCHEMA = StructType([
    StructField("table", StringType(), False),
    StructField("ruleset", StringType(), False),
    StructField("kind", StringType(), False),  # "rule" | "analyzer"
    StructField("rule", StringType(), False),
    StructField("outcome", StringType(), True),  # null for analyzers
    StructField("metric", StringType(), False),
    StructField("value", DoubleType(), True),
    StructField("run_id", StringType(), False),
    StructField("evaluated_at", TimestampType(), False),
    StructField("labels", MapType(StringType(), StringType(), False), True),
])


def metrics_path(lake: str) -> str:
    """``<lake>/processedData/_dq/metrics``."""
    return f"{Lake(lake).processed('_dq')}/metrics"


@dataclass(frozen=True)
class Point:
    """One run's value of one metric."""

    run_id: str
    evaluated_at: datetime
    value: float


def metric_rows(outcomes: Iterable[Outcome], *, table: str, ruleset: str, run_id: str,
                evaluated_at: datetime) -> list[tuple[object, ...]]:
    """The history rows of one evaluation (in :data:`METRICS_SCHEMA` order), one per metric."""
    return [
        (table, ruleset, o.kind, o.rule, o.outcome, name, float(value), run_id, evaluated_at, dict(o.labels))
        for o in outcomes for name, value in sorted(o.metrics.items())
    ]


def fit_to_table(spark: SparkSession, path: str, df: DataFrame) -> DataFrame:
    """``df`` without the columns an existing table at ``path`` lacks (a table created before they existed
    keeps its schema); ``df`` itself when there is no table yet."""
    if not files.exists(spark, path):
        return df
    existing = set(read_any(spark, path).columns)
    return df.select(*[c for c in df.columns if c in existing])


def with_columns_of(df: DataFrame, schema: StructType) -> DataFrame:
    """``df`` with ``schema``'s columns in order, a column it lacks (an older table) as null."""
    present = set(df.columns)
    return df.select(*[F.col(f.name) if f.name in present else F.lit(None).cast(f.dataType).alias(f.name)
                       for f in schema.fields])


def append_metrics(spark: SparkSession, lake: str, rows: Sequence[tuple[object, ...]], run_id: str,
                   table_format: TableFormat = DEFAULT_FORMAT) -> str:
    """Append ``rows`` to the lake's metric history (atomically, one commit); returns its path.

    The history keeps the format it was created in: an existing Iceberg history is appended to as Iceberg,
    an existing Parquet one as Parquet; a new one is created in ``table_format``."""
    path = metrics_path(lake)
    if rows:
        if files.exists(spark, path):
            iceberg = is_iceberg_table(spark, path, table_format.catalog)
            table_format = TableFormat(ICEBERG if iceberg else PARQUET, table_format.catalog)
        frame = fit_to_table(spark, path, spark.createDataFrame(list(rows), METRICS_SCHEMA).coalesce(1))
        write_table(frame, path, run_id=run_id, mode="append", table_format=table_format)
    return path


def read_metrics(spark: SparkSession, lake: str) -> DataFrame | None:
    """The lake's metric history (Parquet or Iceberg), or None when nothing was recorded yet."""
    path = metrics_path(lake)
    if not files.exists(spark, path):
        return None
    return with_columns_of(read_any(spark, path), METRICS_SCHEMA)


@dataclass(frozen=True)
class History:
    """A table's recorded metrics, each metric's points oldest first (at most one point per run)."""

    series: Mapping[str, tuple[Point, ...]]

    def values(self, metric: str) -> list[float]:
        """The metric's recorded values, oldest first."""
        return [p.value for p in self.series.get(metric, ())]

    def points(self, metric: str) -> tuple[Point, ...]:
        return self.series.get(metric, ())


EMPTY = History({})


def history_from_rows(rows: Iterable[tuple[str, str, datetime, float | None]]) -> History:
    """(metric, run_id, evaluated_at, value) rows -> :class:`History` (one point per metric and run: the
    latest; null values and NaN skipped)."""
    latest: dict[tuple[str, str], Point] = {}
    for metric, run_id, at, value in rows:
        if value is None or value != value:
            continue
        key = (metric, run_id)
        if key not in latest or latest[key].evaluated_at <= at:
            latest[key] = Point(run_id, at, float(value))
    series: dict[str, list[Point]] = {}
    for (metric, _), point in latest.items():
        series.setdefault(metric, []).append(point)
    return History({m: tuple(sorted(ps, key=lambda p: (p.evaluated_at, p.run_id))) for m, ps in series.items()})


def load_history(spark: SparkSession, lake: str, table: str, *, before_run: str | None = None,
                 limit: int = 1000) -> History:
    """``table``'s metric history from the lake (the ``limit`` latest runs), without run ``before_run``."""
    df = read_metrics(spark, lake)
    if df is None:
        return EMPTY
    df = df.where(F.col("table") == table)
    if before_run is not None:
        df = df.where(F.col("run_id") != before_run)
    runs = df.groupBy("run_id").agg(F.max("evaluated_at").alias("at")).orderBy(F.desc("at")).limit(limit)
    picked = df.join(runs.select("run_id"), "run_id").select("metric", "run_id", "evaluated_at", "value")
    return history_from_rows((r[0], r[1], r[2], r[3]) for r in picked.collect())


#: What ``_dq/<table>/outcomes`` adds to ruleOutcomes per rule: Glue's GetDataQualityResult fields
#: (DataQualityRuleResult) and the run's Score.
GLUE_RESULT_FIELDS = (
    StructField("Name", StringType(), False),
    StructField("Description", StringType(), False),
    StructField("Result", StringType(), False),
    StructField("EvaluationMessage", StringType(), True),
    StructField("Score", DoubleType(), False),
)


def outcomes_table_schema() -> StructType:
    """``_dq/<table>/outcomes``: Glue's ruleOutcomes and GetDataQualityResult fields with the table, gate
    mode, run id and time."""
    from dea_etl.quality.evaluate import RULE_OUTCOMES_SCHEMA

    return StructType([
        StructField("table", StringType(), False),
        StructField("mode", StringType(), False),
        *RULE_OUTCOMES_SCHEMA.fields,
        *GLUE_RESULT_FIELDS,
        StructField("run_id", StringType(), False),
        StructField("evaluated_at", TimestampType(), True),
    ])


def outcome_table_rows(outcomes: Iterable[Outcome], score: float, *, table: str, mode: str, run_id: str,
                       evaluated_at: datetime) -> list[tuple[object, ...]]:
    """The outcomes table's rows of one evaluation (:func:`outcomes_table_schema` order)."""
    from dea_etl.quality.evaluate import outcome_row

    return [(table, mode, *outcome_row(o), o.name, o.rule, str(o.result), o.failure_reason, score, run_id,
             evaluated_at) for o in outcomes]
