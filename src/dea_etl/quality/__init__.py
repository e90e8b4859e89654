"""DQDL data quality evaluated natively in PySpark (see README's "Data quality" for the rule list).

``evaluate(df, ruleset, references=None)`` gives Glue's ruleOutcomes (Rule, Outcome, FailureReason,
EvaluatedMetrics, EvaluatedRule, Labels); ``evaluate_rows`` gives rowLevelOutcomes; ``analyze`` gives the
metrics of the ``Analyzers = [...]`` section (Analyzer, EvaluatedMetrics); ``run_ruleset`` gives all of them
from one evaluation (:class:`Evaluation`, whose records are :class:`Outcome`); an invalid ruleset raises
:class:`DqdlSyntaxError` (a ValueError) naming line, column and what was expected.

Semantics (chosen to follow Glue / Deequ; each is tested, and tests/test_quality_differential.py compares
them with Deequ's own EvaluateDataQuality; docs/dq-deequ-differences.md lists where they differ and why):

- Conditions on metrics: ``between a and b`` excludes both bounds; ``=`` / ``!=`` / ``in`` compare numbers
  with a tolerance of 1e-5 (as DQDL does).
- ``where "<sql>"`` restricts a rule to the rows where the predicate is true; a row outside it passes at
  row level and does not count in the rule's ratios. A where clause that leaves no row passes the rule
  with no metric (as Deequ), except RowCount, which is judged (0). Dataset-level rules take no where.
- Columns: case-insensitive; ``"a.b"`` is a top-level column of that name if there is one, else field
  ``b`` of struct ``a``; back-quote (``"`a.b`"``) to mean the top-level name; spaces and dashes are fine;
  a bare name (``IsComplete order_id``) is read as quoted.
- Completeness / IsComplete: non-null rows / rows (``Column.<c>.Completeness``).
- Uniqueness / IsUnique / IsPrimaryKey: rows whose value occurs exactly once / rows with a value; a row
  whose keys are all null is left out (Deequ's definition; it passes at row level, except for
  IsPrimaryKey, which also needs completeness). Several columns: ``Multicolumn.a,b.Uniqueness``.
  UniqueValueRatio: values occurring once / distinct non-null values. DistinctValuesCount: distinct
  values, null counting as one (as Deequ). Entropy: ``-sum(p ln p)`` with ``p = count / non-null rows``
  (natural log, as Deequ).
- Mean, Sum: over non-null values; StandardDeviation and Variance are the *population* statistics
  (``stddev_pop`` / ``var_pop``, as Deequ). A column with no non-null value fails the rule.
- ColumnCorrelation: Pearson correlation over rows where both values are non-null.
- Row-level rules (ColumnValues, ColumnLength, ColumnDataType, DataFreshness) pass when every row in the
  where clause passes (``Column.<c>.ColumnValues.Compliance`` etc. = passing rows / rows), or when
  ``with threshold`` holds for that ratio. ColumnValues with ``>``/``>=``/``<``/``<=``/``=`` on a numeric
  column reports ``Column.<c>.Minimum`` / ``Maximum`` instead of the compliance (as Glue).
  ``matches`` reports ``Column.<c>.PatternMatch``. Nulls fail every condition but ``!=`` and ``not in``,
  which they pass unless ``NULL`` is listed (:mod:`dea_etl.quality.predicates`, Glue's ColumnValues
  reference). ColumnLength judges a null as a 0-length string (Glue's reference) and reports the values'
  MinimumLength (``>``, ``>=``), MaximumLength (``<``, ``<=``) or both. ColumnDataType: a null fits no
  type; a STRING column's values must cast to the type (``with format = "..."``: parse dates and
  timestamps with that pattern); ``DECIMAL(p,s)`` takes numbers that fit it.
- DataFreshness: age = now (session time zone) - value (a DATE is its midnight); a null value fails;
  the reason reads "<share>% of rows passed" (as Deequ).
- ColumnExists: ``Dataset.<c>.ColumnExists`` 1 or 0.
- ColumnNamesMatchPattern: ``re.search`` on each name (``Dataset.*.ColumnNamesPatternMatchRatio``).
- ReferentialIntegrity: rows whose key(s) exist in the reference / rows; a null key does not match.
  DatasetMatch: primary rows whose key matches a reference row with equal (null-safe) match columns /
  primary rows. SchemaMatch: (name, type) pairs in both / the larger column count. RowCountMatch:
  rows / reference rows. AggregateMatch: ``sum(...)`` or ``avg(...)`` ratio (0/0 = 1),
  ``Column.<first column>.AggregateMatch``.
- CustomSql: the query sees the data as ``primary`` (and each reference by its alias; these are registered
  as temporary views of the session) and must return one
  number (``Dataset.*.CustomSQL``); with no condition, the query selects the passing rows and the ratio
  passing / rows is judged against ``with threshold`` (else it must be 1; ``Dataset.*.CustomSQL.Compliance``).
  Only one read-only query over ``primary`` and the references runs (:mod:`dea_etl.sqlguard`, checked on
  the parsed plan; ``where`` clauses too); anything else fails the rule with the reason. A query whose
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
from dea_etl.quality.outcome import Outcome, Result
from dea_etl.quality.parser import DqdlSyntaxError, parse_ruleset

__all__ = [
    "ANALYZER_OUTCOMES_SCHEMA",
    "ROW_LEVEL_COLUMNS",
    "RULE_OUTCOMES_SCHEMA",
    "Composite",
    "Condition",
    "DqdlSyntaxError",
    "Evaluation",
    "Outcome",
    "Result",
    "Rule",
    "Ruleset",
    "analyze",
    "evaluate",
    "evaluate_rows",
    "parse_ruleset",
    "run_ruleset",
]
