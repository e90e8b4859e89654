"""Data-quality reports people and tools read: one evaluation as self-contained HTML, Markdown and JSON.

The HTML needs no network and no script: styles inline, each metric's history drawn as inline SVG
(:mod:`dea_etl.quality.charts`) with this run's expected band (dynamic-rule bounds, anomaly bounds). It
shows the ruleset, each rule's outcome, result, reason and labels, samples of failing rows and of rows that
could not be parsed. The Markdown is a summary for pull requests and job logs. The JSON is Glue's
``GetDataQualityResult`` response (``ResultId``, ``Score``, ``RulesetName``, ``EvaluationContext``,
``StartedOn``, ``CompletedOn``, ``RuleResults``, ``AnalyzerResults``: a team's tooling for Glue results reads
it unchanged) plus one member of dea-etl's own, ``DeaEtl`` (the table, the ruleset, the charts and the
row samples). Every value from the data or the ruleset is escaped (HTML) or fenced (Markdown).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from html import escape

from pyspark.sql import SparkSession

from dea_etl.io import files
from dea_etl.quality.charts import Chart, svg
from dea_etl.quality.historic import BOUND_SUFFIXES, LOWER, PREDICTED, UPPER
from dea_etl.quality.history import History
from dea_etl.quality.outcome import Outcome, score

FILES = ("report.html", "report.md", "report.json")
#: report.json's member of dea-etl's own, beside Glue's GetDataQualityResult members.
EXTENSION = "DeaEtl"


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


_STYLE = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}.Passed{color:#1a7f37}
.Failed{color:#d62728;font-weight:bold}pre{background:#f6f8fa;padding:1em;overflow:auto}
.charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}figcaption{font-size:13px}"""


def _metrics_text(metrics: Mapping[str, float]) -> str:
    return "; ".join(f"{k} = {v:.6g}" for k, v in sorted(metrics.items()))


def _labels_text(labels: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in labels.items())


def _rows_table(rows: Sequence[Mapping[str, object]]) -> str:
    if not rows:
        return "<p>none</p>"
    cols = list(dict.fromkeys(k for r in rows for k in r))
    head = "".join(f"<th>{escape(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(r.get(c, '')))}</td>" for c in cols) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _rule_row(r: Outcome) -> str:
    outcome = r.outcome or ""
    evaluated = "" if r.evaluated_rule in ("", r.rule) else f"<br><small>evaluated: {escape(r.evaluated_rule)}</small>"
    return (f'<tr><td>{escape(r.name)}</td><td>{escape(r.rule)}{evaluated}</td><td class="{escape(outcome)}">'
            f"{escape(outcome)} ({escape(str(r.result))})</td><td>{escape(r.failure_reason or '')}</td>"
            f"<td>{escape(_metrics_text(r.metrics))}</td><td>{escape(_labels_text(r.labels))}</td></tr>")


def _analyzers_table(analyzers: Sequence[Outcome]) -> str:
    if not analyzers:
        return ""
    rows = "".join(f"<tr><td>{escape(a.rule)}</td><td>{escape(_metrics_text(a.metrics))}</td></tr>" for a in analyzers)
    return f"<h2>Analyzers</h2><table><tr><th>Analyzer</th><th>EvaluatedMetrics</th></tr>{rows}</table>"


def render_html(report: Report) -> str:
    rules = "".join(_rule_row(r) for r in report.rules)
    charts = "".join(f"<figure>{svg(c)}<figcaption>{escape(c.metric)}</figcaption></figure>" for c in report.charts)
    title = f"Data quality: {report.table}"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>"
        f"<p>run {escape(report.run_id)} at {escape(report.evaluated_at.isoformat())}: "
        f"{len(report.rules) - report.failed} of {len(report.rules)} rules passed (score {report.score:.2f})</p>"
        f"<h2>Rules</h2><table><tr><th>Name</th><th>Rule</th><th>Outcome</th><th>FailureReason</th>"
        f"<th>EvaluatedMetrics</th><th>Labels</th></tr>"
        f"{rules}</table>{_analyzers_table(report.analyzers)}"
        f"<h2>Metrics over the runs</h2><div class=\"charts\">{charts or '<p>no metric</p>'}</div>"
        f"<h2>Failing rows (sample)</h2>{_rows_table(report.failing_rows)}"
        f"<h2>Rows that could not be parsed (sample)</h2>{_rows_table(report.unparsed_rows)}"
        f"<h2>Ruleset {escape(report.ruleset_name)}</h2><pre>{escape(report.ruleset_text)}</pre></body></html>"
    )


def _md_cell(text: str) -> str:
    return "`" + text.replace("`", "'").replace("|", "\\|").replace("\n", " ") + "`" if text else ""


def render_markdown(report: Report) -> str:
    lines = [f"### Data quality: {report.table} — {len(report.rules) - report.failed} of {len(report.rules)} "
             f"rules passed", "", f"run `{report.run_id}` at {report.evaluated_at.isoformat()}, "
             f"score {report.score:.2f}", "", "| Outcome | Rule | Reason | Labels |", "|---|---|---|---|"]
    lines += [f"| {'✅' if r.passed else '❌'} {r.outcome} ({r.result}) | {_md_cell(r.rule)} | "
              f"{_md_cell(r.failure_reason or '')} | {_md_cell(_labels_text(r.labels))} |" for r in report.rules]
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
