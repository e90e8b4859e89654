"""Rules that read the metric history: dynamic thresholds and ``DetectAnomalies``, around one evaluation.

Before the shared pass, :func:`plan` resolves every dynamic operand (``avg(last(10)) * 0.8``) to a number
from the history of the rule's metric, and turns ``DetectAnomalies "Rule" "params"`` into the rule it
watches with a condition that always holds (its metric is computed in the same pass). After the pass,
:meth:`Plan.finish` judges each ``DetectAnomalies`` with :func:`dea_etl.quality.anomaly.detect` and adds
the expected bounds to EvaluatedMetrics (``<metric>.LowerBound`` / ``.UpperBound``, and ``.Predicted``),
and gives rules whose dynamic operand could not be evaluated their reason. Nothing here passes a rule it
could not judge: an unresolved operand is NaN, and NaN satisfies no condition.

The history of a rule's metric is keyed by the metric's name, which follows from the rule type and its
parameters as written (``RowCount`` -> ``Dataset.*.RowCount``, ``Mean "x"`` -> ``Column.x.Mean``,
``Uniqueness "a" "b"`` -> ``Multicolumn.a,b.Uniqueness``, ``ColumnCorrelation`` -> ``Multicolumn.a,b...``,
``CustomSql`` -> ``Dataset.*.CustomSQL``). ``DetectAnomalies "ColumnLength" "col"`` watches two metrics,
``Column.col.MinimumLength`` and ``Column.col.MaximumLength``, and ``DetectAnomalies "ColumnValues" "col"``
(a numeric column) ``Column.col.Minimum`` and ``Column.col.Maximum`` (an anomaly in either fails it, each
with its bounds). Rule types without such metrics (the comparisons with other datasets...) cannot be
watched, and only single-metric rule types can be dynamic: the rule fails and says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from dea_etl.quality.anomaly import detect
from dea_etl.quality.charts import LOWER, PREDICTED, UPPER
from dea_etl.quality.context import Context, Outcome, Prepared, RuleError
from dea_etl.quality.dynamic import Dynamic, DynamicRuleError, threshold
from dea_etl.quality.history import EMPTY, History
from dea_etl.quality.model import Composite, Condition, Op, Rule, RuleNode, Ruleset
from dea_etl.quality.registry import Signature, rule_type

DETECT = "DetectAnomalies"


@rule_type(DETECT, Signature(1, 3, "none"))
def detect_anomalies(rule: Rule, ctx: Context) -> Prepared:
    """Never reached through run_ruleset: :func:`plan` turns a DetectAnomalies rule into the rule it
    watches and judges it with the history afterwards."""
    raise RuleError("DetectAnomalies is evaluated with the metric history (run_ruleset / evaluate)")

_ANY = Condition(Op.GT, (-math.inf,))
_DATASET = {"RowCount": "RowCount", "ColumnCount": "ColumnCount", "CustomSql": "CustomSQL"}
_COLUMN = frozenset({"Completeness", "Mean", "Sum", "StandardDeviation", "Variance", "Entropy",
                     "DistinctValuesCount", "UniqueValueRatio", "Uniqueness"})
#: Rule types DetectAnomalies watches through several metrics at once (an anomaly in any one fails it).
_MULTI = {"ColumnLength": ("MinimumLength", "MaximumLength"), "ColumnValues": ("Minimum", "Maximum")}
#: The rule types whose metric has a history (see the module doc).
WATCHABLE = frozenset({*_DATASET, *_COLUMN, "ColumnCorrelation", *_MULTI})
_EVERY = Condition(Op.BETWEEN, (-math.inf, math.inf))


def metric_name(rule_type: str, params: Sequence[str]) -> str | None:
    """The name of the one metric a rule type reports, or None when it has no such single metric."""
    if rule_type in _DATASET and (rule_type != "CustomSql" or params):
        return f"Dataset.*.{_DATASET[rule_type]}"
    if rule_type in _COLUMN and params:
        prefix = f"Column.{params[0]}" if len(params) == 1 else f"Multicolumn.{','.join(params)}"
        return f"{prefix}.{rule_type}"
    if rule_type == "ColumnCorrelation" and len(params) == 2:
        return f"Multicolumn.{params[0]},{params[1]}.ColumnCorrelation"
    return None


def _leaves(node: RuleNode) -> list[Rule]:
    return node.leaves() if isinstance(node, Composite) else [node]


def needs_history(ruleset: Ruleset) -> bool:
    return any(leaf.rule_type == DETECT or _dynamic(leaf) for node in ruleset.rules for leaf in _leaves(node))


def _dynamic(rule: Rule) -> bool:
    return rule.condition is not None and any(isinstance(v, Dynamic) for v in rule.condition.values)


@dataclass
class Plan:
    """The ruleset to evaluate (history resolved) and what to do with its outcomes afterwards."""

    ruleset: Ruleset
    history: History
    at: datetime
    #: top-level index -> (watched metrics, none when it cannot be watched; the reason then)
    watched: dict[int, tuple[tuple[str, ...], str | None]] = field(default_factory=dict)
    #: top-level index -> reason a dynamic operand failed, or the resolved bounds per metric
    problems: dict[int, str] = field(default_factory=dict)
    bounds: dict[int, dict[str, float]] = field(default_factory=dict)

    def finish(self, outcomes: list[Outcome]) -> list[Outcome]:
        out = list(outcomes)
        for i, problem in self.problems.items():
            out[i] = Outcome(False, problem, dict(out[i].metrics))
        for i, extra in self.bounds.items():
            if i not in self.problems:
                out[i] = Outcome(out[i].passed, out[i].reason, {**out[i].metrics, **extra})
        for i, (metrics, reason) in self.watched.items():
            out[i] = self._judge(out[i], metrics, reason)
        return out

    def _judge(self, measured: Outcome, watched: tuple[str, ...], reason: str | None) -> Outcome:
        """Each watched metric checked against its history; an anomaly in any one fails the rule."""
        if not watched:
            return Outcome(False, reason, dict(measured.metrics))
        metrics: dict[str, float] = {}
        anomalies = []
        for metric in watched:
            value = measured.metrics.get(metric)
            if not measured.passed and value is None:
                return measured  # the watched rule could not be evaluated: its reason stands
            if value is None or not math.isfinite(value):
                return Outcome(False, f"{metric} has no value to check for anomalies", dict(measured.metrics))
            points = [(p.evaluated_at, p.value) for p in self.history.points(metric)]
            result = detect(points, value, self.at)
            metrics[metric] = value
            if result.lower is not None and result.upper is not None and result.predicted is not None:
                metrics.update({metric + LOWER: result.lower, metric + UPPER: result.upper,
                                metric + PREDICTED: result.predicted})
            if result.anomaly:
                anomalies.append(result.reason if len(watched) == 1 else f"{metric}: {result.reason}")
        return Outcome(not anomalies, f"Anomaly detected: {'; '.join(anomalies)}" if anomalies else None, metrics)


def _watch(rule: Rule) -> tuple[RuleNode, tuple[str, ...], str | None]:
    target, params = (rule.params[0], rule.params[1:]) if rule.params else ("", ())
    if target in _MULTI and len(params) == 1:
        metrics = tuple(f"Column.{params[0]}.{name}" for name in _MULTI[target])
        if target == "ColumnLength":  # its shortest and longest value, from one rule
            return (Rule(target, params, _EVERY, rule.text, where=rule.where, line=rule.line, column=rule.column),
                    metrics, None)
        # ColumnValues "col" (a numeric column): its smallest and largest value, from two rules that always hold
        bounds = (Condition(Op.GT, (-math.inf,)), Condition(Op.LT, (math.inf,)))
        parts = tuple(Rule(target, params, c, rule.text, where=rule.where, line=rule.line, column=rule.column)
                      for c in bounds)
        return Composite("and", parts, rule.text), metrics, None
    metric = metric_name(target, params) if target in WATCHABLE else None
    if metric is None:
        known = ", ".join(sorted(WATCHABLE))
        # evaluated as a row count (any value holds); finish() fails it with this reason
        return (Rule("RowCount", (), _ANY, rule.text, line=rule.line, column=rule.column), (),
                f"DetectAnomalies cannot watch {target!r} here; it watches {known}")
    return Rule(target, params, _ANY, rule.text, where=rule.where, line=rule.line, column=rule.column), (metric,), None


def _resolve(rule: Rule, history: History) -> tuple[Rule, str | None, dict[str, float]]:
    """The rule with numbers for its dynamic operands; the reason when they cannot be evaluated; bounds."""
    assert rule.condition is not None
    metric = metric_name(rule.rule_type, rule.params)
    if metric is None:
        return rule, f"{rule.rule_type} cannot use dynamic thresholds (no single metric with a history)", {}
    try:
        values = tuple(threshold(v.expr, history.values(metric)) if isinstance(v, Dynamic) else v
                       for v in rule.condition.values)
    except DynamicRuleError as exc:
        return rule, f"Dynamic threshold cannot be evaluated: {exc}", {}
    nums = [float(v) for v in values if isinstance(v, float)]
    bounds = {}
    if rule.condition.op in (Op.GT, Op.GE) and nums:
        bounds = {metric + LOWER: nums[0]}
    elif rule.condition.op in (Op.LT, Op.LE) and nums:
        bounds = {metric + UPPER: nums[0]}
    elif rule.condition.op is Op.BETWEEN and len(nums) == 2 and not rule.condition.negated:
        bounds = {metric + LOWER: nums[0], metric + UPPER: nums[1]}
    return replace(rule, condition=replace(rule.condition, values=values)), None, bounds


def _rewrite(node: RuleNode, i: int, p: Plan, top: bool = True) -> RuleNode:
    if isinstance(node, Composite):
        parts = tuple(_rewrite(r, i, p, top=False) for r in node.rules)
        if any(leaf.rule_type == DETECT for leaf in node.leaves()):
            p.problems[i] = "DetectAnomalies is a rule of its own: it cannot be combined with and / or"
        return replace(node, rules=parts)
    if node.rule_type == DETECT:
        watched, metric, reason = _watch(node)
        if top:
            p.watched[i] = (metric, reason)
        return watched
    if not _dynamic(node):
        return node
    resolved, problem, bounds = _resolve(node, p.history)
    if problem:
        p.problems.setdefault(i, problem)
    p.bounds.setdefault(i, {}).update(bounds)
    return resolved


def plan(ruleset: Ruleset, history: History | None = None, at: datetime | None = None) -> Plan:
    """Resolve ``ruleset`` against ``history`` (nothing recorded: ``last()`` is 0.0, anomalies pass)."""
    p = Plan(ruleset, history or EMPTY, at or datetime.now(UTC))
    if needs_history(ruleset):
        p.ruleset = replace(ruleset, rules=tuple(_rewrite(n, i, p) for i, n in enumerate(ruleset.rules)))
    return p
