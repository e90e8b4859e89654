"""A read-only SQL guard: one query over named tables, nothing else (checked on the parsed plan).

SQL in a shared ruleset (CustomSql, ``where`` clauses) or given to ``dea-etl sql`` may come from someone
else. Before Spark analyzes or runs it, :func:`check_query` parses it (no execution) and refuses, with a
one-line :class:`UnsafeSqlError`:

- more than one statement, and every command (INSERT, INSERT OVERWRITE DIRECTORY, CREATE TABLE/VIEW,
  CACHE, SET, ADD JAR, ...): only the plan nodes of a SELECT are allowed;
- a table that is not one of the given names (or a CTE of the query): so no ``text.`/etc/passwd```,
  ``parquet.`s3://...```, no other database's table;
- Java calls (``reflect``, ``java_method``, ``try_reflect``) and ``TRANSFORM ... USING`` scripts;
- table-valued functions other than the generators (``range``, ``explode``, ...).

Subqueries and CTE bodies are walked too. :func:`check_expression` does the same for a SQL expression
(a ``where`` clause).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pyspark.sql import SparkSession

from dea_etl.errors import DeaEtlError


class UnsafeSqlError(DeaEtlError, ValueError):
    """SQL that is not a single read-only query over the allowed tables."""


#: Parsed-plan nodes a SELECT is made of.
QUERY_NODES = frozenset({
    "Project", "Filter", "Aggregate", "Join", "LateralJoin", "UnresolvedRelation", "SubqueryAlias",
    "UnresolvedSubqueryColumnAliases", "Sort", "GlobalLimit", "LocalLimit", "Offset", "Tail", "Distinct",
    "Deduplicate", "Union", "Intersect", "Except", "UnresolvedWith", "CTERelationRef", "OneRowRelation",
    "UnresolvedInlineTable", "LocalRelation", "Generate", "Pivot", "Unpivot", "Sample",
    "RepartitionByExpression", "Repartition", "WithWindowDefinition", "UnresolvedHaving",
    "UnresolvedTableValuedFunction", "Window", "Expand",
})
#: Functions that call into the JVM.
JAVA_FUNCTIONS = frozenset({"reflect", "java_method", "try_reflect"})
#: Table-valued functions that only compute rows (no source outside the query).
TABLE_FUNCTIONS = frozenset({
    "range", "explode", "explode_outer", "inline", "inline_outer", "posexplode", "posexplode_outer",
    "stack", "json_tuple",
})


def _seq(scala_seq: Any) -> Iterator[Any]:
    for i in range(scala_seq.size()):
        yield scala_seq.apply(i)


class _Walker:
    def __init__(self, spark: SparkSession, tables: Iterable[str]) -> None:
        jvm: Any = spark.sparkContext._jvm
        self.parser = spark._jsparkSession.sessionState().sqlParser()
        self.subquery = jvm.java.lang.Class.forName(
            "org.apache.spark.sql.catalyst.expressions.SubqueryExpression")
        self.function = jvm.java.lang.Class.forName("org.apache.spark.sql.catalyst.analysis.UnresolvedFunction")
        self.tables = {t.lower() for t in tables}

    def plan(self, node: Any) -> None:
        name = node.nodeName()
        if name not in QUERY_NODES:
            raise UnsafeSqlError(f"only a read-only query is allowed, not {_describe(name)}")
        if name == "UnresolvedWith":
            for pair in _seq(node.cteRelations()):
                self.tables.add(str(pair._1()).lower())
                self.plan(pair._2())
        if name == "UnresolvedRelation":
            parts = [str(p) for p in _seq(node.multipartIdentifier())]
            # names exactly as given (an Iceberg table's metadata tables: ``dea_etl.orders.snapshots``)
            if ".".join(parts).lower() not in self.tables:
                allowed = ", ".join(sorted(self.tables)) or "none"
                raise UnsafeSqlError(f"table {'.'.join(parts)!r} is not one of the query's tables ({allowed})")
        if name == "UnresolvedTableValuedFunction":
            fn = str(node.name().last()).lower()
            if fn not in TABLE_FUNCTIONS:
                raise UnsafeSqlError(f"table function {fn!r} is not allowed")
        for expr in _seq(node.expressions()):
            self.expression(expr)
        for child in _seq(node.children()):
            self.plan(child)

    def expression(self, expr: Any) -> None:
        if self.function.isInstance(expr):
            fn = str(expr.nameParts().last()).lower()
            if fn in JAVA_FUNCTIONS:
                raise UnsafeSqlError(f"function {fn}() calls Java and is not allowed")
        if self.subquery.isInstance(expr):
            self.plan(expr.plan())
        for child in _seq(expr.children()):
            self.expression(child)


def _describe(node: str) -> str:
    words = {"InsertIntoDir": "INSERT OVERWRITE DIRECTORY", "InsertIntoStatement": "INSERT",
             "ScriptTransformation": "TRANSFORM ... USING"}
    return words.get(node, f"a command ({node})")


def _parsed(parse: Any, text: str) -> Any:
    try:
        return parse(text)
    except Exception as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UnsafeSqlError(f"does not parse: {message}") from None


def check_query(spark: SparkSession, sql: str, tables: Iterable[str]) -> None:
    """Raise :class:`UnsafeSqlError` unless ``sql`` is one read-only query over ``tables`` (see module)."""
    walker = _Walker(spark, tables)
    walker.plan(_parsed(walker.parser.parsePlan, sql))


def check_expression(spark: SparkSession, sql: str, tables: Iterable[str] = ()) -> None:
    """The same for a SQL expression (e.g. a ``where`` clause; its subqueries may read ``tables``)."""
    walker = _Walker(spark, tables)
    walker.expression(_parsed(walker.parser.parseExpression, sql))
