"""Data-quality reports people and tools read: one evaluation as self-contained HTML, Markdown and JSON.

The HTML (:mod:`dea_etl.quality.report_html`) leads with a pass/fail banner and the dataset, then the
failing rules with samples of the rows that fail each, the columns' profile, the passing rules and each
metric over the runs; it needs no network and no script. The Markdown is a summary for pull requests and
job logs (the same order, without rows). The JSON is Glue's ``GetDataQualityResult`` response
(``ResultId``, ``Score``, ``RulesetName``, ``EvaluationContext``, ``StartedOn``, ``CompletedOn``,
``RuleResults``, ``AnalyzerResults``: a team's tooling for Glue results reads it unchanged) plus one member
of dea-etl's own, ``DeaEtl`` (the table and where it was read, the ruleset, the charts, the row samples and
the profile). Every value from the data or the ruleset is escaped (HTML) or fenced (Markdown); a null is
``NULL`` in HTML and Markdown, ``null`` in JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

from pyspark.sql import SparkSession

from dea_etl.io import files
from dea_etl.quality.charts import Chart
from dea_etl.quality.historic import BOUND_SUFFIXES, LOWER, PREDICTED, UPPER
from dea_etl.quality.history import History
from dea_etl.quality.outcome import Outcome, score
from dea_etl.quality.profile import KINDS_WITH_RANGE, TEXT, Profile
from dea_etl.quality.report_html import display, render_html

__all__ = ["EXTENSION", "FILES", "Report", "RuleSample", "build_charts", "glue_result", "render_all", "render_html",
           "render_json", "render_markdown", "write_report"]

FILES = ("report.html", "report.md", "report.json")
#: report.json's member of dea-etl's own, beside Glue's GetDataQualityResult members.
EXTENSION = "DeaEtl"


@dataclass(frozen=True)
class RuleSample:
    """The first rows that fail one row-level rule; ``more``: other rows fail it too."""

    rows: tuple[Mapping[str, object], ...] = ()
    more: bool = False


@dataclass(frozen=True)
class Report:
    table: str
    ruleset_name: str
    ruleset_text: str
    run_id: str
    evaluated_at: datetime
    rules: tuple[Outcome, ...]
    failing_rows: tuple[Mapping[str, object], ...] = ()
    unparsed_rows: tuple[Mapping[str, object], ...] = ()
    charts: tuple[Chart, ...] = field(default_factory=tuple)
    analyzers: tuple[Outcome, ...] = ()
    started_at: datetime | None = None
    #: where the data was read (a path, a table), its rows and columns
    source: str = ""
    row_count: int | None = None
    columns: tuple[str, ...] = ()
    profile: Profile | None = None
    #: per failing row-level rule (by its name, ``Rule_2``), the rows that fail it (None: not sampled)
    samples: Mapping[str, RuleSample] | None = None

    @property
    def failed(self) -> int:
        return sum(not r.passed for r in self.rules)

    @property
    def score(self) -> float:
        return score(list(self.rules))


def charts_for(metrics: Sequence[str]) -> list[str]:
    """The metrics that get a chart: every metric but the bound/prediction companions."""
    return [m for m in metrics if not m.endswith(BOUND_SUFFIXES)]


def build_charts(rules: Sequence[Outcome], history: History, run_label: str) -> tuple[Chart, ...]:
    """One chart per metric of this run: its recorded history plus this run, with this run's bounds."""
    charts = []
    for line in rules:
        for metric in charts_for(sorted(line.metrics)):
            if not math.isfinite(line.metrics[metric]):
                continue  # nothing to draw (a rule that could not be evaluated)
            points = history.points(metric)
            charts.append(Chart(
                metric=metric,
                labels=(*(p.evaluated_at.strftime("%Y-%m-%d %H:%M") for p in points), run_label),
                values=(*(p.value for p in points), float(line.metrics[metric])),
                lower=line.metrics.get(metric + LOWER),
                upper=line.metrics.get(metric + UPPER),
                failed=not line.passed,
            ))
    seen: set[str] = set()
    return tuple(c for c in charts if not (c.metric in seen or seen.add(c.metric)))  # type: ignore[func-returns-value]


def _labels_text(labels: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in labels.items())


def _md_cell(text: str) -> str:
    return "`" + text.replace("`", "'").replace("|", "\\|").replace("\n", " ") + "`" if text else ""


def _md_profile(profile: Profile) -> list[str]:
    lines = ["", f"#### Profile ({len(profile.columns)} columns)", "",
             "| Column | Type | Nulls | Distinct (≈) | Min | Max |", "|---|---|--:|--:|--:|--:|"]
    for c in profile.columns:
        lo, hi = (("NULL" if c.kind in KINDS_WITH_RANGE else "") if v is None else f"length {v}" if c.kind == TEXT
                  else display(v) for v in (c.minimum, c.maximum))
        distinct = "" if c.distinct is None else f"{c.distinct:,}"
        lines.append(f"| {_md_cell(c.name)} | {c.type} | {c.nulls:,} ({c.null_fraction(profile.rows):.1%}) | "
                     f"{distinct} | {_md_cell(lo)} | {_md_cell(hi)} |")
    return lines


def _md_rule(r: Outcome) -> str:
    return (f"| {'✅' if r.passed else '❌'} {r.outcome} ({r.result}) | {_md_cell(r.rule)} | "
            f"{_md_cell(r.failure_reason or '')} | {_md_cell(_labels_text(r.labels))} |")


def render_markdown(report: Report) -> str:
    passed = len(report.rules) - report.failed
    verdict = "FAILED" if report.failed else "PASSED"
    rows = "unknown" if report.row_count is None else f"{report.row_count:,}"
    lines = [f"### Data quality: {report.table} — {passed} of {len(report.rules)} rules passed", "",
             f"**{verdict}**, score {report.score:.2f}: {_md_cell(report.source or report.table)}, {rows} rows, "
             f"{len(report.columns)} columns; run `{report.run_id}` at {report.evaluated_at.isoformat()}, ruleset "
             f"{_md_cell(report.ruleset_name)}", "",
             "| Outcome | Rule | Reason | Labels |", "|---|---|---|---|"]
    ordered = [r for r in report.rules if not r.passed] + [r for r in report.rules if r.passed]
    lines += [_md_rule(r) for r in ordered]
    if report.profile is not None:
        lines += _md_profile(report.profile)
    lines += ["", f"{len(report.failing_rows)} failing rows sampled, {len(report.unparsed_rows)} unparsed rows sampled."]
    return "\n".join(lines) + "\n"


def _finite(value: object) -> object:
    """NaN / infinity as null (JSON has neither)."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def glue_result(report: Report) -> dict[str, object]:
    """Glue's GetDataQualityResult response for this evaluation (timestamps as epoch seconds, as on the wire)."""
    return {
        "ResultId": report.run_id,
        "Score": report.score,
        "RulesetName": report.ruleset_name,
        "EvaluationContext": report.table,
        "StartedOn": (report.started_at or report.evaluated_at).timestamp(),
        "CompletedOn": report.evaluated_at.timestamp(),
        "RuleResults": [r.glue() for r in report.rules],
        "AnalyzerResults": [a.glue_analyzer() for a in report.analyzers],
    }


def render_json(report: Report) -> str:
    charts = [asdict(c) for c in report.charts]
    for chart in charts:
        chart["predicted"] = next((r.metrics.get(chart["metric"] + PREDICTED) for r in report.rules
                                   if chart["metric"] + PREDICTED in r.metrics), None)
    own = {
        "table": report.table, "run_id": report.run_id, "evaluated_at": report.evaluated_at.isoformat(),
        "ruleset_text": report.ruleset_text, "charts": charts,
        "failing_rows": list(report.failing_rows), "unparsed_rows": list(report.unparsed_rows),
        "source": report.source, "row_count": report.row_count, "columns": list(report.columns),
        "rule_samples": {name: {"rows": list(s.rows), "more": s.more} for name, s in (report.samples or {}).items()},
        "profile": None if report.profile is None else report.profile.to_json(),
    }
    data = {**glue_result(report), EXTENSION: own}
    return json.dumps(_finite(data), indent=2, default=str, allow_nan=False) + "\n"


def render_all(report: Report) -> dict[str, str]:
    """``{file name: text}`` for the three reports."""
    html, md, js = FILES
    return {html: render_html(report), md: render_markdown(report), js: render_json(report)}


def write_report(spark: SparkSession, report: Report, folder: str) -> list[str]:
    """Write the three reports into ``folder`` (a local folder or ``s3://...``); returns their paths."""
    paths = []
    for name, text in render_all(report).items():
        path = f"{folder.rstrip('/')}/{name}"
        files.write_text(spark, path, text)
        paths.append(path)
    return paths
