"""Rule handlers for statistics of the data itself, computed in the one shared aggregation.

Each handler registers what it needs in the :class:`~dea_etl.quality.context.Plan` and returns a
:class:`~dea_etl.quality.context.Prepared` whose ``finish`` reads the values back.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, NumericType, StringType

from dea_etl.quality import regex
from dea_etl.quality.context import Context, Outcome, Prepared, RuleError, fmt
from dea_etl.quality.model import Condition, Op, Rule
from dea_etl.quality.predicates import age_seconds, number_predicate, value_predicate
from dea_etl.quality.registry import (
    CONDITION,
    THRESHOLD,
    Signature,
    column_metric,
    column_metrics,
    dataset_metric,
    metric_names,
    rule_type,
)

ALL = Condition(Op.EQ, (1.0,))


def judge(value: float | None, cond: Condition, metrics: Mapping[str, float]) -> Outcome:
    if cond.holds(value):
        return Outcome(True, None, metrics)
    return Outcome(False, f"Value: {fmt(value)} does not meet the constraint requirement.", metrics)


def share(num: Any, den: Any) -> float:
    if not den:
        raise RuleError("No rows to evaluate")
    return float(num) / float(den)


def _numeric(ctx: Context, name: str) -> str:
    col, dtype = ctx.column(name)
    if not isinstance(dtype, NumericType):
        raise RuleError(f"Column {col!r} is not numeric ({dtype.simpleString()})")
    return col


# -- dataset shape ---------------------------------------------------------------------------------

def metric(rule: Rule) -> str:
    """The one metric a rule reports under the name its rule type declares (registry ``metrics=``)."""
    return metric_names(rule.rule_type, rule.params)[0]


@rule_type("RowCount", Signature(0, 0, "required", dynamic=CONDITION), analyzer=True,
           metrics=dataset_metric("RowCount"))
def row_count(rule: Rule, ctx: Context) -> Prepared:
    n = ctx.rows(ctx.where(rule.where))
    assert rule.condition is not None
    return Prepared(lambda v: judge(float(v[n]), rule.condition, {metric(rule): float(v[n])}))  # type: ignore[arg-type]


@rule_type("ColumnCount", Signature(0, 0, "required", where=False, dynamic=CONDITION), analyzer=True,
           metrics=dataset_metric("ColumnCount"))
def column_count(rule: Rule, ctx: Context) -> Prepared:
    count = float(len(ctx.df.columns))
    return Prepared(lambda v: judge(count, rule.condition, {metric(rule): count}))  # type: ignore[arg-type]


@rule_type("ColumnExists", Signature(1, 1, "none", where=False))
def column_exists(rule: Rule, ctx: Context) -> Prepared:
    try:
        ctx.column(rule.params[0])
        found = 1.0
    except RuleError:
        found = 0.0
    return Prepared(lambda v: judge(found, ALL, {f"Dataset.{rule.params[0]}.ColumnExists": found}))


@rule_type("ColumnNamesMatchPattern", Signature(1, 1, "none", where=False))
def column_names_match_pattern(rule: Rule, ctx: Context) -> Prepared:
    try:
        pattern = re.compile(rule.params[0])
    except re.error as exc:
        raise RuleError(f"Invalid regex {rule.params[0]!r}: {exc}") from None
    unmatched = [c for c in ctx.df.columns if not pattern.search(c)]
    ratio = (len(ctx.df.columns) - len(unmatched)) / len(ctx.df.columns) if ctx.df.columns else 0.0
    metrics = {"Dataset.*.ColumnNamesPatternMatchRatio": ratio}
    outcome = (
        Outcome(True, None, metrics) if not unmatched
        else Outcome(False, f"Columns that do not match the pattern: {', '.join(unmatched)}", metrics)
    )
    return Prepared(lambda v: outcome)


# -- completeness and compliance (row-level rules) --------------------------------------------------

def _rows_failed(ratio: float, failed: int, rows: int) -> str:
    return f"Value: {fmt(ratio)} does not meet the constraint requirement ({failed} of {rows} rows failed)."


def _compliance(rule: Rule, ctx: Context, passes: Column, metric: str, default: Condition = ALL,
                extra: Mapping[str, str] | None = None,
                wording: Callable[[float, int, int], str] = _rows_failed,
                runaway: tuple[str, str] | None = None) -> Prepared:
    """A rule judged on the share of rows (in its where clause) that pass ``passes``; with ``runaway`` (the
    aggregate counting values a regex ran out of steps on, and the pattern) such values fail the rule."""
    where = ctx.where(rule.where)
    n, ok = ctx.rows(where), ctx.count_if(passes, where)
    cond = rule.threshold or default

    def finish(v: Mapping[str, Any]) -> Outcome:
        ratio = share(v[ok], v[n])
        metrics = {metric: ratio} if metric else {}
        metrics.update({k: float(v[a]) for k, a in (extra or {}).items() if v[a] is not None})
        if runaway is not None and v[runaway[0]]:
            stuck = v[runaway[0]]
            return Outcome(False, f"regex {runaway[1]!r} ran out of its {regex.MAX_STEPS:,} steps on {stuck} "
                                  f"value{'' if stuck == 1 else 's'} (Java's matcher backtracks on it without end): "
                                  "rewrite the pattern",
                           metrics, error=True)
        outcome = judge(ratio, cond, metrics)
        if outcome.passed:
            return outcome
        return Outcome(False, wording(ratio, v[n] - v[ok], v[n]), metrics)

    return Prepared(finish, ~where | F.coalesce(passes, F.lit(False)))


@rule_type("Completeness", Signature(1, 1, "required", dynamic=CONDITION), row_level=True, analyzer=True,
           metrics=column_metric("Completeness"))
@rule_type("IsComplete", Signature(1, 1, "none"), row_level=True, metrics=column_metric("Completeness"))
def completeness(rule: Rule, ctx: Context) -> Prepared:
    col, _ = ctx.column(rule.params[0])
    cond = rule.condition if rule.rule_type == "Completeness" else ALL
    return _compliance(rule, ctx, F.col(col).isNotNull(), metric(rule), cond or ALL)


#: ColumnValues on a numeric column with > >= = < <= reports (and DetectAnomalies watches) these two.
VALUE_BOUNDS = column_metrics("Minimum", "Maximum")


@rule_type("ColumnValues", Signature(1, 1, "required", "any", threshold=True, tags=frozenset({"ignoreCase", "timeZone"})),
           row_level=True, analyzer=True, metrics=VALUE_BOUNDS)
def column_values(rule: Rule, ctx: Context) -> Prepared:
    col, dtype = ctx.column(rule.params[0])
    cond = rule.condition
    assert cond is not None
    ignore_case = rule.option("ignoreCase") == "true"
    passes = value_predicate(F.col(col), dtype, cond, ignore_case=ignore_case, zone=rule.option("timeZone"))
    extra: dict[str, str] = {}
    kind = "PatternMatch" if cond.op is Op.MATCHES and not cond.negated else "ColumnValues.Compliance"
    compliance = f"Column.{rule.params[0]}.{kind}"
    if rule.threshold is None and not cond.negated and cond.numbers and isinstance(dtype, NumericType):
        where = ctx.where(rule.where)
        low, high = VALUE_BOUNDS(rule.params)
        if cond.op in (Op.GT, Op.GE, Op.EQ):
            extra[low] = ctx.plan.agg(F.min(F.when(where, F.col(col))).cast("double"))
        if cond.op in (Op.LT, Op.LE, Op.EQ):
            extra[high] = ctx.plan.agg(F.max(F.when(where, F.col(col))).cast("double"))
        if extra:
            compliance = ""
    if cond.op is Op.MATCHES:  # a value the matcher could not judge within its budget fails the rule, named
        runaway = ctx.count_if(regex.verdict(F.col(col), str(cond.values[0]), ignore_case=ignore_case)
                               == regex.OUT_OF_STEPS, ctx.where(rule.where))
        return _compliance(rule, ctx, passes, compliance, extra=extra, runaway=(runaway, str(cond.values[0])))
    return _compliance(rule, ctx, passes, compliance, extra=extra)


@rule_type("DataFreshness", Signature(1, 1, "required", "duration"), row_level=True)
def data_freshness(rule: Rule, ctx: Context) -> Prepared:
    col, _ = ctx.column(rule.params[0])
    assert rule.condition is not None
    passes = number_predicate(age_seconds(F.col(col)), rule.condition) & F.col(col).isNotNull()
    return _compliance(rule, ctx, passes, f"Column.{rule.params[0]}.DataFreshness.Compliance", wording=_share_passed)


def _share_passed(ratio: float, failed: int, rows: int) -> str:
    return f"{ratio * 100:.2f}% of rows passed"


#: ColumnLength reports (and DetectAnomalies watches) the values' shortest and longest length.
LENGTH_BOUNDS = column_metrics("MinimumLength", "MaximumLength")


@rule_type("ColumnLength", Signature(1, 1, "required", threshold=True), row_level=True, analyzer=True,
           metrics=LENGTH_BOUNDS)
def column_length(rule: Rule, ctx: Context) -> Prepared:
    col, _ = ctx.column(rule.params[0])
    cond = rule.condition
    assert cond is not None
    value_length = F.length(F.col(col).cast("string"))
    where = ctx.where(rule.where)
    shortest, longest = LENGTH_BOUNDS(rule.params)
    extra = {}  # the lengths of the values (nulls aside, as Deequ's metrics)
    if cond.op not in (Op.LT, Op.LE) or cond.negated:
        extra[shortest] = ctx.plan.agg(F.min(F.when(where, value_length)).cast("double"))
    if cond.op not in (Op.GT, Op.GE) or cond.negated:
        extra[longest] = ctx.plan.agg(F.max(F.when(where, value_length)).cast("double"))
    # judged per row with a null as a 0-length string (Glue's ColumnLength reference)
    passes = number_predicate(F.coalesce(value_length, F.lit(0)), cond)
    compliance = f"Column.{rule.params[0]}.ColumnLength.Compliance" if rule.threshold else ""
    return _compliance(rule, ctx, passes, compliance, extra=extra)


_TYPE_NAMES = {
    "BOOLEAN": "boolean", "BYTE": "tinyint", "SHORT": "smallint", "INTEGER": "int", "INT": "int",
    "LONG": "bigint", "BIGINT": "bigint", "FLOAT": "float", "DOUBLE": "double", "DECIMAL": "decimal",
    "STRING": "string", "DATE": "date", "TIMESTAMP": "timestamp",
}
_INTEGRAL = {"tinyint", "smallint", "int", "bigint"}
_DECIMAL = re.compile(r"DECIMAL\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)", re.IGNORECASE)


def _target(name: str) -> str:
    """A DQDL type name as Spark's: ``INTEGER`` -> ``int``, ``DECIMAL(10,2)`` -> ``decimal(10,2)``."""
    m = _DECIMAL.fullmatch(name.strip())
    if m:
        return f"decimal({int(m.group(1))},{int(m.group(2))})"
    if name.upper() not in _TYPE_NAMES:
        raise RuleError(f"Unknown data type {name!r}; expected one of {', '.join(_TYPE_NAMES)} or DECIMAL(p,s)")
    return _TYPE_NAMES[name.upper()]


def _fits(col: Column, dtype: DataType, target: str, fmt: str | None) -> Column:
    actual = dtype.simpleString()
    if actual == target or ("(" not in target and actual.split("(")[0] == target):
        return F.lit(True)
    if isinstance(dtype, NumericType) and target.startswith("decimal"):
        return col.cast(target if "(" in target else "decimal(38,18)").isNotNull()  # fits without overflow
    if not isinstance(dtype, StringType):
        return F.lit(False)
    if target == "string":
        return F.lit(True)
    if fmt is not None and target in ("date", "timestamp"):
        parse = F.to_date if target == "date" else F.to_timestamp
        return parse(col, fmt).isNotNull()
    cast = col.cast("decimal(38,18)" if target == "decimal" else target).isNotNull()
    if target in _INTEGRAL:
        return F.trim(col).rlike(r"^[+-]?\d+$") & cast
    return cast


@rule_type("ColumnDataType", Signature(1, 1, "required", "string", threshold=True, tags=frozenset({"format"}),
                                        dynamic=THRESHOLD),
           row_level=True, metrics=column_metric("ColumnDataType.Compliance"))
def column_data_type(rule: Rule, ctx: Context) -> Prepared:
    col, dtype = ctx.column(rule.params[0])
    assert rule.condition is not None
    targets = [_target(str(name)) for name in rule.condition.values]
    fits = F.lit(False)
    for t in targets:
        fits = fits | _fits(F.col(col), dtype, t, rule.format)
    passes = F.col(col).isNotNull() & (~fits if rule.condition.negated else fits)  # a null fits no type (Deequ)
    return _compliance(rule, ctx, passes, metric(rule))


# -- statistics --------------------------------------------------------------------------------------

_STATS: dict[str, Callable[[Column], Column]] = {
    "Mean": F.avg, "Sum": F.sum, "StandardDeviation": F.stddev_pop, "Variance": F.var_pop,
}


@rule_type("Mean", Signature(1, 1, "required", dynamic=CONDITION), analyzer=True, metrics=column_metric("Mean"))
@rule_type("Sum", Signature(1, 1, "required", dynamic=CONDITION), analyzer=True, metrics=column_metric("Sum"))
@rule_type("StandardDeviation", Signature(1, 1, "required", dynamic=CONDITION), analyzer=True,
           metrics=column_metric("StandardDeviation"))
@rule_type("Variance", Signature(1, 1, "required", dynamic=CONDITION), analyzer=True, metrics=column_metric("Variance"))
def statistic(rule: Rule, ctx: Context) -> Prepared:
    col = _numeric(ctx, rule.params[0])
    where = ctx.where(rule.where)
    alias = ctx.plan.agg(_STATS[rule.rule_type](F.when(where, F.col(col))).cast("double"))
    name = metric(rule)

    def finish(v: Mapping[str, Any]) -> Outcome:
        if v[alias] is None:
            raise RuleError(f"Column {col!r} has no non-null values to compute {rule.rule_type}")
        return judge(float(v[alias]), rule.condition, {name: float(v[alias])})  # type: ignore[arg-type]

    return Prepared(finish)


@rule_type("ColumnCorrelation", Signature(2, 2, "required", dynamic=CONDITION), analyzer=True,
           metrics=column_metric("ColumnCorrelation"))
def column_correlation(rule: Rule, ctx: Context) -> Prepared:
    a, b = _numeric(ctx, rule.params[0]), _numeric(ctx, rule.params[1])
    where = ctx.where(rule.where)
    x, y = F.when(where, F.col(a)).cast("double"), F.when(where, F.col(b)).cast("double")
    alias = ctx.plan.agg(F.corr(x, y))
    name = metric(rule)

    def finish(v: Mapping[str, Any]) -> Outcome:
        value = v[alias]
        if value is None or math.isnan(value):
            raise RuleError("Correlation is undefined (fewer than two complete rows or a constant column)")
        return judge(float(value), rule.condition, {name: float(value)})  # type: ignore[arg-type]

    return Prepared(finish)

