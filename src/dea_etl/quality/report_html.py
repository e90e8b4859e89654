"""report.html: one evaluation as a page people open (as Great Expectations' Data Docs and Soda's reports).

From the top: a pass/fail banner; the dataset (source, rows, columns, run id, time, ruleset, score); the
failing rules, each with its reason, labels and a sample of the rows that fail it (how many in all); the
profile of every column (type, nulls, distinct, min / max, mean, a histogram of numbers); the passing rules;
the analyzers; each metric over the recorded runs (a chart from :data:`~dea_etl.quality.charts.MIN_POINTS`
runs on, else its values in a table); the rows that could not be parsed; the ruleset.

Self-contained: styles and SVG inline, no script, no link, no network. Every value from the data or the
ruleset is escaped (a value ``<script>`` is text) and a null is ``NULL``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from html import escape
from typing import TYPE_CHECKING

from dea_etl.quality.charts import histogram_svg, svg
from dea_etl.quality.outcome import Outcome
from dea_etl.quality.profile import KINDS_WITH_RANGE, NUMBER, TEXT, ColumnProfile, Profile
from dea_etl.quality.report_style import STYLE

if TYPE_CHECKING:
    from dea_etl.quality.report import Report, RuleSample

NULL = "NULL"
def display(value: object) -> str:
    """A value as text: ``NULL`` for a null (at any depth), dates and times in ISO form, lists and maps
    spelled out."""
    if value is None:
        return NULL
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(display(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{display(k)}: {display(v)}" for k, v in value.items()) + "}"
    return str(value)


def _cell(value: object, marked: bool = False) -> str:
    classes = ["null"] if value is None else ["num"] if isinstance(value, int | float) and not isinstance(value, bool) else []
    classes += ["hl"] if marked else []
    attr = f' class="{" ".join(classes)}"' if classes else ""
    return f"<td{attr}>{NULL if value is None else escape(display(value))}</td>"


def rows_table(rows: Sequence[Mapping[str, object]], marked: frozenset[str] = frozenset()) -> str:
    """The rows as a table (scrolled within its box); the ``marked`` columns (those a rule names) come first and
    stand out."""
    if not rows:
        return '<p class="muted">none</p>'
    every = list(dict.fromkeys(k for r in rows for k in r))
    cols = [c for c in every if c in marked] + [c for c in every if c not in marked]
    head = "".join(f'<th{" class=hl" if c in marked else ""}>{escape(c)}</th>' for c in cols)
    body = "".join("<tr>" + "".join(_cell(r.get(c), c in marked) for c in cols) + "</tr>" for r in rows)
    return f'<div class="rows"><table><tr>{head}</tr>{body}</table></div>'


def number(value: float | int) -> str:
    """A whole number in full (``2,398,400``, not ``2.3984e+06``), another with 6 significant digits; thousands
    separators from 10,000 on (a year reads ``2014``, not ``2,014``)."""
    sep = "," if abs(value) >= 10_000 else ""
    if isinstance(value, int) or (math.isfinite(value) and value == int(value) and abs(value) < 1e15):
        return f"{int(value):{sep}}"
    return f"{value:{sep}.6g}"


def percent(share: float) -> str:
    """A share as a percentage; a share too small to show as 0.1 % is "<0.1%", not "0.0%"."""
    return "<0.1%" if 0 < share < 0.0005 else f"{share:.1%}"


def _labels(labels: Mapping[str, str]) -> str:
    return "".join(f'<span class="chip">{escape(k)}={escape(v)}</span>' for k, v in labels.items())


def _metrics(metrics: Mapping[str, float]) -> str:
    return "; ".join(f"{escape(k)} = {escape(number(v))}" for k, v in sorted(metrics.items()))


def _banner(report: Report) -> str:
    rules, failed = len(report.rules), report.failed
    errors = sum(r.error and not r.passed for r in report.rules)
    if failed:
        summary = f"{failed} of {rules} rules failed" + (f" ({errors} could not be evaluated)" if errors else "")
    else:
        summary = f"all {rules} rules passed"
    state, verdict = ("fail", "FAILED") if failed else ("pass", "PASSED")
    return (f'<header class="banner {state}" id="banner"><span class="verdict">{verdict}</span>'
            f'<span class="summary">{summary} · score {report.score:.2f} · {escape(report.table)}</span></header>')


def _header(report: Report) -> str:
    took = ""
    if report.started_at is not None:
        took = f" (took {(report.evaluated_at - report.started_at).total_seconds():.1f} s)"
    rows = "unknown" if report.row_count is None else f"{report.row_count:,}"
    facts = [("source", report.source or report.table), ("rows", rows),
             ("columns", f"{len(report.columns):,}" if report.columns else "unknown"), ("run id", report.run_id),
             ("evaluated at", report.evaluated_at.strftime("%Y-%m-%d %H:%M:%S %Z") + took),
             ("ruleset", report.ruleset_name),
             ("score", f"{report.score:.2f} ({len(report.rules) - report.failed} of {len(report.rules)} rules passed)")]
    items = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in facts)
    return (f'<section id="dataset"><h1>{escape(report.table)} <small>data quality report</small></h1>'
            f'<dl class="facts">{items}</dl></section>')


def _rule_title(r: Outcome) -> str:
    evaluated = ("" if r.evaluated_rule in ("", r.rule)
                 else f'<p class="muted">evaluated as <code>{escape(r.evaluated_rule)}</code></p>')
    return (f'<h3><span class="badge {r.result}">{r.result}</span><code>{escape(r.rule)}</code> '
            f'<span class="muted">{escape(r.name)}</span></h3>{evaluated}')


def _named_columns(rule: str) -> frozenset[str]:
    """The column names a rule quotes (``IsComplete "customerid"``)."""
    return frozenset(m.replace('\\"', '"') for m in re.findall(r'"((?:[^"\\]|\\.)*)"', rule))


def _sample(rule: Outcome, samples: Mapping[str, RuleSample] | None) -> str:
    if samples is None or rule.error:  # no sample taken; a rule not evaluated failed no row
        return ""
    sample = samples.get(rule.name)
    if sample is None:
        return '<p class="muted">A rule on the whole dataset: no row fails it on its own.</p>'
    if not sample.rows:
        return '<p class="muted">No row fails it on its own.</p>'
    shown = len(sample.rows)
    which = (f"The first {shown} rows that fail it" if sample.more
             else "The row that fails it" if shown == 1 else f"The {shown} rows that fail it")
    return f"<p><b>{which}</b>:</p>{rows_table(sample.rows, _named_columns(rule.rule))}"


def _failing(report: Report) -> str:
    failing = [r for r in report.rules if not r.passed]
    if not failing:
        return ""
    cards = []
    for r in failing:
        extra = [f"labels {_labels(r.labels)}"] if r.labels else []
        if r.metrics:
            extra.append(f"metrics {_metrics(r.metrics)}")
        cards.append(f'<article class="rule{" error" if r.error else ""}">{_rule_title(r)}'
                     f'<p class="reason">{escape(r.failure_reason or "")}</p>'
                     + "".join(f'<p class="muted">{e}</p>' for e in extra)
                     + _sample(r, report.samples) + "</article>")
    return f'<section id="failing"><h2>Failing rules <span class="count">({len(failing)})</span></h2>{"".join(cards)}</section>'


def _minmax(c: ColumnProfile, value: object) -> str:
    if value is None:
        return f'<td class="null">{NULL}</td>' if c.kind in KINDS_WITH_RANGE else "<td></td>"
    if c.kind == TEXT:
        return f'<td class="num"><span class="muted">length</span> {int(str(value)):,}</td>'
    if c.kind == NUMBER and isinstance(value, int | float):
        return f'<td class="num">{escape(number(value))}</td>'
    return f"<td>{escape(display(value))}</td>"


def _histogram(c: ColumnProfile) -> str:
    titles = [f"{b.lower:.6g}: {b.count:,} rows" if b.lower == b.upper
              else f"{b.lower:.6g} to {b.upper:.6g}: {b.count:,} rows" for b in c.histogram]
    return histogram_svg([b.count for b in c.histogram], titles)


def _profile(profile: Profile | None) -> str:
    if profile is None:
        return ""
    head = ("<tr><th>column</th><th>type</th><th>nulls</th><th>null %</th><th>distinct (≈)</th><th>min</th>"
            "<th>max</th><th>mean</th><th>histogram</th></tr>")
    body = []
    for c in profile.columns:
        share = c.null_fraction(profile.rows)
        warn = " warn" if c.nulls else ""
        nulls = f'<td class="num{warn}">{c.nulls:,}</td><td class="num{warn}">{percent(share)}</td>'
        nan = f' <span class="warn">{c.nan:,} NaN</span>' if c.nan else ""
        distinct = "" if c.distinct is None else f"{c.distinct:,}"
        mean = "" if c.mean is None else escape(number(c.mean))
        body.append(f"<tr><td><code>{escape(c.name)}</code></td><td>{escape(c.type)}{nan}</td>{nulls}"
                    f'<td class="num">{distinct}</td>{_minmax(c, c.minimum)}{_minmax(c, c.maximum)}'
                    f'<td class="num">{mean}</td><td>{_histogram(c)}</td></tr>')
    return (f'<section id="profile"><h2>Profile <span class="count">({len(profile.columns)} columns, '
            f'{profile.rows:,} rows)</span></h2><table>{head}{"".join(body)}</table></section>')


def _passing(report: Report) -> str:
    passing = [r for r in report.rules if r.passed]
    if not passing:
        return ""
    rows = "".join(f'<tr><td><span class="badge PASS">PASS</span></td><td><code>{escape(r.rule)}</code>'
                   + ("" if r.evaluated_rule in ("", r.rule) else
                      f'<br><span class="muted">evaluated as <code>{escape(r.evaluated_rule)}</code></span>')
                   + f"</td><td>{escape(r.name)}</td><td>{_metrics(r.metrics)}</td><td>{_labels(r.labels)}</td></tr>"
                   for r in passing)
    return (f'<section id="passing"><h2>Passing rules <span class="count">({len(passing)})</span></h2><table>'
            f"<tr><th></th><th>rule</th><th>name</th><th>metrics</th><th>labels</th></tr>{rows}</table></section>")


def _analyzers(analyzers: Sequence[Outcome]) -> str:
    if not analyzers:
        return ""
    rows = "".join(f"<tr><td><code>{escape(a.rule)}</code></td><td>{_metrics(a.metrics)}</td></tr>" for a in analyzers)
    return (f'<section id="analyzers"><h2>Analyzers</h2><table><tr><th>analyzer</th><th>metrics</th></tr>{rows}'
            "</table></section>")


def _history(report: Report) -> str:
    drawn = [c for c in report.charts if c.drawn]
    table = [c for c in report.charts if not c.drawn]
    figures = "".join(f"<figure><figcaption>{escape(c.metric)}</figcaption>{svg(c)}</figure>" for c in drawn)
    rows = "".join(f"<tr><td>{escape(c.metric)}</td><td class=num>{', '.join(number(v) for v in c.values[:-1])}"
                   f"</td><td class=num><b>{number(c.values[-1])}</b></td></tr>" for c in table)
    values = ""
    if rows:
        values = (f'<p class="muted">Fewer than 3 runs recorded: no chart yet.</p><table><tr><th>metric</th>'
                  f"<th>earlier runs</th><th>this run</th></tr>{rows}</table>")
    if not (figures or values):
        return ""
    return f'<section id="history"><h2>Metrics over the runs</h2><div class="charts">{figures}</div>{values}</section>'


def _unparsed(rows: Sequence[Mapping[str, object]]) -> str:
    if not rows:
        return ""
    return (f'<section id="unparsed"><h2>Rows that could not be parsed <span class="count">(first {len(rows)})'
            f"</span></h2>{rows_table(rows)}</section>")


def render_html(report: Report) -> str:
    title = f"Data quality: {report.table} — {'FAILED' if report.failed else 'PASSED'}"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{STYLE}</style></head>'
        f"<body>{_banner(report)}<main>{_header(report)}{_failing(report)}{_unparsed(report.unparsed_rows)}"
        f"{_profile(report.profile)}{_passing(report)}{_analyzers(report.analyzers)}{_history(report)}"
        f'<section id="ruleset"><h2>Ruleset <span class="count">{escape(report.ruleset_name)}</span></h2>'
        f"<pre>{escape(report.ruleset_text)}</pre></section></main></body></html>"
    )
