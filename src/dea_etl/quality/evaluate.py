"""Evaluate a DQDL ruleset on a DataFrame: ruleOutcomes (``evaluate``) and rowLevelOutcomes
(``evaluate_rows``), in the shape AWS Glue Data Quality gives them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, MapType, NumericType, StringType, StructField, StructType

from dea_etl.errors import JobArgumentError, first_line
from dea_etl.quality import historic
from dea_etl.quality.context import Context, Outcome, Plan, Prepared, RuleError
from dea_etl.quality.history import History
from dea_etl.quality.model import Analyzer, Condition, Op, Rule, RuleNode, Ruleset
from dea_etl.quality.parser import parse_ruleset
from dea_etl.quality.registry import registered

PASSED, FAILED = "Passed", "Failed"
RULE_OUTCOMES_SCHEMA = StructType([
    StructField("Rule", StringType(), False),
    StructField("Outcome", StringType(), False),
    StructField("FailureReason", StringType(), True),
    StructField("EvaluatedMetrics", MapType(StringType(), DoubleType(), False), False),
])
ROW_PASS, ROW_FAIL, ROW_SKIP = "DataQualityRulesPass", "DataQualityRulesFail", "DataQualityRulesSkip"
ROW_RESULT = "DataQualityEvaluationResult"
ROW_LEVEL_COLUMNS = (ROW_PASS, ROW_FAIL, ROW_SKIP, ROW_RESULT)
ENGINES = ("native", "deequ")


@dataclass
class Evaluation:
    """The outcome of each top-level rule (in ruleset order) and each one's row-level verdict column."""

    rules: list[RuleNode]
    outcomes: list[Outcome]
    rows: list[Column | None]
    base: DataFrame
    columns: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outcomes)


#: Rule types judged even when their where clause leaves no row (the others pass then, as Deequ).
_JUDGED_WITHOUT_ROWS = frozenset({"RowCount"})


def _vacuous(p: Prepared, rows: str) -> Prepared:
    """A rule whose where clause leaves no row passes with no metric (as Deequ); else it is judged."""
    def finish(v: Mapping[str, object]) -> Outcome:
        return Outcome(True) if v[rows] == 0 else p.finish(v)

    return Prepared(finish, p.row)


def _prepare_all(leaves: list[Rule], ctx: Context) -> dict[int, Prepared | Outcome]:
    prepared: dict[int, Prepared | Outcome] = {}
    for i, leaf in enumerate(leaves):
        ctx.plan.current_rule = i
        try:
            p = registered()[leaf.rule_type].handler(leaf, ctx)
            if leaf.where is not None and leaf.rule_type not in _JUDGED_WITHOUT_ROWS:
                p = _vacuous(p, ctx.rows(ctx.where(leaf.where)))
            prepared[i] = p
        except RuleError as exc:
            prepared[i] = Outcome(False, str(exc))
        except Exception as exc:
            prepared[i] = Outcome(False, f"Rule cannot be evaluated: {first_line(exc)}")
    return prepared


def _check_plan(plan: Plan, prepared: dict[int, Prepared | Outcome]) -> None:
    """Analyze the fused aggregation once; if it does not analyze, fail the rules that break it."""
    try:
        plan.analyze()
    except Exception:
        bad = plan.failing_rules()
        for i in bad:
            prepared[i] = Outcome(False, "Rule cannot be evaluated: its expressions do not analyze here")
        plan.drop_rules(bad)


def _finish(prepared: dict[int, Prepared | Outcome], values: Mapping[str, object]) -> dict[int, Outcome]:
    out: dict[int, Outcome] = {}
    for i, p in prepared.items():
        if isinstance(p, Outcome):
            out[i] = p
            continue
        try:
            out[i] = p.finish(values)
        except RuleError as exc:
            out[i] = Outcome(False, str(exc))
        except Exception as exc:
            out[i] = Outcome(False, f"Rule cannot be evaluated: {first_line(exc)}")
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
    return Outcome(passed, None if passed else "; ".join(reasons) or "Composite rule failed", metrics)


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


def run_ruleset(df: DataFrame, ruleset: str | Ruleset, references: Mapping[str, DataFrame] | None = None,
                *, collect: bool = True, history: History | None = None,
                file_roots: tuple[str, ...] = ()) -> Evaluation:
    """Evaluate every rule: one fused aggregation (+ one group-by query for every column set, + the jobs of rules
    that compare with other datasets or run SQL). ``collect=False`` skips the pass (row-level only).
    ``history``: the table's metric history, for dynamic thresholds and DetectAnomalies (:mod:`.historic`);
    ``file_roots``: where file rules may read (:mod:`.filerules`)."""
    rs = parse_ruleset(ruleset) if isinstance(ruleset, str) else ruleset
    with_history = historic.plan(rs, history)
    rs = with_history.ruleset
    leaves = rs.leaves()
    leaf_ids = {id(leaf): i for i, leaf in enumerate(leaves)}
    ctx = Context(df, dict(references or {}), Plan(df), file_roots)
    prepared = _prepare_all(leaves, ctx)
    outcomes: list[Outcome] = []
    if collect:
        _check_plan(ctx.plan, prepared)
        values = ctx.plan.run()
        leaf_outcomes = _finish(prepared, values)
        outcomes = with_history.finish([_compose(node, leaf_ids, leaf_outcomes) for node in rs.rules])
    rows = [None if i in with_history.watched else _row(node, leaf_ids, prepared) for i, node in enumerate(rs.rules)]
    return Evaluation(list(rs.rules), outcomes, rows, ctx.plan.base, list(df.columns))


def outcomes_frame(ev: Evaluation, df: DataFrame) -> DataFrame:
    data = [
        (node.text, PASSED if o.passed else FAILED, None if o.passed else (o.reason or "Rule failed"),
         {k: float(v) for k, v in o.metrics.items()})
        for node, o in zip(ev.rules, ev.outcomes, strict=True)
    ]
    return df.sparkSession.createDataFrame(data, RULE_OUTCOMES_SCHEMA)


def row_level_frame(ev: Evaluation) -> DataFrame:
    names = [node.text for node in ev.rules]
    tmp = {f"__dq_r{i}": r for i, r in enumerate(ev.rows) if r is not None}
    flagged = ev.base.withColumns(tmp) if tmp else ev.base
    empty = F.array().cast("array<string>")

    def names_where(test: str) -> Column:
        items = []
        for i, r in enumerate(ev.rows):
            if r is None:
                continue
            c = F.col(f"__dq_r{i}")
            cond = c if test == "pass" else (~c if test == "fail" else c.isNull())
            items.append(F.when(cond, F.lit(names[i])))
        return F.array_compact(F.array(*items)) if items else empty

    skipped = [F.lit(names[i]) for i, r in enumerate(ev.rows) if r is None]
    skip = F.concat(F.array(*skipped).cast("array<string>") if skipped else empty, names_where("skip"))
    return flagged.select(
        *[F.col(c) for c in ev.columns],
        names_where("pass").alias(ROW_PASS),
        names_where("fail").alias(ROW_FAIL),
        skip.alias(ROW_SKIP),
        F.when(F.size(names_where("fail")) == 0, F.lit(PASSED)).otherwise(F.lit(FAILED)).alias(ROW_RESULT),
    )


ANALYZER_OUTCOMES_SCHEMA = StructType([
    StructField("Analyzer", StringType(), False),
    StructField("EvaluatedMetrics", MapType(StringType(), DoubleType(), False), False),
])
_ANY = Condition(Op.GT, (-math.inf,))
#: Any length, as a range: ColumnLength reports both MinimumLength and MaximumLength for it.
_ANY_LENGTH = Condition(Op.BETWEEN, (-math.inf, math.inf))


_ALL_STATISTICS = ("Completeness", "Uniqueness", "DistinctValuesCount", "UniqueValueRatio", "Entropy")
_NUMERIC_STATISTICS = ("Mean", "Sum", "StandardDeviation")


def _analyzer_rules(df: DataFrame, a: Analyzer) -> list[Rule]:
    """The rules that compute an analyzer's metrics; ``AllStatistics "c"`` is several (Glue's list: row count,
    completeness, uniqueness, ...; + mean, sum, standard deviation, minimum, maximum of a numeric column;
    + minimum and maximum length of a string column)."""
    if a.analyzer_type != "AllStatistics":
        cond = _ANY_LENGTH if a.analyzer_type == "ColumnLength" else _ANY
        return [Rule(a.analyzer_type, a.params, cond, a.text, where=a.where)]
    col = a.params[0] if a.params else ""
    kind = next((f.dataType for f in df.schema.fields if f.name.lower() == col.lower()), None)
    names = ["RowCount", *_ALL_STATISTICS]
    rules = [Rule(n, () if n == "RowCount" else (col,), _ANY, a.text, where=a.where) for n in names]
    if isinstance(kind, NumericType):
        rules += [Rule(n, (col,), _ANY, a.text, where=a.where) for n in _NUMERIC_STATISTICS]
        rules += [Rule("ColumnValues", (col,), Condition(op, (bound,)), a.text, where=a.where)
                  for op, bound in ((Op.GT, -math.inf), (Op.LT, math.inf))]
    elif isinstance(kind, StringType):
        rules.append(Rule("ColumnLength", (col,), _ANY_LENGTH, a.text, where=a.where))
    return rules


def analyze(
    df: DataFrame, ruleset: str | Ruleset, references: Mapping[str, DataFrame] | None = None
) -> DataFrame:
    """The ``Analyzers = [...]`` section: one row per analyzer with its metrics (same shared pass)."""
    rs = parse_ruleset(ruleset) if isinstance(ruleset, str) else ruleset
    per_analyzer = [_analyzer_rules(df, a) for a in rs.analyzers]
    ev = run_ruleset(df, Ruleset(tuple(r for rules in per_analyzer for r in rules)), references)
    outcomes = iter(ev.outcomes)
    data = []
    for a, rules in zip(rs.analyzers, per_analyzer, strict=True):
        metrics: dict[str, float] = {}
        for _ in rules:
            metrics.update({k: float(v) for k, v in next(outcomes).metrics.items()})
        data.append((a.text, metrics))
    return df.sparkSession.createDataFrame(data, ANALYZER_OUTCOMES_SCHEMA)


def _check_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise JobArgumentError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")


def evaluate(df: DataFrame, ruleset: str | Ruleset, references: Mapping[str, DataFrame] | None = None,
             engine: str = "native", *, history: History | None = None,
             file_roots: tuple[str, ...] = ()) -> DataFrame:
    """ruleOutcomes: one row per top-level rule with Rule, Outcome, FailureReason, EvaluatedMetrics.
    ``history`` (native engine): the metric history dynamic rules and DetectAnomalies read."""
    _check_engine(engine)
    if engine == "deequ":
        from dea_etl.quality.deequ import evaluate_deequ

        return evaluate_deequ(df, ruleset, references)
    ev = run_ruleset(df, ruleset, references, history=history, file_roots=file_roots)
    return outcomes_frame(ev, df)


def evaluate_rows(df: DataFrame, ruleset: str | Ruleset, references: Mapping[str, DataFrame] | None = None,
                  engine: str = "native") -> DataFrame:
    """rowLevelOutcomes: the input rows plus DataQualityRulesPass / Fail / Skip and
    DataQualityEvaluationResult. Rules without a row-level meaning are listed in Skip on every row."""
    _check_engine(engine)
    if engine == "deequ":
        from dea_etl.quality.deequ import evaluate_rows_deequ

        return evaluate_rows_deequ(df, ruleset, references)
    return row_level_frame(run_ruleset(df, ruleset, references, collect=False))
