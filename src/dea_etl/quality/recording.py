"""After an evaluation: append its metrics to the lake's history and write its report.

Used by the ``data_quality`` job and by ``dea-etl dq``; both give the rules' and the analyzers' outcomes
(:class:`~dea_etl.quality.outcome.Outcome`, from the one evaluation) and, for the report, samples of the
failing and the unparsable rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pyspark.sql import DataFrame, SparkSession

from dea_etl.io.tables import DEFAULT_FORMAT, TableFormat
from dea_etl.quality.historic import needs_history
from dea_etl.quality.history import History, append_metrics, load_history, metric_rows
from dea_etl.quality.model import Ruleset
from dea_etl.quality.outcome import Outcome
from dea_etl.quality.report import Report, build_charts, write_report

SAMPLE_ROWS = 20


@dataclass(frozen=True)
class Run:
    """Who and when: the table checked, the ruleset's name and text, the run id and time."""

    table: str
    ruleset_name: str
    ruleset_text: str
    run_id: str
    evaluated_at: datetime

    @staticmethod
    def now(table: str, ruleset_name: str, ruleset_text: str, run_id: str) -> Run:
        return Run(table, ruleset_name, ruleset_text, run_id, datetime.now(UTC))


def rows_of(run: Run, outcomes: Sequence[Outcome]) -> list[tuple[object, ...]]:
    """The history rows of the run's rules' and analyzers' metrics."""
    return metric_rows(outcomes, table=run.table, ruleset=run.ruleset_name, run_id=run.run_id,
                       evaluated_at=run.evaluated_at)


def record(spark: SparkSession, lake: str, run: Run, outcomes: Sequence[Outcome],
           table_format: TableFormat = DEFAULT_FORMAT) -> str:
    """Append the run's rules' and analyzers' metrics to ``<lake>/processedData/_dq/metrics`` (a new history in
    ``table_format``); returns that path."""
    return append_metrics(spark, lake, rows_of(run, outcomes), run.run_id, table_format)


def history_for(spark: SparkSession, lake: str, run: Run, ruleset: Ruleset, report: bool) -> History | None:
    """The table's recorded history when the ruleset reads it (dynamic rules, DetectAnomalies) or a report
    charts it; else None (nothing read)."""
    if report or needs_history(ruleset):
        return load_history(spark, lake, run.table, before_run=run.run_id)
    return None


def sample(df: DataFrame | None, n: int = SAMPLE_ROWS) -> tuple[Mapping[str, object], ...]:
    """Up to ``n`` rows of ``df`` as dicts (values as Spark gives them)."""
    if df is None:
        return ()
    return tuple(r.asDict(recursive=True) for r in df.limit(n).collect())


def report_of(run: Run, rules: Sequence[Outcome], history: History, *, analyzers: Sequence[Outcome] = (),
              failing_rows: DataFrame | None = None, unparsed_rows: DataFrame | None = None,
              completed_at: datetime | None = None) -> Report:
    """The report of one evaluation: its rules' and analyzers' outcomes, the history charted, row samples."""
    label = run.evaluated_at.strftime("%Y-%m-%d %H:%M") + " (this run)"
    return Report(run.table, run.ruleset_name, run.ruleset_text, run.run_id, completed_at or run.evaluated_at,
                  tuple(rules), sample(failing_rows), sample(unparsed_rows), build_charts(rules, history, label),
                  tuple(analyzers), run.evaluated_at)


def write(spark: SparkSession, report: Report, folder: str) -> list[str]:
    """The report's three files in ``folder``."""
    return write_report(spark, report, folder)
