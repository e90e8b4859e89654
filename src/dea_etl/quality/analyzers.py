"""The ``Analyzers = [...]`` section: each analyzer as the rules whose metrics it gathers (their conditions
always hold), evaluated in the same pass as the rules (:func:`dea_etl.quality.evaluate.run_ruleset`).

- A rule type (``Completeness "c"``, ``Mean "x"``, ``CustomSql "select ..."``...) gathers that rule's metrics;
  ``ColumnLength "c"`` both MinimumLength and MaximumLength; ``ColumnValues "c"`` the Minimum and Maximum of a
  numeric column (as AllStatistics does; another column has none, and the analyzer says so).
- ``AllStatistics "c"`` (Glue's list, and the DQDL reference's analyzer example): ``Dataset.*.RowCount``,
  ``Dataset.*.ColumnCount``, Completeness, Uniqueness, DistinctValuesCount, UniqueValueRatio and Entropy of
  the column; + Mean, Sum, StandardDeviation, Minimum and Maximum of a numeric column; + MinimumLength and
  MaximumLength of a string column. ``AllStatistics of AllColumns`` (or ``"AllColumns"``) is that for every
  column of the data (unless the data has a column named AllColumns).
"""

from __future__ import annotations

import math

from pyspark.sql.types import DataType, NumericType, StringType, StructType

from dea_etl.quality.model import Analyzer, Condition, Op, Rule

ALL_COLUMNS = "AllColumns"
_ANY = Condition(Op.GT, (-math.inf,))
#: Any length, as a range: ColumnLength reports both MinimumLength and MaximumLength for it.
_ANY_LENGTH = Condition(Op.BETWEEN, (-math.inf, math.inf))
_BOUNDS = (Condition(Op.GT, (-math.inf,)), Condition(Op.LT, (math.inf,)))
_DATASET = ("RowCount", "ColumnCount")
_EVERY_COLUMN = ("Completeness", "Uniqueness", "DistinctValuesCount", "UniqueValueRatio", "Entropy")
_NUMERIC = ("Mean", "Sum", "StandardDeviation")


def _column_type(schema: StructType, column: str) -> DataType | None:
    return next((f.dataType for f in schema.fields if f.name.lower() == column.lower()), None)


def _rule(a: Analyzer, rule_type: str, params: tuple[str, ...], cond: Condition) -> Rule:
    return Rule(rule_type, params, cond, a.text, line=a.line, column=a.column)


def _statistics(a: Analyzer, schema: StructType, column: str) -> list[Rule]:
    kind = _column_type(schema, column)
    rules = [_rule(a, n, (column,), _ANY) for n in _EVERY_COLUMN]
    if isinstance(kind, NumericType):
        rules += [_rule(a, n, (column,), _ANY) for n in _NUMERIC]
        rules += [_rule(a, "ColumnValues", (column,), c) for c in _BOUNDS]
    elif isinstance(kind, StringType):
        rules.append(_rule(a, "ColumnLength", (column,), _ANY_LENGTH))
    return rules


def analyzer_rules(a: Analyzer, schema: StructType) -> list[Rule]:
    """The rules whose metrics are the analyzer's (module doc)."""
    if a.analyzer_type == "AllStatistics":
        column = a.params[0]
        every = column == ALL_COLUMNS and _column_type(schema, column) is None
        rules = [_rule(a, n, (), _ANY) for n in _DATASET]
        for name in (schema.fieldNames() if every else [column]):
            rules += _statistics(a, schema, name)
        return rules
    if a.analyzer_type == "ColumnLength":
        return [_rule(a, "ColumnLength", a.params, _ANY_LENGTH)]
    if a.analyzer_type == "ColumnValues":
        if not isinstance(_column_type(schema, a.params[0]), NumericType):
            return []
        return [_rule(a, "ColumnValues", a.params, c) for c in _BOUNDS]
    return [_rule(a, a.analyzer_type, a.params, _ANY)]


def no_metrics_reason(a: Analyzer, schema: StructType) -> str | None:
    """Why an analyzer gathers nothing here (a ColumnValues analyzer on a column that is not numeric)."""
    if a.analyzer_type == "ColumnValues" and not analyzer_rules(a, schema):
        found = _column_type(schema, a.params[0])
        what = "does not exist" if found is None else f"is not numeric ({found.simpleString()})"
        return f"ColumnValues gathers the Minimum and Maximum of a numeric column; {a.params[0]!r} {what}"
    return None
