"""A read-only SQL guard: one query over named tables, with allowed functions, decided on what Spark
resolved it to, before anything runs.

SQL in a shared ruleset (CustomSql, ``where`` clauses) or given to ``dea-etl sql`` may come from someone
else. :func:`check_query` parses it, checks the parsed plan (:mod:`~dea_etl.sqlguard.parsed`: no
command, only the given tables and CTEs, only allowed functions: nothing that analysis would act on),
has Spark analyze it (resolved, not executed: no command reaches the analyzer) and checks the analyzed
plan (:mod:`~dea_etl.sqlguard.analyzed`: its only leaves are the given tables, its only functions those
of :data:`~dea_etl.sqlguard.allowed.FUNCTIONS` or the session's temporary functions, wherever they sit).
Anything else raises :class:`UnsafeSqlError` with one line; SQL that does not parse or analyze raises
:class:`InvalidSqlError` (one line too, also for a query too deep for Spark's parser).

:func:`check_expression` does the same for a SQL expression over a DataFrame (a ``where`` clause).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from dea_etl.errors import root_cause
from dea_etl.sqlguard.allowed import FUNCTIONS, STRUCTURAL
from dea_etl.sqlguard.analyzed import AnalyzedCheck
from dea_etl.sqlguard.errors import InvalidSqlError, UnsafeSqlError
from dea_etl.sqlguard.parsed import ParsedCheck
from dea_etl.sqlguard.tree import EXPRESSIONS, Tree

__all__ = [
    "InvalidSqlError", "UnsafeSqlError", "check_analyzed", "check_expression", "check_query", "spark_error",
]

_FUNCTION_CLASSES: dict[int, frozenset[str]] = {}


def spark_error(exc: BaseException) -> str:
    """Spark's error on one line (without the query excerpt or the plan); a parser or analyzer that ran
    out of stack says so."""
    line = root_cause(exc)
    if "StackOverflowError" in line:
        return "the query is nested too deeply for Spark (java.lang.StackOverflowError); split it up"
    return " ".join(line.split())


def _function_classes(tree: Tree) -> frozenset[str]:
    """The expression classes of the allowed functions (asked from Spark's registry once per JVM, in one call:
    ``dea_etl.spark.FunctionClasses`` of ``dea-etl-spark.jar``)."""
    key = id(tree.jvm)
    if key not in _FUNCTION_CLASSES:
        names = "\n".join(sorted(FUNCTIONS))
        classes = str(tree.jvm.dea_etl.spark.FunctionClasses.of(names)).split("\n")
        _FUNCTION_CLASSES[key] = frozenset(filter(None, classes))
    return _FUNCTION_CLASSES[key]


class _Guard:
    def __init__(self, spark: SparkSession, tables: Iterable[str]) -> None:
        self.spark = spark
        self.tree = Tree(spark)
        self.state: Any = spark._jsparkSession.sessionState()
        self.tables = frozenset(tuple(p.lower() for p in t.split(".")) for t in tables)

    def _ident(self, name: str) -> Any:
        return self.tree.jvm.org.apache.spark.sql.catalyst.FunctionIdentifier(name)

    def is_udf(self, name: str) -> bool:
        """A temporary function the session's user registered (not a built-in)."""
        return bool(name) and bool(self.state.catalog().isTemporaryFunction(self._ident(name)))

    def is_function(self, name: str) -> bool:
        return name.lower() in FUNCTIONS or self.is_udf(name)

    def parsed_check(self) -> ParsedCheck:
        return ParsedCheck(self.tree, self.tables, self.is_function, self.state.sqlParser().parseMultipartIdentifier)

    def analyzed_check(self) -> AnalyzedCheck:
        return AnalyzedCheck(self.tree, self.tables, _function_classes(self.tree), self.is_udf,
                             str(self.spark.catalog.currentCatalog()))

    def parse(self, method: str, sql: str) -> Any:
        try:
            return getattr(self.state.sqlParser(), method)(sql)
        except Exception as exc:
            raise InvalidSqlError(f"does not parse: {spark_error(exc)}") from None

    def analyze(self, plan: Any) -> Any:
        """The analyzed plan (resolution only: the plan holds no command, see :mod:`.parsed`)."""
        jvm = self.tree.jvm
        tracker = jvm.org.apache.spark.sql.catalyst.QueryPlanningTracker(jvm.scala.Option.apply(None))
        try:
            return self.state.analyzer().executeAndCheck(plan, tracker)
        except Exception as exc:
            raise InvalidSqlError(f"does not analyze: {spark_error(exc)}") from None


def check_query(spark: SparkSession, sql: str, tables: Iterable[str],
                before_analysis: Callable[[set[str]], None] | None = None) -> Any:
    """Raise :class:`UnsafeSqlError` unless ``sql`` is one read-only query over ``tables`` (temporary views,
    or ``table.metadata`` names of the current Iceberg catalog) with allowed functions; returns its
    analyzed plan (a Java object). ``before_analysis`` is given the tables the parsed query names (lower
    case, as in ``tables``) before Spark resolves them: the caller may create just those views then."""
    guard = _Guard(spark, tables)
    parsed = guard.parse("parsePlan", sql)
    check = guard.parsed_check()
    check.run(parsed)
    if before_analysis is not None:
        before_analysis({".".join(parts) for parts in check.named})
    analyzed = guard.analyze(parsed)
    guard.analyzed_check().run(analyzed)
    return analyzed


def check_analyzed(spark: SparkSession, analyzed: Any, tables: Iterable[str]) -> None:
    """The analyzed-plan check alone, on a plan Spark analyzed (a Java ``LogicalPlan``)."""
    _Guard(spark, tables).analyzed_check().run(analyzed)


def check_expression(spark: SparkSession, sql: str, over: DataFrame, tables: Iterable[str] = ()) -> None:
    """The same for a SQL expression over the rows of ``over`` (a ``where`` clause; its subqueries may read
    ``tables``). ``over`` itself is not checked: it is the data."""
    guard = _Guard(spark, tables)
    parsed = guard.parse("parseExpression", sql)
    guard.parsed_check().run(parsed)
    jvm: Any = guard.tree.jvm
    plan = jvm.org.apache.spark.sql.catalyst.plans.logical.Filter(parsed, over._jdf.queryExecution().analyzed())
    analyzed = guard.analyze(plan)
    if analyzed.nodeName() != "Filter":
        raise InvalidSqlError(f"is not a condition on a row: {sql}")
    guard.analyzed_check().run(analyzed.condition())


def structural_classes() -> frozenset[str]:
    """The full names of :data:`~dea_etl.sqlguard.allowed.STRUCTURAL` (for tests)."""
    return frozenset(EXPRESSIONS + name for name in STRUCTURAL)
