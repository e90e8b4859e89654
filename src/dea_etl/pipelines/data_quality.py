"""data_quality: run each processed table's DQDL ruleset and apply its gate (fail or quarantine).

For every table with a ruleset (``dea_etl/rules/<table>.dqdl``, linked as ``rules/``) and a processed
table in the lake, the other processed tables are the references (``customers``, ``employees``...).
:func:`run` checks the seed tables (before the marts are built on them); :func:`run_marts` checks the
sales marts (after sales_mart), with the same references; ``--tables`` may name either kind.
Outcomes (Glue's ruleOutcomes and its GetDataQualityResult fields per rule + ``table``, ``mode``,
``run_id``, ``evaluated_at``) are appended to
``<lake>/processedData/_dq/<table>/outcomes/``. In quarantine mode the failing rows move to
``<lake>/processedData/_dq/<table>/quarantine/`` (replaced each run) and the table keeps the others;
in fail mode a failed rule fails the job after its outcomes are written.
Every evaluation's metrics are appended to the lake's metric history (``_dq/metrics``,
:mod:`dea_etl.quality.history`); with ``--report FOLDER`` each table's HTML / Markdown / JSON report is
written to ``FOLDER/<table>/`` (the columns' profile, the rows that fail each rule, charts of each metric over
the recorded runs). Each table's ruleset is
evaluated once: the gate, the outcomes, the analyzers, the history and the report all come from that
evaluation (and its row count is the step's rows in).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dea_etl.io import files
from dea_etl.io.lake import Lake
from dea_etl.io.tables import (
    DEFAULT_FORMAT,
    Staged,
    TableFormat,
    read_any,
    read_in_format,
    stage_counted,
    stage_table,
    table_exists,
)
from dea_etl.pipelines.formats import table_format
from dea_etl.pipelines.specs import DATA_QUALITY
from dea_etl.quality import recording
from dea_etl.quality.evaluate import ROW_FAIL
from dea_etl.quality.gate import DataQualityError, GateResult, gate
from dea_etl.quality.history import (
    History,
    append_metrics,
    fit_to_table,
    outcome_table_rows,
    outcomes_table_schema,
)
from dea_etl.quality.parser import parse_ruleset
from dea_etl.quality.rulesets import RulesetFile, packaged_ruleset, packaged_tables
from dea_etl.runtime import JobContext, TableResult
from dea_etl.tables import MARTS, TABLES, lake_tables
from dea_etl.together import settle_all, values


def dq_path(lake: Lake, table: str, what: str) -> str:
    """``<lake>/processedData/_dq/<table>/<what>`` (what: outcomes | quarantine)."""
    return f"{lake.processed('_dq')}/{table}/{what}"


def stage_outcomes(result: GateResult, path: str, table: str, run_id: str, fmt: TableFormat) -> Staged:
    """Write the gate's outcomes (ruleOutcomes and Glue's result fields, + table, mode, run id, time) for
    appending to the table at ``path``; published later (with the tables they judge)."""
    spark = result.outcomes_df.sparkSession
    ev = result.evaluation
    rows = outcome_table_rows(ev.outcomes, ev.score, table=table, mode=result.mode, run_id=run_id,
                              evaluated_at=datetime.now(UTC))
    out = fit_to_table(spark, path, spark.createDataFrame(rows, outcomes_table_schema()))
    return stage_table(out.coalesce(1), path, table_format=fmt, run_id=run_id, mode="append")


def write_outcomes(result: GateResult, path: str, table: str, run_id: str, fmt: TableFormat) -> str:
    """Append the gate's outcomes (see :func:`stage_outcomes`) to the table at ``path``."""
    staged = stage_outcomes(result, path, table, run_id, fmt)
    try:
        staged.publish()
    except BaseException:
        staged.discard()
        raise
    return path


def _quarantine(result: GateResult, lake: Lake, table: str, run_id: str, fmt: TableFormat) -> tuple[int, int]:
    """Move the failing rows out of the processed table; returns (rows kept, rows quarantined)."""
    assert result.quarantined_df is not None
    bad = result.quarantined_df.withColumn("run_id", F.lit(run_id))
    staged_bad, quarantined = stage_counted(bad, dq_path(lake, table, "quarantine"), table_format=fmt, run_id=run_id)
    if not quarantined:  # the quarantine of this run is empty (Iceberg: a new snapshot; the history keeps the old)
        staged_bad.publish()
        return -1, 0
    spec = lake_tables().get(table)
    staged_good, kept = stage_counted(result.passed_df, lake.processed(table), table_format=fmt, run_id=run_id,
                                      partition_by=spec.partition_by if spec else ())
    staged_good.publish()
    staged_bad.publish()
    return kept, quarantined


def _unparsed(spark: SparkSession, lake: Lake, table: str) -> DataFrame | None:
    """The rows csv_to_parquet quarantined for this table (they never reached the checked table)."""
    path = lake.quarantine(table)
    return read_any(spark, path) if files.exists(spark, path) else None


def _record(df: DataFrame, lake: Lake, run: recording.Run, result: GateResult, report: str | None,
            history: History | None, fmt: TableFormat, pending: list[tuple[object, ...]] | None) -> str | None:
    """Append the rules' and analyzers' metrics to the history (to ``pending`` when given: the step appends
    every table's rows in one write); write the report when asked (all from the gate's one evaluation);
    returns the report's HTML page, else None."""
    spark = df.sparkSession
    ev = result.evaluation
    if pending is None:
        recording.record(spark, lake.root, run, [*ev.outcomes, *ev.analyzers], fmt)
    else:
        pending.extend(recording.rows_of(run, [*ev.outcomes, *ev.analyzers]))
    if report and history is not None:
        failing = result.quarantined_df
        if failing is None and not result.passed:
            failing = result.failing_rows().withColumnRenamed(ROW_FAIL, "dq_rules_failed")
        doc = recording.report_of(run, ev.outcomes, history, analyzers=ev.analyzers, failing_rows=failing,
                                  unparsed_rows=_unparsed(spark, lake, run.table), completed_at=datetime.now(UTC),
                                  evaluation=ev, samples=recording.rule_samples(ev, result.row_level_df))
        return html_page(recording.write(spark, doc, f"{report.rstrip('/')}/{run.table}"))
    return None


def html_page(written: list[str]) -> str | None:
    """The report's HTML page among the files written."""
    return next((path for path in written if path.endswith(".html")), None)


@dataclass
class _Checked:
    """A table's evaluation, its outcomes written and its metrics recorded; its quarantine not yet applied."""

    table: str
    mode: str
    result: GateResult
    outcomes: str
    page: str | None
    started: float


def _evaluate(spark: SparkSession, lake: Lake, ruleset: RulesetFile, run_id: str, references: dict[str, DataFrame],
              report: str | None, fmt: TableFormat, table_df: DataFrame | None,
              pending: list[tuple[object, ...]] | None) -> _Checked:
    """Evaluate the table's ruleset and apply its gate (a failed fail-mode gate raises after its outcomes
    and metrics are written); the outcomes, the metrics and the report are written from that evaluation."""
    started = time.monotonic()
    table = ruleset.name
    df = table_df if table_df is not None else read_in_format(spark, lake.processed(table), fmt)
    run = recording.Run.now(table, ruleset.name, ruleset.text, run_id, lake.processed(table))
    parsed = parse_ruleset(ruleset.text)
    history = recording.history_for(spark, lake.root, run, parsed, report is not None)
    try:
        result = gate(df, parsed, ruleset.mode, references, table=table, history=history,
                      file_roots=(lake.root,), profile=report is not None)
    except DataQualityError as exc:
        write_outcomes(exc.result, dq_path(lake, table, "outcomes"), table, run_id, fmt)
        _record(df, lake, run, exc.result, report, history, fmt, pending)
        raise
    outcomes = write_outcomes(result, dq_path(lake, table, "outcomes"), table, run_id, fmt)
    page = _record(df, lake, run, result, report, history, fmt, pending)
    return _Checked(table, ruleset.mode, result, outcomes, page, started)


def _applied(lake: Lake, run_id: str, fmt: TableFormat, checked: _Checked) -> TableResult:
    """Apply a quarantine-mode gate (the failing rows leave the table); the table's result."""
    result, table = checked.result, checked.table
    rows_in = result.evaluation.row_count or 0
    kept, quarantined = rows_in, 0
    if result.quarantined_df is not None:
        try:
            kept, quarantined = _quarantine(result, lake, table, run_id, fmt)
        finally:
            result.release()
        kept = rows_in if kept < 0 else kept
    metrics: dict[str, object] = {
        "dq": f"{len(result.results) - len(result.failed_rules)}/{len(result.results)} rules passed "
              f"(mode {checked.mode})",
    }
    if result.failed_rules:
        metrics["dq failed"] = "; ".join(result.failed_rules)
    if checked.page:
        metrics["report"] = checked.page
    return TableResult(
        table=f"dq:{table}", rows_in=rows_in, rows_written=kept, rows_quarantined=quarantined,
        output=checked.outcomes,  # where this check's outcomes went (the checked table keeps its place)
        quarantine_output=dq_path(lake, table, "quarantine") if quarantined else None,
        seconds=round(time.monotonic() - checked.started, 3), metrics=metrics,
    )


def check_table(spark: SparkSession, lake: Lake, ruleset: RulesetFile, run_id: str,
                references: dict[str, DataFrame], report: str | None = None,
                fmt: TableFormat = DEFAULT_FORMAT, *, table_df: DataFrame | None = None,
                pending: list[tuple[object, ...]] | None = None) -> TableResult:
    """Check the processed table of ``ruleset`` (``table_df``: the table as already read) and apply its gate.
    The metrics go to the history, or to ``pending`` for the caller to append (see :func:`_check_tables`)."""
    checked = _evaluate(spark, lake, ruleset, run_id, references, report, fmt, table_df, pending)
    return _applied(lake, run_id, fmt, checked)


def _present(ctx: JobContext, lake: Lake, tables: Iterable[str]) -> list[str]:
    fmt = table_format(ctx)
    return [t for t in tables if table_exists(ctx.spark, lake.processed(t), fmt)]


def _check_tables(ctx: JobContext, lake: Lake, tables: list[str]) -> list[TableResult]:
    """Each table's shipped ruleset, the processed seed tables (but itself) as its references.

    A table is read once (as the checked table and as the others' reference). The tables are evaluated
    side by side (their outcomes and reports written); then the quarantine-mode gates are applied one
    table at a time, since applying one rewrites its table, which the others' rules may read. Every
    table's metrics are appended to the history in one write, also when a gate fails (the job then fails
    with the first failed table's error, after every table was checked)."""
    fmt = table_format(ctx)
    references = {t: read_in_format(ctx.spark, lake.processed(t), fmt) for t in _present(ctx, lake, TABLES)}
    report = ctx.args.get("report") or None
    pending: dict[str, list[tuple[object, ...]]] = {t: [] for t in tables}

    def evaluate(table: str) -> _Checked:
        others = {alias: ref for alias, ref in references.items() if alias != table}
        return _evaluate(ctx.spark, lake, packaged_ruleset(table), ctx.run_id, others, report, fmt,
                         references.get(table), pending[table])

    settled = settle_all(evaluate, tables)
    try:
        checked = values(settled)
    except BaseException:
        for s in settled:
            if s.value is not None:
                s.value.result.release()
        raise
    finally:
        append_metrics(ctx.spark, lake.root, [row for t in tables for row in pending[t]], ctx.run_id, fmt)
    return [_applied(lake, ctx.run_id, fmt, c) for c in checked]


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


#: Its declaration: arguments and checks (:mod:`dea_etl.pipelines.specs`).
JOB = DATA_QUALITY
