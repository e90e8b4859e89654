"""DQDL data quality evaluated natively in PySpark (see README's "Data quality" for the rule list).

``evaluate(df, ruleset, references=None)`` gives Glue's ruleOutcomes (Rule, Outcome, FailureReason,
EvaluatedMetrics); ``evaluate_rows`` gives rowLevelOutcomes; ``analyze`` gives the metrics of the
``Analyzers = [...]`` section (Analyzer, EvaluatedMetrics); an invalid ruleset raises
:class:`DqdlSyntaxError` (a ValueError) naming line, column and what was expected.

Semantics (chosen to follow Glue / Deequ; each is tested):

- Conditions on metrics: ``between a and b`` excludes both bounds; ``=`` / ``!=`` / ``in`` compare numbers
  with a tolerance of 1e-5 (as DQDL does).
- ``where "<sql>"`` restricts a rule to the rows where the predicate is true; a row outside it passes at
  row level and does not count in the rule's ratios.
- Completeness / IsComplete: non-null rows / rows (``Column.<c>.Completeness``).
- Uniqueness / IsUnique: rows whose value occurs exactly once / all rows; a null row is never unique
  (Deequ's definition). Several columns: ``Multicolumn.a,b.Uniqueness``, rows with all keys null excluded
  from the groups. UniqueValueRatio: values occurring once / distinct non-null values.
  DistinctValuesCount: distinct non-null values. Entropy: ``-sum(p ln p)`` with ``p = count / rows``
  over the non-null values (natural log, as Deequ).
- Mean, Sum: over non-null values; StandardDeviation and Variance are the *population* statistics
  (``stddev_pop`` / ``var_pop``, as Deequ). A column with no non-null value fails the rule.
- ColumnCorrelation: Pearson correlation over rows where both values are non-null.
- Row-level rules (ColumnValues, ColumnLength, ColumnDataType, DataFreshness) pass when every row in the
  where clause passes (``Column.<c>.ColumnValues.Compliance`` etc. = passing rows / rows), or when
  ``with threshold`` holds for that ratio. ColumnValues with ``>``/``>=``/``<``/``<=``/``=`` on a numeric
  column reports ``Column.<c>.Minimum`` / ``Maximum`` instead of the compliance (as Glue).
  Nulls fail a positive condition and pass its negation unless ``NULL`` is listed
  (:mod:`dea_etl.quality.predicates`); ColumnLength ignores nulls; ColumnDataType counts a null as
  compliant and, for a STRING column, checks that each value casts to the type.
- DataFreshness: age = now (session time zone) - value (a DATE is its midnight); a null value fails.
- ColumnNamesMatchPattern: ``re.search`` on each name (``Dataset.*.ColumnNamesPatternMatchRatio``).
- ReferentialIntegrity: rows whose key(s) exist in the reference / rows; a null key does not match.
  DatasetMatch: primary rows whose key matches a reference row with equal (null-safe) match columns /
  primary rows. SchemaMatch: (name, type) pairs in both / the larger column count. RowCountMatch:
  rows / reference rows. AggregateMatch: ``sum(...)`` or ``avg(...)`` ratio (0/0 = 1).
- CustomSql: the query sees the data as ``primary`` (and each reference by its alias; these are registered
  as temporary views of the session) and must return one
  number (``Dataset.*.CustomSQL``); with ``with threshold`` and no condition, the query selects the passing
  rows and the ratio passing / rows is judged (``Dataset.*.CustomSQL.Compliance``). A query whose
  analyzed plan only filters ``primary`` (Project over Filter over the data itself: no join, aggregate,
  distinct, window, limit, union or subquery) is then evaluated in the shared pass as
  ``count_if(<predicate>)`` and at row level (a null predicate fails the row, as the filter drops it).
- A rule that cannot be evaluated (missing column, bad where clause or SQL, no rows, ...) is Failed with
  the reason, never passed; at row level such a rule fails every row if it is a row-level rule.

One pass: every aggregate of every rule is computed in one ``DataFrame.agg``; Uniqueness, IsUnique,
IsPrimaryKey, Entropy, DistinctValuesCount and UniqueValueRatio share one group-by query for all their
column sets (and where clauses): GROUPING SETS, one scan and one shuffle; rules on other datasets or SQL
that is not a plain filter of ``primary`` add their own small job.
"""

from dea_etl.quality.evaluate import (
    ANALYZER_OUTCOMES_SCHEMA,
    ROW_LEVEL_COLUMNS,
    RULE_OUTCOMES_SCHEMA,
    Evaluation,
    analyze,
    evaluate,
    evaluate_rows,
    run_ruleset,
)
from dea_etl.quality.model import Composite, Condition, Rule, Ruleset
from dea_etl.quality.parser import DqdlSyntaxError, parse_ruleset

__all__ = [
    "ANALYZER_OUTCOMES_SCHEMA",
    "ROW_LEVEL_COLUMNS",
    "RULE_OUTCOMES_SCHEMA",
    "Composite",
    "Condition",
    "DqdlSyntaxError",
    "Evaluation",
    "Rule",
    "Ruleset",
    "analyze",
    "evaluate",
    "evaluate_rows",
    "parse_ruleset",
    "run_ruleset",
]
