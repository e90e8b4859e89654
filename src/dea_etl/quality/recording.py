"""After an evaluation: append its metrics to the lake's history and write its report.

Used by the ``data_quality`` job and by ``dea-etl dq``; both give the rules' and the analyzers' outcomes
(:class:`~dea_etl.quality.outcome.Outcome`, from the one evaluation) and, for the report, the evaluation's
profile, row count and columns, samples of the failing and the unparsable rows, and per failing rule the
first rows that fail it (:func:`rule_samples`, from the evaluation's row-level verdicts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from dea_etl.io.tables import DEFAULT_FORMAT, TableFormat
from dea_etl.quality.historic import needs_history
from dea_etl.quality.history import History, append_metrics, load_history, metric_rows
from dea_etl.quality.model import Ruleset
from dea_etl.quality.outcome import Outcome
from dea_etl.quality.report import Report, RuleSample, build_charts, write_report
from dea_etl.quality.run import Evaluation

SAMPLE_ROWS = 20


@dataclass(frozen=True)
class Run:
    """Who and when: the table checked, the ruleset's name and text, the run id and time, where the data was
    read."""

    table: str
    ruleset_name: str
    ruleset_text: str
    run_id: str
    evaluated_at: datetime
    source: str = ""

    @staticmethod
    def now(table: str, ruleset_name: str, ruleset_text: str, run_id: str, source: str = "") -> Run:
        return Run(table, ruleset_name, ruleset_text, run_id, datetime.now(UTC), source)


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


def _column(name: str) -> Column:
    return F.col("`" + name.replace("`", "``") + "`")


def rule_samples(ev: Evaluation, rows_df: DataFrame | None = None, n: int = SAMPLE_ROWS) -> dict[str, RuleSample]:
    """Per failing rule with row-level verdicts (by name), the first ``n`` rows that fail it (their columns as
    checked), one limited read each (Spark reads on only until it has them; no count, no pass of its own).
    ``rows_df``: the evaluation's row-level frame when it is at hand (the gate persists it in quarantine mode;
    a rule fails a row when it is in its DataQualityRulesFail); else the verdict is added to the evaluated
    data. A rule that could not be evaluated (ERROR) has none: it failed no row of its own."""
    from dea_etl.quality.evaluate import ROW_FAIL

    failing = [(o.name, node.text, row) for node, o, row in zip(ev.rules, ev.outcomes, ev.rows, strict=True)
               if not o.passed and not o.error and row is not None and not ev.rows_clean]  # clean: none fails
    columns = [_column(c) for c in ev.columns]
    out = {}
    for name, text, row in failing:
        fails = (rows_df.where(F.array_contains(F.col(ROW_FAIL), text)) if rows_df is not None
                 else ev.base.where(F.coalesce(~row, F.lit(False))))
        rows = sample(fails.select(*columns), n + 1)
        out[name] = RuleSample(rows[:n], more=len(rows) > n)
    return out


def report_of(run: Run, rules: Sequence[Outcome], history: History, *, analyzers: Sequence[Outcome] = (),
              failing_rows: DataFrame | None = None, unparsed_rows: DataFrame | None = None,
              completed_at: datetime | None = None, evaluation: Evaluation | None = None,
              samples: Mapping[str, RuleSample] | None = None) -> Report:
    """The report of one evaluation: its rules' and analyzers' outcomes, the history charted, row samples;
    from ``evaluation``, the rows and columns checked and their profile; ``samples``: :func:`rule_samples`."""
    label = run.evaluated_at.strftime("%Y-%m-%d %H:%M") + " (this run)"
    return Report(
        run.table, run.ruleset_name, run.ruleset_text, run.run_id, completed_at or run.evaluated_at, tuple(rules),
        sample(failing_rows), sample(unparsed_rows), build_charts(rules, history, label), tuple(analyzers),
        run.evaluated_at, source=run.source,
        row_count=evaluation.row_count if evaluation is not None else None,
        columns=tuple(evaluation.columns) if evaluation is not None else (),
        profile=evaluation.profile if evaluation is not None else None, samples=None if samples is None else dict(samples),
    )


def write(spark: SparkSession, report: Report, folder: str) -> list[str]:
    """The report's three files in ``folder``."""
    return write_report(spark, report, folder)
