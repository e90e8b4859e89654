"""Rules that read the metric history: dynamic thresholds and ``DetectAnomalies``, around one evaluation.

Before the shared pass, :func:`plan` resolves every dynamic operand (``avg(last(10)) * 0.8``) to a number
from the history of the rule's metric, and turns ``DetectAnomalies "Rule" "params"`` (or ``DetectAnomalies
of Rule of "params"``) into the rule(s) gathering the metrics it watches, whose conditions always hold
(computed in the same pass). After the pass, :meth:`Plan.finish` judges each ``DetectAnomalies`` with
:func:`dea_etl.quality.anomaly.detect` and adds the expected bounds to EvaluatedMetrics
(``<metric>.LowerBound`` / ``.UpperBound``, and ``.Predicted``), and gives rules whose dynamic operand could
not be evaluated their reason. Nothing here passes a rule it could not judge: an unresolved operand is
NaN, and NaN satisfies no condition.

The history of a rule's metric is keyed by the metric's name, which its rule type declares
(:func:`dea_etl.quality.registry.metric_names`, from the parameters as written: ``RowCount`` ->
``Dataset.*.RowCount``, ``Mean "x"`` -> ``Column.x.Mean``, ``Uniqueness "a" "b"`` ->
``Multicolumn.a,b.Uniqueness``). ``DetectAnomalies "ColumnLength" "col"`` watches MinimumLength and
MaximumLength, ``DetectAnomalies "ColumnValues" "col"`` (a numeric column) Minimum and Maximum: an anomaly
in either fails it, each with its bounds. Which rule types may be dynamic or watched is checked when the
ruleset is parsed (:mod:`dea_etl.quality.validate`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from pyspark.sql.types import StructType

from dea_etl.quality.analyzers import analyzer_rules
from dea_etl.quality.anomaly import detect
from dea_etl.quality.context import Context, Outcome, Prepared, RuleError
from dea_etl.quality.dynamic import Dynamic, DynamicRuleError, threshold
from dea_etl.quality.history import EMPTY, History
from dea_etl.quality.model import Analyzer, Composite, Condition, Op, Rule, RuleNode, Ruleset, Substitution
from dea_etl.quality.registry import Signature, metric_names, registered, rule_type

DETECT = "DetectAnomalies"
#: The metrics a dynamic rule or DetectAnomalies adds beside the one it judges: ``<metric>.LowerBound``...
LOWER, UPPER, PREDICTED = ".LowerBound", ".UpperBound", ".Predicted"
BOUND_SUFFIXES = (LOWER, UPPER, PREDICTED)


@rule_type(DETECT, Signature(1, 100, "none", where=False))
def detect_anomalies(rule: Rule, ctx: Context) -> Prepared:
    """Never reached through run_ruleset: :func:`plan` turns a DetectAnomalies rule into the rule it
    watches and judges it with the history afterwards."""
    raise RuleError("DetectAnomalies is evaluated with the metric history (run_ruleset / evaluate)")


def _leaves(node: RuleNode) -> list[Rule]:
    return node.leaves() if isinstance(node, Composite) else [node]


def needs_history(ruleset: Ruleset) -> bool:
    return any(leaf.rule_type == DETECT or _dynamic(leaf) for node in ruleset.rules for leaf in _leaves(node))


def _dynamic(rule: Rule) -> bool:
    return any(c is not None and any(isinstance(v, Dynamic) for v in c.values) for c in (rule.condition, rule.threshold))


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
    #: top-level index -> each dynamic operand's span and the number it was resolved to (EvaluatedRule)
    resolved: dict[int, list[Substitution]] = field(default_factory=dict)

    def finish(self, outcomes: list[Outcome]) -> list[Outcome]:
        out = list(outcomes)
        for i, problem in self.problems.items():
            out[i] = Outcome(False, problem, dict(out[i].metrics), error=True)
        for i, extra in self.bounds.items():
            if i not in self.problems:
                out[i] = replace(out[i], metrics={**out[i].metrics, **extra})
        for i, (metrics, reason) in self.watched.items():
            out[i] = self._judge(out[i], metrics, reason)
        return out

    def _judge(self, measured: Outcome, watched: tuple[str, ...], reason: str | None) -> Outcome:
        """Each watched metric checked against its history; an anomaly in any one fails the rule."""
        if not watched or reason:
            return Outcome(False, reason, dict(measured.metrics), error=True)
        metrics: dict[str, float] = {}
        anomalies = []
        for metric in watched:
            value = measured.metrics.get(metric)
            if not measured.passed and value is None:
                return measured  # the watched rule could not be evaluated: its reason stands
            if value is None or not math.isfinite(value):
                return Outcome(False, f"{metric} has no value to check for anomalies", dict(measured.metrics),
                               error=True)
            points = [(p.evaluated_at, p.value) for p in self.history.points(metric)]
            result = detect(points, value, self.at)
            metrics[metric] = value
            if result.lower is not None and result.upper is not None and result.predicted is not None:
                metrics.update({metric + LOWER: result.lower, metric + UPPER: result.upper,
                                metric + PREDICTED: result.predicted})
            if result.anomaly:
                anomalies.append(result.reason if len(watched) == 1 else f"{metric}: {result.reason}")
        return Outcome(not anomalies, f"Anomaly detected: {'; '.join(anomalies)}" if anomalies else None, metrics)


def _watch(rule: Rule, schema: StructType) -> tuple[RuleNode, tuple[str, ...], str | None]:
    """The rule(s) gathering what ``DetectAnomalies`` watches, its metrics, or why it cannot watch here."""
    target, params = rule.params[0], rule.params[1:]
    metrics = metric_names(target, params)
    t = registered().get(target)
    if t is None or not t.watchable or not metrics:
        return rule, (), f"DetectAnomalies cannot watch {target!r}"
    if t.signature.condition == "none":
        rules = [Rule(target, params, None, rule.text, line=rule.line, column=rule.column)]
    else:
        rules = analyzer_rules(Analyzer(target, params, rule.text, None, rule.line, rule.column), schema)
    if not rules:
        return rule, (), f"DetectAnomalies {target!r} watches the Minimum and Maximum of a numeric column"
    node = rules[0] if len(rules) == 1 else Composite("and", tuple(rules), rule.text, (), rule.line, rule.column)
    return node, metrics, None


def _resolve(rule: Rule, history: History) -> tuple[Rule, str | None, dict[str, float], list[Substitution]]:
    """The rule with numbers for its dynamic operands; the reason when they cannot be evaluated; bounds;
    where each operand was written and its number."""
    in_threshold = rule.condition is None or not any(isinstance(v, Dynamic) for v in rule.condition.values)
    cond = rule.threshold if in_threshold else rule.condition
    assert cond is not None
    names = metric_names(rule.rule_type, rule.params)
    if len(names) != 1:
        return rule, f"{rule.rule_type} cannot use dynamic thresholds (no single metric with a history)", {}, []
    metric = names[0]
    try:
        values = tuple(threshold(v.expr, history.values(metric)) if isinstance(v, Dynamic) else v for v in cond.values)
    except DynamicRuleError as exc:
        return rule, f"Dynamic threshold cannot be evaluated: {exc}", {}, []
    subs = [(v.span[0], v.span[1], f"{n:.10g}") for v, n in zip(cond.values, values, strict=True)
            if isinstance(v, Dynamic) and v.span is not None and isinstance(n, float)]
    nums = [float(v) for v in values if isinstance(v, float)]
    bounds: dict[str, float] = {}
    if in_threshold:
        pass  # the threshold bounds a compliance ratio, not the metric itself: no band to draw
    elif cond.op in (Op.GT, Op.GE) and nums:
        bounds = {metric + LOWER: nums[0]}
    elif cond.op in (Op.LT, Op.LE) and nums:
        bounds = {metric + UPPER: nums[0]}
    elif cond.op is Op.BETWEEN and len(nums) == 2 and not cond.negated:
        bounds = {metric + LOWER: nums[0], metric + UPPER: nums[1]}
    resolved = replace(cond, values=values)
    rule = replace(rule, threshold=resolved) if in_threshold else replace(rule, condition=resolved)
    return rule, None, bounds, subs


def _rewrite(node: RuleNode, i: int, p: Plan, schema: StructType) -> RuleNode:
    if isinstance(node, Composite):
        return replace(node, rules=tuple(_rewrite(r, i, p, schema) for r in node.rules))
    if node.rule_type == DETECT:
        watched, metrics, reason = _watch(node, schema)
        p.watched[i] = (metrics, reason)
        return watched if reason is None else Rule("RowCount", (), Condition(Op.GT, (-math.inf,)), node.text)
    if not _dynamic(node):
        return node
    resolved, problem, bounds, subs = _resolve(node, p.history)
    if problem:
        p.problems.setdefault(i, problem)
    p.bounds.setdefault(i, {}).update(bounds)
    p.resolved.setdefault(i, []).extend(subs)
    return resolved


def plan(ruleset: Ruleset, history: History | None = None, at: datetime | None = None,
         schema: StructType | None = None) -> Plan:
    """Resolve ``ruleset`` against ``history`` (nothing recorded: ``last()`` is 0.0, anomalies pass)."""
    p = Plan(ruleset, history or EMPTY, at or datetime.now(UTC))
    if needs_history(ruleset):
        fields = schema or StructType([])
        p.ruleset = replace(ruleset, rules=tuple(_rewrite(n, i, p, fields) for i, n in enumerate(ruleset.rules)))
    return p
