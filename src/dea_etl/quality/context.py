"""The shared evaluation pass: every rule registers the aggregates it needs; one ``agg`` computes them all.

:class:`Plan` collects aggregate expressions (deduplicated by their SQL text) and group-by requests
(deduplicated by column set and ``where`` clause), runs one ``DataFrame.agg`` over the data plus the
group-bys (one GROUPING SETS job for all the column sets, one scan and one shuffle; on large data one
query per column set, side by side, see :data:`SEPARATE_GROUPS_ROWS`), and hands the values back to
the rules. Rules that need a
reference dataset's keys (ReferentialIntegrity) add a flag column by a left join before that pass, so
their counts are part of the same aggregation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, StructField, StructType

from dea_etl.errors import DeaEtlError, first_line
from dea_etl.quality.groups import SEPARATE_GROUPS_ROWS, GroupRequest, group_values, grouping_sets_values
from dea_etl.quality.outcome import Outcome
from dea_etl.sqlguard import InvalidSqlError, UnsafeSqlError, check_expression
from dea_etl.together import settle_all
from dea_etl.together import values as settled_values

__all__ = ["Context", "Outcome", "Plan", "Prepared", "RuleError", "fmt"]


class RuleError(DeaEtlError):
    """A rule cannot be evaluated (missing column, bad SQL, empty data...): it fails with this reason."""


@dataclass
class Prepared:
    """A rule after registration: ``finish`` turns the pass's values into an outcome; ``row`` is its
    row-level verdict (true = pass, false = fail) or None when the rule has no row-level meaning.

    ``failing`` gives, from the pass's values, a number that is 0 exactly when no row's verdict is false; a
    verdict that reads other rows (a window: ``windowed``) must say it from its group-by's values, any other
    is counted in the fused aggregation (see :func:`dea_etl.quality.run.run_ruleset`)."""

    finish: Callable[[Mapping[str, Any]], Outcome]
    row: Column | None = None
    failing: Callable[[Mapping[str, Any]], int] | None = None
    windowed: bool = False


def fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "null"
    return f"{value:.6g}" if isinstance(value, float) else str(value)


class Plan:
    """Aggregates and group-bys requested by the rules of one evaluation."""

    def __init__(self, df: DataFrame) -> None:
        self.df = df
        self.base = df
        self._aggs: dict[str, Column] = {}
        self._by_sql: dict[str, str] = {}
        self._owner: dict[str, set[int]] = {}
        self._groups: dict[tuple[tuple[str, ...], str | None], GroupRequest] = {}
        self._flags = 0
        self.current_rule = -1

    def agg(self, expr: Column) -> str:
        key = str(expr)
        alias = self._by_sql.get(key)
        if alias is None:
            alias = f"m{len(self._aggs)}"
            self._by_sql[key] = alias
            self._aggs[alias] = expr
        self._owner.setdefault(alias, set()).add(self.current_rule)
        return alias

    def group(self, columns: tuple[str, ...], where: str | None) -> str:
        """Register a group-by over ``columns``; values ``<prefix>`` + distinct|unique|clogc|valued."""
        key = (columns, where)
        if key not in self._groups:
            self._groups[key] = GroupRequest(columns, where, f"g{len(self._groups)}_")
        return self._groups[key].prefix

    def add_flag(self, keys: list[str], ref_df: DataFrame, ref_keys: list[str]) -> str:
        """Left-join distinct reference keys; the returned column is true where the row's keys exist there."""
        name = f"__dq_flag{self._flags}"
        self._flags += 1
        tmp = [f"{name}_k{i}" for i in range(len(ref_keys))]
        ref = ref_df.select(*[F.col(r).alias(t) for r, t in zip(ref_keys, tmp, strict=True)]).distinct()
        ref = ref.withColumn(name, F.lit(True))
        cond = [self.base[k] == ref[t] for k, t in zip(keys, tmp, strict=True)]
        self.base = self.base.join(ref, on=cond, how="left").drop(*tmp)
        return name

    def _selected(self) -> list[Column]:
        return [e.alias(a) for a, e in self._aggs.items()]

    def analyze(self) -> None:
        """Analyze the fused aggregation without running it (raises what Spark raises)."""
        self.base.agg(*(self._selected() or [F.count(F.lit(1))]))

    def drop_rules(self, rules: set[int]) -> None:
        for alias in [a for a, owners in self._owner.items() if owners <= rules]:
            self._aggs.pop(alias, None)

    def failing_rules(self) -> set[int]:
        """Rules whose aggregates do not analyze (found one rule at a time after the batch fails)."""
        bad: set[int] = set()
        for rule in sorted({r for owners in self._owner.values() for r in owners}):
            exprs = [e.alias(a) for a, e in self._aggs.items() if rule in self._owner.get(a, set())]
            try:
                self.base.agg(*exprs)
            except Exception:
                bad.add(rule)
        return bad

    def run(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        rows = self.agg(F.count_if(F.lit(True)))  # every evaluation counts its rows: no aggregate of its own
        row = self.base.agg(*self._selected()).collect()[0]
        values.update(row.asDict())
        groups = list(self._groups.values())
        if len(groups) == 1:
            values.update(group_values(self.df, groups[0]))
        elif groups and int(values[rows] or 0) > SEPARATE_GROUPS_ROWS:
            for found in settled_values(settle_all(lambda req: group_values(self.df, req), groups)):
                values.update(found)
        elif groups:
            values.update(grouping_sets_values(self.df, groups))
        return values


def _reference(name: str) -> str:
    """A top-level column name as ``F.col`` reads it: back-quoted when a dot or back-quote would split it."""
    return f"`{name.replace('`', '``')}`" if "." in name or "`" in name else name


def _nested(fields: list[StructField], path: list[str]) -> tuple[str, DataType] | None:
    """``a.b.c`` through struct fields (case-insensitive), as (``a.b.c`` spelled as in the data, type)."""
    names: list[str] = []
    dtype: DataType | None = None
    for part in path:
        found = next((f for f in fields if f.name.lower() == part.lower()), None)
        if found is None or (dtype is not None and not isinstance(dtype, StructType)):
            return None
        names.append(_reference(found.name))
        dtype = found.dataType
        fields = found.dataType.fields if isinstance(found.dataType, StructType) else []
    return (".".join(names), dtype) if dtype is not None and len(path) > 1 else None


@dataclass
class Context:
    """What a rule handler sees: the data, the reference datasets, the shared plan."""

    df: DataFrame
    references: Mapping[str, DataFrame]
    plan: Plan
    #: where file rules may read (folders / s3:// prefixes); none: file rules fail
    file_roots: tuple[str, ...] = ()
    #: each where clause checked and analyzed once per evaluation (many rules share one): its predicate, or
    #: the reason it cannot be used
    _wheres: dict[str, Column | RuleError] = field(default_factory=dict)

    def column(self, name: str, df: DataFrame | None = None) -> tuple[str, DataType]:
        """The column as ``F.col`` takes it and its type; RuleError if absent. Lookup is case-insensitive:
        a top-level column of that name (``"a.b"`` or back-quoted ``"`a.b`"``, spaces and dashes
        allowed), else a field of a struct (``"a.b"``: field ``b`` of ``a``)."""
        fields = (df or self.df).schema.fields
        quoted = len(name) > 1 and name.startswith("`") and name.endswith("`")
        wanted = name[1:-1].replace("``", "`") if quoted else name
        for f in fields:
            if f.name.lower() == wanted.lower():
                return _reference(f.name), f.dataType
        if not quoted:
            nested = _nested(fields, wanted.split("."))
            if nested is not None:
                return nested
        raise RuleError(f"Column {name!r} does not exist")

    def where(self, sql: str | None) -> Column:
        """The rule's ``where`` predicate (true when absent); RuleError on SQL that does not analyze."""
        if sql is None:
            return F.lit(True)
        if sql not in self._wheres:
            try:
                self._wheres[sql] = self._checked_where(sql)
            except RuleError as exc:
                self._wheres[sql] = exc
        found = self._wheres[sql]
        if isinstance(found, RuleError):
            raise RuleError(str(found))
        return found

    def _checked_where(self, sql: str) -> Column:
        try:
            check_expression(self.df.sparkSession, sql, self.df)
        except UnsafeSqlError as exc:
            verb = "is invalid" if isinstance(exc, InvalidSqlError) else "refused"
            raise RuleError(f"where clause {sql!r} {verb}: {exc}") from None
        try:
            pred = F.expr(sql)
            self.df.where(pred)
        except Exception as exc:
            raise RuleError(f"where clause {sql!r} is invalid: {first_line(exc)}") from None
        return F.coalesce(pred, F.lit(False))

    def reference(self, alias: str) -> DataFrame:
        if alias not in self.references:
            raise RuleError(f"Reference dataset {alias!r} not found in references")
        return self.references[alias]

    def rows(self, where: Column) -> str:
        return self.plan.agg(F.count_if(where))

    def count_if(self, pred: Column, where: Column) -> str:
        return self.plan.agg(F.count_if(F.coalesce(pred, F.lit(False)) & where))
