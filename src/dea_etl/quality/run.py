"""One evaluation of a ruleset: every rule and every analyzer in one shared pass, and each rule's row-level
verdict column; everything downstream (ruleOutcomes, rowLevelOutcomes, analyzers, the gate, the metric
history, the reports) is derived from the :class:`Evaluation` it returns, never by evaluating again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from dea_etl.errors import first_line
from dea_etl.quality import historic
from dea_etl.quality.analyzers import analyzer_rules, no_metrics_reason
from dea_etl.quality.context import Context, Outcome, Plan, Prepared, RuleError
from dea_etl.quality.history import History
from dea_etl.quality.model import Composite, Rule, RuleNode, Ruleset, Substitution
from dea_etl.quality.outcome import ANALYZER, score
from dea_etl.quality.parser import parse_ruleset
from dea_etl.quality.profile import Profile, Profiler
from dea_etl.quality.registry import registered

#: Rule types judged even when their where clause leaves no row (the others pass then, as Deequ).
_JUDGED_WITHOUT_ROWS = frozenset({"RowCount"})
_ALL_ROWS = -1  # the plan's owner of the row count every evaluation gathers


@dataclass
class Evaluation:
    """Each top-level rule (in ruleset order) with its outcome and row-level verdict column, each analyzer
    with its metrics, the number of rows evaluated (from the same pass) and, when asked, the columns' profile."""

    rules: list[RuleNode]
    outcomes: list[Outcome]
    rows: list[Column | None]
    base: DataFrame
    columns: list[str] = field(default_factory=list)
    analyzers: list[Outcome] = field(default_factory=list)
    row_count: int | None = None
    profile: Profile | None = None
    #: True when the pass showed that no row fails any row-level rule (a quarantine then has nothing to split)
    rows_clean: bool = False

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outcomes)

    @property
    def score(self) -> float:
        return score(self.outcomes)


def _vacuous(p: Prepared, rows: str) -> Prepared:
    """A rule whose where clause leaves no row passes with no metric (as Deequ); else it is judged."""
    def finish(v: Mapping[str, object]) -> Outcome:
        return Outcome(True) if v[rows] == 0 else p.finish(v)

    return Prepared(finish, p.row, p.failing, p.windowed)


def _failed(exc: Exception) -> Outcome:
    reason = str(exc) if isinstance(exc, RuleError) else f"Rule cannot be evaluated: {first_line(exc)}"
    return Outcome(False, reason, error=True)


def _prepare_all(leaves: list[Rule], ctx: Context) -> dict[int, Prepared | Outcome]:
    prepared: dict[int, Prepared | Outcome] = {}
    for i, leaf in enumerate(leaves):
        ctx.plan.current_rule = i
        try:
            p = registered()[leaf.rule_type].handler(leaf, ctx)
            if leaf.where is not None and leaf.rule_type not in _JUDGED_WITHOUT_ROWS:
                p = _vacuous(p, ctx.rows(ctx.where(leaf.where)))
            if p.row is not None and p.failing is None and not p.windowed:  # its failing rows, in the pass
                p.failing = _counted(ctx.plan.agg(F.count_if(~p.row)))
            prepared[i] = p
        except Exception as exc:
            prepared[i] = _failed(exc)
    return prepared


def _counted(alias: str) -> Callable[[Mapping[str, object]], int]:
    return lambda v: int(str(v[alias] or 0))


def _composite_failing(node: RuleNode, row: Column | None, leaf_ids: dict[int, int],
                       prepared: dict[int, Prepared | Outcome], ctx: Context) -> str | None:
    """A composite rule's failing rows counted in the pass (their leaves' counts cannot tell an ``or``), when
    none of its leaves reads other rows."""
    if row is None or isinstance(node, Rule):
        return None
    leaves = [prepared[leaf_ids[id(leaf)]] for leaf in node.leaves()]
    if not all(isinstance(p, Prepared) and not p.windowed for p in leaves):
        return None
    ctx.plan.current_rule = leaf_ids[id(node.leaves()[0])]
    return ctx.plan.agg(F.count_if(~row))


def _clean(node: RuleNode, leaf_ids: dict[int, int], prepared: dict[int, Prepared | Outcome],
           values: Mapping[str, object], counted: str | None = None) -> bool:
    """True when the pass's counts show that no row fails the rule's row-level verdict (``counted``: the
    alias of the rule's own count of failing rows, when the pass has one)."""
    if counted is not None and counted in values:
        return int(str(values[counted] or 0)) == 0
    if isinstance(node, Rule):
        p = prepared[leaf_ids[id(node)]]
        if not isinstance(p, Prepared):  # a row-level rule that cannot be evaluated fails every row
            return not registered()[node.rule_type].is_row_level(node)
        return p.row is None or (p.failing is not None and p.failing(values) == 0)
    parts = [_clean(r, leaf_ids, prepared, values) for r in node.rules]
    return all(parts) if node.operator == "and" else any(parts)


def _check_plan(plan: Plan, prepared: dict[int, Prepared | Outcome]) -> None:
    """Analyze the fused aggregation once; if it does not analyze, fail the rules that break it."""
    try:
        plan.analyze()
    except Exception:
        bad = plan.failing_rules()
        for i in bad:
            prepared[i] = Outcome(False, "Rule cannot be evaluated: its expressions do not analyze here", error=True)
        plan.drop_rules(bad)


def _finish(prepared: dict[int, Prepared | Outcome], values: Mapping[str, object]) -> dict[int, Outcome]:
    out: dict[int, Outcome] = {}
    for i, p in prepared.items():
        if isinstance(p, Outcome):
            out[i] = p
            continue
        try:
            out[i] = p.finish(values)
        except Exception as exc:
            out[i] = _failed(exc)
    return out


def _compose(node: RuleNode, leaf_ids: dict[int, int], outcomes: dict[int, Outcome]) -> Outcome:
    if isinstance(node, Rule):
        return outcomes[leaf_ids[id(node)]]
    parts = [_compose(r, leaf_ids, outcomes) for r in node.rules]
    metrics: dict[str, float] = {}
    for p in parts:
        metrics.update(p.metrics)
    passed = all(p.passed for p in parts) if node.operator == "and" else any(p.passed for p in parts)
    reasons = [p.reason for p in parts if not p.passed and p.reason]
    error = not passed and any(p.error for p in parts)
    return Outcome(passed, None if passed else "; ".join(reasons) or "Composite rule failed", metrics, error)


def _row(node: RuleNode, leaf_ids: dict[int, int], prepared: dict[int, Prepared | Outcome]) -> Column | None:
    if isinstance(node, Rule):
        p = prepared[leaf_ids[id(node)]]
        if isinstance(p, Prepared):
            return p.row
        # a row-level rule that cannot be evaluated fails every row (never a silent pass)
        return F.lit(False) if registered()[node.rule_type].is_row_level(node) else None
    cols = [_row(r, leaf_ids, prepared) for r in node.rules]
    if any(c is None for c in cols):
        return None
    present = [c for c in cols if c is not None]
    combined = present[0]
    for c in present[1:]:
        combined = (combined & c) if node.operator == "and" else (combined | c)
    return combined


def _leaves(node: RuleNode) -> list[Rule]:
    return node.leaves() if isinstance(node, Composite) else [node]


def evaluated_text(node: RuleNode, resolved: list[Substitution]) -> str:
    """The rule as written with its ``$constants`` and dynamic operands replaced by their values."""
    end = node.start + len(node.text)
    subs = sorted({s for leaf in _leaves(node) for s in leaf.substitutions} | set(resolved))
    text, cursor = [], node.start
    for start, stop, value in subs:
        if node.start <= start and stop <= end and start >= cursor:
            text += [node.text[cursor - node.start:start - node.start], value]
            cursor = stop
    text.append(node.text[cursor - node.start:])
    return "".join(text)


def _identified(rs: Ruleset, outcomes: list[Outcome], resolved: Mapping[int, list[Substitution]]) -> list[Outcome]:
    return [o.of(node.text, evaluated_text(node, resolved.get(i, [])), f"Rule_{i + 1}", dict(node.labels))
            for i, (node, o) in enumerate(zip(rs.rules, outcomes, strict=True))]


def _analyzed(rs: Ruleset, df: DataFrame, per: list[list[int]], leaf_outcomes: Mapping[int, Outcome]) -> list[Outcome]:
    out = []
    for i, (a, ids) in enumerate(zip(rs.analyzers, per, strict=True)):
        metrics: dict[str, float] = {}
        reasons = [leaf_outcomes[j].reason for j in ids if not leaf_outcomes[j].passed and leaf_outcomes[j].reason]
        for j in ids:
            metrics.update({k: float(v) for k, v in leaf_outcomes[j].metrics.items()})
        reason = no_metrics_reason(a, df.schema) or ("; ".join(dict.fromkeys(r for r in reasons if r)) or None)
        out.append(Outcome(not reasons, reason, metrics, rule=a.text, evaluated_rule=a.text,
                           name=f"Analyzer_{i + 1}", kind=ANALYZER))
    return out


def _profiled(df: DataFrame, rows: int) -> Profile:
    """``df``'s profile: two aggregations of its own, after the evaluation's fused pass, which stays as it is
    (the histograms' bins need the first aggregation's min and max)."""
    profiler = Profiler(df.schema)
    first = df.agg(*[e.alias(k) for k, e in profiler.aggregates().items()]).collect()[0].asDict()
    second = profiler.distribution(first)
    values = df.agg(*[e.alias(k) for k, e in second.items()]).collect()[0].asDict() if second else {}
    return profiler.finish({**first, **values}, rows)


def run_ruleset(df: DataFrame, ruleset: str | Ruleset, references: Mapping[str, DataFrame] | None = None,
                *, collect: bool = True, history: History | None = None, file_roots: tuple[str, ...] = (),
                with_analyzers: bool = True, profile: bool = False) -> Evaluation:
    """Evaluate every rule and analyzer: one fused aggregation (+ one group-by query for every column set, +
    the jobs of rules that compare with other datasets or run SQL). ``collect=False`` skips the pass
    (row-level only). ``history``: the table's metric history, for dynamic thresholds and DetectAnomalies
    (:mod:`.historic`); ``file_roots``: where file rules may read (:mod:`.filerules`); ``profile``: profile every
    column (:mod:`.profile`, for the reports: two aggregations of its own)."""
    rs = parse_ruleset(ruleset) if isinstance(ruleset, str) else ruleset
    with_history = historic.plan(rs, history, schema=df.schema)
    top = with_history.ruleset
    leaves = top.leaves()
    per_analyzer: list[list[int]] = []
    if with_analyzers:
        for a in rs.analyzers:
            rules = analyzer_rules(a, df.schema)
            per_analyzer.append(list(range(len(leaves), len(leaves) + len(rules))))
            leaves += rules
    leaf_ids = {id(leaf): i for i, leaf in enumerate(leaves)}
    ctx = Context(df, dict(references or {}), Plan(df), file_roots)
    ctx.plan.current_rule = _ALL_ROWS
    every_row = ctx.rows(F.lit(True))
    prepared = _prepare_all(leaves, ctx)
    rows = [None if i in with_history.watched else _row(node, leaf_ids, prepared) for i, node in enumerate(top.rules)]
    failing = [_composite_failing(node, row, leaf_ids, prepared, ctx) for node, row in zip(top.rules, rows, strict=True)]
    if not collect:
        return Evaluation(list(rs.rules), [], rows, ctx.plan.base, list(df.columns))
    _check_plan(ctx.plan, prepared)
    values = ctx.plan.run()
    rows_in = int(str(values[every_row]))
    leaf_outcomes = _finish(prepared, values)
    outcomes = with_history.finish([_compose(node, leaf_ids, leaf_outcomes) for node in top.rules])
    analyzers = _analyzed(rs, df, per_analyzer, leaf_outcomes) if with_analyzers else []
    columns = _profiled(df, rows_in) if profile else None
    clean = all(r is None or _clean(node, leaf_ids, prepared, values, counted)
                for node, r, counted in zip(top.rules, rows, failing, strict=True))
    return Evaluation(list(rs.rules), _identified(rs, outcomes, with_history.resolved), rows, ctx.plan.base,
                      list(df.columns), analyzers, rows_in, columns, rows_clean=clean)
