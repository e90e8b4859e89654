"""Rule handlers that need a group-by: Uniqueness, IsUnique, IsPrimaryKey, Entropy, DistinctValuesCount,
UniqueValueRatio. Rules on the same column set (and where clause) share one group (all sets: one GROUPING
SETS query); their row-level verdicts count each value's rows with a window.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from pyspark.sql import Column, Window
from pyspark.sql import functions as F

from dea_etl.quality.checks import ALL, judge, share
from dea_etl.quality.context import Context, Outcome, Prepared, RuleError
from dea_etl.quality.model import Rule
from dea_etl.quality.registry import CONDITION, Signature, column_metric, rule_type


def _grouped(rule: Rule, ctx: Context) -> tuple[tuple[str, ...], str, str]:
    cols = tuple(ctx.column(p)[0] for p in rule.params)
    where = ctx.where(rule.where)
    return cols, ctx.plan.group(cols, rule.where), ctx.rows(where)


def _unique_row(cols: tuple[str, ...], where: Column) -> Column:
    """Row-level uniqueness: the row's value (tuple) occurs once among the rows in the where clause; a row
    whose keys are all null is not counted (as in the ratio), so it passes."""
    present = F.lit(False)
    for c in cols:
        present = present | F.col(c).isNotNull()
    n = F.sum(F.when(where, 1).otherwise(0)).over(Window.partitionBy(*[F.col(c) for c in cols]))
    return ~present | (n == 1)


def _duplicated(g: str) -> Callable[[Mapping[str, Any]], int]:
    """The rows of a group-by's groups of two or more rows (those that fail a uniqueness verdict)."""
    return lambda v: int(v[g + "valued"] or 0) - int(v[g + "unique"] or 0)


UNIQUENESS = column_metric("Uniqueness")


@rule_type("Uniqueness", Signature(1, 16, "required", dynamic=CONDITION), row_level=True, analyzer=True,
           metrics=UNIQUENESS)
@rule_type("IsUnique", Signature(1, 16, "none"), row_level=True, metrics=UNIQUENESS)
def uniqueness(rule: Rule, ctx: Context) -> Prepared:
    cols, g, _ = _grouped(rule, ctx)
    (metric,) = UNIQUENESS(rule.params)
    cond = rule.condition or ALL

    def finish(v: Mapping[str, Any]) -> Outcome:
        ratio = share(v[g + "unique"], v[g + "valued"])
        return judge(ratio, cond, {metric: ratio})

    where = ctx.where(rule.where)
    return Prepared(finish, ~where | _unique_row(cols, where), _duplicated(g), windowed=True)


@rule_type("IsPrimaryKey", Signature(1, 16, "none"), row_level=True)
def is_primary_key(rule: Rule, ctx: Context) -> Prepared:
    cols, g, n = _grouped(rule, ctx)
    where = ctx.where(rule.where)
    complete = {p: ctx.count_if(F.col(c).isNotNull(), where) for p, c in zip(rule.params, cols, strict=True)}

    def finish(v: Mapping[str, Any]) -> Outcome:
        uniq = share(v[g + "unique"], v[g + "valued"])
        metrics = {UNIQUENESS(rule.params)[0]: uniq}
        metrics.update({f"Column.{p}.Completeness": share(v[a], v[n]) for p, a in complete.items()})
        failing = [m for m in metrics.values() if not ALL.holds(m)]
        return judge(failing[0] if failing else 1.0, ALL, metrics)

    complete_row = F.lit(True)
    for c in cols:
        complete_row = complete_row & F.col(c).isNotNull()
    incomplete = ctx.count_if(~complete_row, where)

    def failing(v: Mapping[str, Any]) -> int:  # rows with a null key, and rows whose key is not unique
        return int(v[incomplete] or 0) + _duplicated(g)(v)

    return Prepared(finish, ~where | (complete_row & _unique_row(cols, where)), failing, windowed=True)


GroupValue = Callable[[Mapping[str, Any], str, str], float]


def _group_stat(rule: Rule, ctx: Context, name: str, value: GroupValue) -> Prepared:
    _, g, n = _grouped(rule, ctx)
    (metric,) = column_metric(name)(rule.params)
    return Prepared(lambda v: judge(value(v, g, n), rule.condition, {metric: value(v, g, n)}))  # type: ignore[arg-type]


def _entropy(v: Mapping[str, Any], g: str, n: str) -> float:
    rows = float(v[g + "valued"] or 0)
    if not rows:
        raise RuleError("No rows to evaluate")
    # -sum(c/N * ln(c/N)) = ln N - sum(c ln c) / N, N = the non-null rows (as Deequ)
    return math.log(rows) - float(v[g + "clogc"] or 0.0) / rows


def _unique_value_ratio(v: Mapping[str, Any], g: str, n: str) -> float:
    if not v[g + "distinct"]:
        raise RuleError("No non-null values to evaluate")
    return float(v[g + "unique"]) / float(v[g + "distinct"])


def _distinct(v: Mapping[str, Any], g: str, n: str) -> float:
    has_null = (v[n] or 0) > (v[g + "valued"] or 0)
    return float(v[g + "distinct"]) + (1.0 if has_null else 0.0)  # null is a value of its own (as Deequ)


@rule_type("Entropy", Signature(1, 1, "required", dynamic=CONDITION), analyzer=True, metrics=column_metric("Entropy"))
def entropy(rule: Rule, ctx: Context) -> Prepared:
    return _group_stat(rule, ctx, "Entropy", _entropy)


@rule_type("DistinctValuesCount", Signature(1, 1, "required", dynamic=CONDITION), analyzer=True,
           metrics=column_metric("DistinctValuesCount"))
def distinct_values_count(rule: Rule, ctx: Context) -> Prepared:
    return _group_stat(rule, ctx, "DistinctValuesCount", _distinct)


@rule_type("UniqueValueRatio", Signature(1, 1, "required", dynamic=CONDITION), analyzer=True,
           metrics=column_metric("UniqueValueRatio"))
def unique_value_ratio(rule: Rule, ctx: Context) -> Prepared:
    return _group_stat(rule, ctx, "UniqueValueRatio", _unique_value_ratio)

