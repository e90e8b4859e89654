"""data_quality: run each processed table's DQDL ruleset and apply its gate (fail or quarantine).

For every table with a ruleset (``dea_etl/rules/<table>.dqdl``, linked as ``rules/``) and a processed
table in the lake, the other processed tables are the references (``customers``, ``employees``...).
:func:`run` checks the seed tables (before the marts are built on them); :func:`run_marts` checks the
sales marts (after sales_mart), with the same references; ``--tables`` may name either kind.
Outcomes (Glue's ruleOutcomes + ``table``, ``mode``, ``run_id``, ``evaluated_at``) are appended to
``<lake>/processedData/_dq/<table>/outcomes/``. In quarantine mode the failing rows move to
``<lake>/processedData/_dq/<table>/quarantine/`` (replaced each run) and the table keeps the others;
in fail mode a failed rule fails the job after its outcomes are written.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dea_etl.io import files
from dea_etl.io.lake import Lake
from dea_etl.io.tables import DEFAULT_FORMAT, TableFormat, read_table, stage_counted, table_exists, write_table
from dea_etl.mart_schemas import MARTS
from dea_etl.pipelines.formats import FORMAT_ARGS, table_format
from dea_etl.quality.gate import DataQualityError, GateResult, gate
from dea_etl.quality.rulesets import RulesetFile, packaged_ruleset, packaged_tables
from dea_etl.runtime import Arg, JobContext, JobSpec, TableResult
from dea_etl.schemas import TABLES

ARGS = (
    Arg("lake", required=True, help="lake root: a folder or s3://BUCKET[/PREFIX]"),
    Arg("tables", help="comma-separated tables or marts to check (default: every seed table with a ruleset)"),
    *FORMAT_ARGS,
)


def dq_path(lake: Lake, table: str, what: str) -> str:
    """``<lake>/processedData/_dq/<table>/<what>`` (what: outcomes | quarantine)."""
    return f"{lake.processed('_dq')}/{table}/{what}"


def write_outcomes(result: GateResult, path: str, table: str, run_id: str, fmt: TableFormat) -> str:
    """Append the gate's outcomes (+ table, mode, run id, time) to the table at ``path``."""
    out = result.outcomes_df.select(
        F.lit(table).alias("table"), F.lit(result.mode).alias("mode"), "*",
        F.lit(run_id).alias("run_id"), F.lit(datetime.now(UTC)).cast("timestamp").alias("evaluated_at"),
    )
    write_table(out.coalesce(1), path, table_format=fmt, run_id=run_id, mode="append")
    return path


def _quarantine(result: GateResult, lake: Lake, table: str, run_id: str, fmt: TableFormat) -> tuple[int, int]:
    """Move the failing rows out of the processed table; returns (rows kept, rows quarantined)."""
    assert result.quarantined_df is not None
    spark = result.passed_df.sparkSession
    bad = result.quarantined_df.withColumn("run_id", F.lit(run_id))
    staged_bad, quarantined = stage_counted(bad, dq_path(lake, table, "quarantine"), table_format=fmt, run_id=run_id)
    if not quarantined:
        if fmt.is_iceberg:  # the quarantine of this run is empty (a new snapshot; the history keeps the old)
            staged_bad.publish()
        else:
            staged_bad.discard()
            files.delete(spark, dq_path(lake, table, "quarantine"))
        return -1, 0
    spec = TABLES.get(table) or MARTS.get(table)
    staged_good, kept = stage_counted(result.passed_df, lake.processed(table), table_format=fmt, run_id=run_id,
                                      partition_by=spec.partition_by if spec else ())
    staged_good.publish()
    staged_bad.publish()
    return kept, quarantined


def check_table(spark: SparkSession, lake: Lake, ruleset: RulesetFile, run_id: str,
                references: dict[str, DataFrame], fmt: TableFormat = DEFAULT_FORMAT) -> TableResult:
    started = time.monotonic()
    table = ruleset.name
    df = read_table(spark, lake.processed(table), fmt)
    rows_in = df.count()
    try:
        result = gate(df, ruleset.text, ruleset.mode, references, table=table)
    except DataQualityError as exc:
        write_outcomes(exc.result, dq_path(lake, table, "outcomes"), table, run_id, fmt)
        raise
    outcomes = write_outcomes(result, dq_path(lake, table, "outcomes"), table, run_id, fmt)
    kept, quarantined = rows_in, 0
    if result.quarantined_df is not None:
        try:
            kept, quarantined = _quarantine(result, lake, table, run_id, fmt)
        finally:
            result.release()
        kept = rows_in if kept < 0 else kept
    metrics: dict[str, object] = {
        "dq": f"{len(result.results) - len(result.failed_rules)}/{len(result.results)} rules passed "
              f"(mode {ruleset.mode}); outcomes: {outcomes}",
    }
    if result.failed_rules:
        metrics["dq failed"] = "; ".join(result.failed_rules)
    return TableResult(
        table=f"dq:{table}", rows_in=rows_in, rows_written=kept, rows_quarantined=quarantined,
        output=lake.processed(table),
        quarantine_output=dq_path(lake, table, "quarantine") if quarantined else None,
        seconds=round(time.monotonic() - started, 3), metrics=metrics,
    )


def _present(ctx: JobContext, lake: Lake, tables: Iterable[str]) -> list[str]:
    fmt = table_format(ctx)
    return [t for t in tables if table_exists(ctx.spark, lake.processed(t), fmt)]


def _check_tables(ctx: JobContext, lake: Lake, tables: list[str]) -> list[TableResult]:
    """Each table's shipped ruleset, the processed seed tables (but itself) as its references."""
    fmt = table_format(ctx)
    references = {t: read_table(ctx.spark, lake.processed(t), fmt) for t in _present(ctx, lake, TABLES)}
    results = []
    for table in tables:
        others = {alias: ref for alias, ref in references.items() if alias != table}
        results.append(check_table(ctx.spark, lake, packaged_ruleset(table), ctx.run_id, others, fmt))
    return results


def run(ctx: JobContext) -> list[TableResult]:
    """``--tables``, or every processed seed table that has a ruleset."""
    lake = Lake(ctx.arg("lake"))
    wanted = [t.strip() for t in (ctx.args.get("tables") or "").split(",") if t.strip()]
    tables = wanted or _present(ctx, lake, [t for t in packaged_tables() if t in TABLES])
    return _check_tables(ctx, lake, tables)


def run_marts(ctx: JobContext) -> list[TableResult]:
    """Every sales mart in the lake that has a ruleset (the pipeline runs this after sales_mart)."""
    lake = Lake(ctx.arg("lake"))
    return _check_tables(ctx, lake, _present(ctx, lake, [t for t in packaged_tables() if t in MARTS]))


JOB = JobSpec("data_quality", ARGS, run, "run the DQDL rulesets on the processed tables or the marts (fail or quarantine)")
