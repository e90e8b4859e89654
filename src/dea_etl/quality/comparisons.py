"""Rule handlers that compare with other datasets or run SQL: ReferentialIntegrity, DatasetMatch,
SchemaMatch, RowCountMatch, AggregateMatch and CustomSql.

``references`` maps an alias to a DataFrame; the primary dataset is ``primary`` in SQL and in
AggregateMatch expressions. ReferentialIntegrity joins the reference's distinct keys into the shared
pass; the others need their own small Spark job (a count, an aggregate, a join or a query).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from dea_etl.errors import first_line
from dea_etl.quality.checks import ALL, judge
from dea_etl.quality.context import Context, Outcome, Prepared, RuleError
from dea_etl.quality.model import Rule
from dea_etl.quality.registry import CONDITION, Signature, dataset_metric, rule_type
from dea_etl.sqlguard import InvalidSqlError, UnsafeSqlError, check_query

PRIMARY = "primary"


def _split_columns(spec: str) -> list[str]:
    return [c.strip() for c in spec.strip("{} ").split(",") if c.strip()]


def _reference_columns(spec: str) -> tuple[str, list[str]]:
    """``"ref.col"`` or ``"ref.{a,b}"`` -> (alias, columns)."""
    alias, dot, cols = spec.partition(".")
    if not dot or not cols:
        raise RuleError(f"Reference {spec!r} must be written alias.column or alias.{{col1,col2}}")
    return alias, _split_columns(cols)


@rule_type("ReferentialIntegrity", Signature(2, 2, "required", where=False), row_level=True)
def referential_integrity(rule: Rule, ctx: Context) -> Prepared:
    keys = [ctx.column(c)[0] for c in _split_columns(rule.params[0])]
    alias, ref_cols = _reference_columns(rule.params[1])
    ref = ctx.reference(alias)
    ref_keys = [ctx.column(c, ref)[0] for c in ref_cols]
    if len(ref_keys) != len(keys):
        raise RuleError(f"{len(keys)} column(s) cannot match {len(ref_keys)} reference column(s)")
    flag = ctx.plan.add_flag(keys, ref, ref_keys)
    where = ctx.where(rule.where)
    n, ok = ctx.rows(where), ctx.count_if(F.col(flag).isNotNull(), where)
    metric = f"Column.{alias}.ReferentialIntegrity"

    def finish(v: Mapping[str, Any]) -> Outcome:
        if not v[n]:
            raise RuleError("No rows to evaluate")
        ratio = float(v[ok]) / float(v[n])
        return judge(ratio, rule.condition, {metric: ratio})  # type: ignore[arg-type]

    return Prepared(finish, ~where | F.col(flag).isNotNull())


def _mapping(spec: str) -> list[tuple[str, str]]:
    """``"a->b, c"`` -> [(a, b), (c, c)]."""
    pairs = []
    for part in spec.split(","):
        left, _, right = part.partition("->")
        if left.strip():
            pairs.append((left.strip(), (right or left).strip()))
    return pairs


@rule_type("DatasetMatch", Signature(2, 3, "required", where=False))
def dataset_match(rule: Rule, ctx: Context) -> Prepared:
    alias = rule.params[0]
    ref = ctx.reference(alias)
    keys = [(ctx.column(a)[0], ctx.column(b, ref)[0]) for a, b in _mapping(rule.params[1])]
    if len(rule.params) > 2:
        cols = [(ctx.column(a)[0], ctx.column(b, ref)[0]) for a, b in _mapping(rule.params[2])]
    else:
        key_names = {a for a, _ in keys}
        cols = [(c, ctx.column(c, ref)[0]) for c in ctx.df.columns if c not in key_names]
    metric = f"Dataset.{alias}.DatasetMatch"

    def finish(v: Mapping[str, Any]) -> Outcome:
        left = ctx.df.select(*[F.col(a).alias(f"_k{i}") for i, (a, _) in enumerate(keys)],
                             *[F.col(a).alias(f"_c{i}") for i, (a, _) in enumerate(cols)])
        right = ref.select(*[F.col(b).alias(f"_rk{i}") for i, (_, b) in enumerate(keys)],
                           *[F.col(b).alias(f"_rc{i}") for i, (_, b) in enumerate(cols)]).dropDuplicates(
            [f"_rk{i}" for i in range(len(keys))])
        on = [left[f"_k{i}"] == right[f"_rk{i}"] for i in range(len(keys))]
        same = F.lit(True)
        for i in range(len(cols)):
            same = same & left[f"_c{i}"].eqNullSafe(right[f"_rc{i}"])
        for i in range(len(keys)):
            same = same & right[f"_rk{i}"].isNotNull()
        row = left.join(right, on=on, how="left").agg(
            F.count(F.lit(1)).alias("n"), F.count_if(same).alias("ok")).collect()[0]
        if not row["n"]:
            raise RuleError("No rows to evaluate")
        ratio = row["ok"] / row["n"]
        return judge(ratio, rule.condition, {metric: ratio})  # type: ignore[arg-type]

    return Prepared(finish)


@rule_type("SchemaMatch", Signature(1, 1, "required", where=False))
def schema_match(rule: Rule, ctx: Context) -> Prepared:
    alias = rule.params[0]
    ref = ctx.reference(alias)
    ours = {(f.name.lower(), f.dataType.simpleString()) for f in ctx.df.schema.fields}
    theirs = {(f.name.lower(), f.dataType.simpleString()) for f in ref.schema.fields}
    ratio = len(ours & theirs) / max(len(ours), len(theirs), 1)
    metric = f"Dataset.{alias}.SchemaMatch"
    return Prepared(lambda v: judge(ratio, rule.condition, {metric: ratio}))  # type: ignore[arg-type]


@rule_type("RowCountMatch", Signature(1, 1, "required", where=False))
def row_count_match(rule: Rule, ctx: Context) -> Prepared:
    alias = rule.params[0]
    ref = ctx.reference(alias)
    n = ctx.rows(ctx.where(rule.where))
    metric = f"Dataset.{alias}.RowCountMatch"

    def finish(v: Mapping[str, Any]) -> Outcome:
        theirs = ref.count()
        ratio = (1.0 if not v[n] else 0.0) if theirs == 0 else v[n] / theirs
        return judge(ratio, rule.condition, {metric: ratio})  # type: ignore[arg-type]

    return Prepared(finish)


_AGGREGATE = re.compile(r"^\s*(sum|avg)\s*\(\s*(?:([A-Za-z_][\w]*)\.)?([^()]+?)\s*\)\s*$", re.IGNORECASE)


def _aggregate(ctx: Context, spec: str) -> tuple[DataFrame, Any, str]:
    m = _AGGREGATE.match(spec)
    if not m:
        raise RuleError(f"Aggregate {spec!r} must be sum(column) or avg(column), optionally alias.column")
    fn, alias, column = m.group(1).lower(), m.group(2), m.group(3)
    df = ctx.df if alias in (None, PRIMARY) else ctx.reference(alias)
    name, _ = ctx.column(column, df)
    return df, (F.sum if fn == "sum" else F.avg)(F.col(name)).cast("double"), name


@rule_type("AggregateMatch", Signature(2, 2, "required", where=False))
def aggregate_match(rule: Rule, ctx: Context) -> Prepared:
    (df1, e1, name), (df2, e2, _) = _aggregate(ctx, rule.params[0]), _aggregate(ctx, rule.params[1])
    a1 = ctx.plan.agg(e1) if df1 is ctx.df else None
    a2 = ctx.plan.agg(e2) if df2 is ctx.df else None

    def finish(v: Mapping[str, Any]) -> Outcome:
        first = v[a1] if a1 else df1.agg(e1).collect()[0][0]
        second = v[a2] if a2 else df2.agg(e2).collect()[0][0]
        if first is None or second is None:
            raise RuleError("An aggregate has no non-null values")
        ratio = 1.0 if first == 0 and second == 0 else (0.0 if second == 0 else first / second)
        return judge(ratio, rule.condition, {f"Column.{name}.AggregateMatch": ratio})  # type: ignore[arg-type]

    return Prepared(finish)


#: A session's temporary views are shared by all its threads: registering ``primary`` and the references
#: and analyzing a query over them happen while this lock is held, so that tables checked side by side
#: never read each other's views (an analyzed query keeps the plans it resolved; it runs after).
VIEWS = threading.RLock()


def _register_views(ctx: Context) -> None:
    """The data as ``primary`` and each reference by its alias, as temporary views of the session (hold
    :data:`VIEWS` while they are used)."""
    ctx.df.createOrReplaceTempView(PRIMARY)
    for alias, ref in ctx.references.items():
        ref.createOrReplaceTempView(alias)


def _strip_aliases(plan: Any) -> Any:
    while plan.nodeName() in ("SubqueryAlias", "View"):
        plan = plan.child()
    return plan


def _filter_predicate(ctx: Context, sql: str) -> Column | None:
    """The predicate of a query that only filters ``primary``, read from its analyzed plan, else None.

    Simple means the analyzed plan is Project over Filter over the primary data itself (aliases and the
    view node aside), with no subquery: no join, aggregate, distinct, window, limit, order or union. The
    query then selects exactly the rows where the predicate is true (a null predicate drops the row)."""
    plan = _analyzed(ctx, sql)
    if plan is None or plan.nodeName() != "Project":
        return None
    exprs = _expressions(ctx)
    projected = plan.projectList()
    for i in range(projected.size()):
        if exprs.SubqueryExpression.hasSubquery(projected.apply(i)):
            return None
    filt = plan.child()
    return _primary_predicate(ctx, filt) if filt.nodeName() == "Filter" else None


def _count_predicate(ctx: Context, sql: str) -> Column | None:
    """The predicate of ``select count(*) from primary [where <predicate>]``, read from its analyzed plan
    (an Aggregate without grouping whose one value is ``count(1)``, over a filter of ``primary`` or over
    ``primary`` itself), else None. The query's value is then the number of rows where it holds."""
    plan = _analyzed(ctx, sql)
    if plan is None or plan.nodeName() != "Aggregate" or plan.groupingExpressions().size() != 0:
        return None
    values = plan.aggregateExpressions()
    if values.size() != 1:
        return None
    value = values.apply(0)
    if value.getClass().getSimpleName() == "Alias":
        value = value.child()
    if value.getClass().getSimpleName() != "AggregateExpression" or value.isDistinct() or value.filter().isDefined():
        return None
    count = value.aggregateFunction()
    args = count.children()
    if count.getClass().getSimpleName() != "Count" or args.size() != 1:
        return None
    arg = args.apply(0)
    if arg.getClass().getSimpleName() != "Literal" or arg.value() is None:  # count(1): every row
        return None
    child = plan.child()
    if child.nodeName() == "Filter":
        return _primary_predicate(ctx, child)
    return F.lit(True) if _is_primary(ctx, child) else None


def _analyzed(ctx: Context, sql: str) -> Any:
    try:
        return ctx.df.sparkSession.sql(sql)._jdf.queryExecution().analyzed()
    except Exception:
        return None  # the unfused path reports the error


def _expressions(ctx: Context) -> Any:
    jvm = ctx.df.sparkSession._jvm
    assert jvm is not None
    return jvm.org.apache.spark.sql.catalyst.expressions


def _is_primary(ctx: Context, node: Any) -> bool:
    source = _strip_aliases(node)
    primary = ctx.df._jdf.queryExecution().analyzed()
    return bool(source.sameResult(primary)) and source.output().toString() == primary.output().toString()


def _primary_predicate(ctx: Context, filt: Any) -> Column | None:
    """A Filter node's condition as a Column over ``primary`` (null: false), when it filters ``primary``
    itself and holds no subquery; else None."""
    if not _is_primary(ctx, filt.child()):
        return None
    cond = filt.condition()
    if _expressions(ctx).SubqueryExpression.hasSubquery(cond):
        return None
    jvm = ctx.df.sparkSession._jvm
    assert jvm is not None
    pred = Column(jvm.org.apache.spark.sql.Column(cond))
    try:
        ctx.df.where(pred)
    except Exception:
        return None
    return F.coalesce(pred, F.lit(False))


def _row_filter(rule: Rule, ctx: Context) -> Prepared | None:
    """``select ... from primary where <predicate>`` with a threshold: a row passes when the predicate holds.

    Evaluated in the shared pass (and at row level) instead of as its own query."""
    with VIEWS:
        _register_views(ctx)
        passes = _filter_predicate(ctx, rule.params[0])
    if passes is None:
        return None
    n, ok = ctx.rows(F.lit(True)), ctx.count_if(passes, F.lit(True))

    def finish(v: Mapping[str, Any]) -> Outcome:
        if not v[n]:
            raise RuleError("No rows to evaluate")
        ratio = float(v[ok]) / float(v[n])
        return judge(ratio, rule.threshold or ALL, {"Dataset.*.CustomSQL.Compliance": ratio})

    return Prepared(finish, passes)


def _fused_count(rule: Rule, ctx: Context) -> Prepared | None:
    """``select count(*) from primary where <predicate>`` with a condition: a count_if in the shared pass."""
    with VIEWS:
        _register_views(ctx)
        passes = _count_predicate(ctx, rule.params[0])
    if passes is None:
        return None
    ok = ctx.count_if(passes, F.lit(True))

    def finish(v: Mapping[str, Any]) -> Outcome:
        value = float(v[ok])
        return judge(value, rule.condition, {CUSTOM_SQL(rule.params)[0]: value})  # type: ignore[arg-type]

    return Prepared(finish)


def _check_sql(ctx: Context, sql: str) -> None:
    """One read-only query over ``primary`` and the references (registered as views to be resolved),
    before anything runs it."""
    try:
        with VIEWS:
            _register_views(ctx)
            check_query(ctx.df.sparkSession, sql, [PRIMARY, *ctx.references])
    except InvalidSqlError as exc:
        raise RuleError(f"CustomSql failed: {exc}") from None
    except UnsafeSqlError as exc:
        raise RuleError(f"CustomSql refused: {exc}") from None


#: CustomSql with a condition reports (and keeps a history of) the query's value.
CUSTOM_SQL = dataset_metric("CustomSQL")


@rule_type("CustomSql", Signature(1, 1, "optional", threshold=True, where=False, dynamic=CONDITION),
           row_level=lambda rule: rule.condition is None, analyzer=True, metrics=CUSTOM_SQL)
def custom_sql(rule: Rule, ctx: Context) -> Prepared:
    sql = rule.params[0]
    _check_sql(ctx, sql)
    fused = _row_filter(rule, ctx) if rule.condition is None else _fused_count(rule, ctx)
    if fused is not None:
        return fused
    n = ctx.rows(ctx.where(None))

    def finish(v: Mapping[str, Any]) -> Outcome:
        spark = ctx.df.sparkSession
        try:
            with VIEWS:
                _register_views(ctx)
                result = spark.sql(sql)
            if rule.condition is None:  # row form: the query selects the passing rows (all, without threshold)
                if not v[n]:
                    raise RuleError("No rows to evaluate")
                ratio = result.count() / v[n]
                return judge(ratio, rule.threshold or ALL, {"Dataset.*.CustomSQL.Compliance": ratio})
            rows = result.take(2)
        except RuleError:
            raise
        except Exception as exc:
            raise RuleError(f"CustomSql failed: {first_line(exc)}") from None
        try:
            if len(rows) != 1 or len(rows[0]) != 1:
                raise TypeError
            value = float(rows[0][0])
        except (TypeError, ValueError):
            raise RuleError("CustomSql must return exactly one numeric value") from None
        return judge(value, rule.condition, {CUSTOM_SQL(rule.params)[0]: value})

    return Prepared(finish)

