"""The differential corpus: small datasets and DQDL rules (written from the AWS DQDL reference and Deequ's
DQDL specs) that both engines evaluate in tests/test_quality_differential.py.

``DIFFERENCES`` lists every rule where the engines are known to disagree, with the field that differs and
the id of its row in docs/dq-deequ-differences.md (the reason). Everything else must agree.
"""

from __future__ import annotations

import datetime as dt

PEOPLE_SCHEMA = (
    "id int, name string, age int, score double, email string, dept string, joined date, ts timestamp"
)
_D, _T = dt.date, dt.datetime
PEOPLE_ROWS = [
    (1, "Ann", 34, 1.5, "ann@x.com", "a", _D(2021, 3, 1), _T(2024, 1, 1, 8)),
    (2, "Bob", 17, 2.5, "bob@x.com", "b", _D(2019, 7, 9), _T(2024, 1, 2, 9)),
    (3, None, 45, None, "not-an-email", "a", _D(2022, 1, 5), None),
    (4, "Kim Lee", 29, 4.0, None, None, None, _T(2024, 2, 1, 10)),
    (4, "Al", 70, 0.5, "al@x.com", "c", _D(2020, 1, 1), _T(2024, 3, 1, 11)),
    (6, "", 51, 3.0, "eve@x.com", "b", _D(2023, 6, 30), _T(2024, 3, 5, 12)),
]
REF_SCHEMA = "id int, dept string, score double"
REF_ROWS = [(1, "a", 1.5), (2, "b", 2.5), (3, "d", 3.0), (4, None, 4.0)]

#: Rules for the people data (Deequ's parser accepts each of them).
PEOPLE_RULES = [
    "RowCount = 6",
    "RowCount between 1 and 10",
    'RowCount > 3 where "age > 30"',
    "ColumnCount = 8",
    'Completeness "name" > 0.5',
    'IsComplete "id"',
    'IsComplete "name"',
    'IsUnique "id"',
    'IsUnique "name"',
    'Uniqueness "dept" > 0.3',
    'IsPrimaryKey "id"',
    'IsPrimaryKey "name"',
    'Mean "age" between 20 and 60',
    'Sum "score" > 1',
    'StandardDeviation "age" < 100',
    'Entropy "dept" > 0.5',
    'DistinctValuesCount "dept" = 3',
    'UniqueValueRatio "dept" > 0.1',
    'ColumnCorrelation "age" "score" > -1',
    'ColumnLength "name" between 0 and 10',
    'ColumnLength "email" >= 5',
    'ColumnLength "name" > 2',
    'ColumnValues "age" > 18',
    'ColumnValues "age" <= 70',
    'ColumnValues "age" = 34',
    'ColumnValues "dept" in ["a", "b"]',
    'ColumnValues "dept" in ["a", "b", "c", NULL]',
    'ColumnValues "dept" != "a"',
    'ColumnValues "name" = EMPTY',
    'ColumnValues "email" matches "[a-z]+@[a-z]+\\.com"',
    'ColumnValues "age" between 18 and 65 with threshold > 0.5',
    'ColumnValues "age" in [17, 34, 45]',
    'ColumnValues "joined" > "2020-01-01"',
    'ColumnDataType "age" = "INTEGER"',
    'ColumnExists "email"',
    'ColumnExists "missing"',
    'ColumnNamesMatchPattern "[a-z]+"',
    'DataFreshness "ts" <= 36500 days',
    'CustomSql "select count(*) from primary" = 6',
    'CustomSql "select count(*) from primary where age > 40" between 1 and 3',
    'CustomSql "select id from primary where age > 20" with threshold > 0.5',
    'ReferentialIntegrity "dept" "ref.dept" = 1.0',
    'ReferentialIntegrity "dept" "ref.dept" > 0.5',
    'RowCountMatch "ref" > 0.5',
    'AggregateMatch "sum(score)" "sum(ref.score)" > 0.9',
    '(IsComplete "id") and (RowCount > 1)',
    '(IsComplete "name") or (RowCount > 100)',
    'Mean "age" > 1 where "age > 1000"',
    'ColumnValues "age" > 18 where "age > 1000"',
    'IsComplete "name" where "age > 1000"',
    "RowCount > 2 + 2",
    "RowCount between (2 * 2) and 10 - 3",
    '(IsComplete "id") AND (RowCount > 1)',
    "IsComplete id",
    'ColumnValues "age" between 18 and 65',
    'ColumnLength "email" > 8',
    'CustomSql "select id from primary where age > 20"',
    'ColumnDataType "score" = "DECIMAL(10,2)"',
    'ColumnDataType "email" = "STRING"',
    'ColumnValues "score" not between 1 and 3',
]

#: Column names with dots, spaces and dashes, and a struct; a string column of dates.
ODD_SCHEMA = "`a.b` int, `first name` string, `zip-code` string, s struct<x: int>, day string"
ODD_ROWS = [
    (1, "Ann", "12345", (1,), "2024-01-31"),
    (None, "Bob", "1234", (2,), "31/01/2024"),
    (3, None, None, None, None),
]
ODD_RULES = [
    'IsComplete "`a.b`"',
    'IsComplete "first name"',
    'IsComplete "zip-code"',
    'IsComplete "s.x"',
    'ColumnValues "s.x" > 0',
    'ColumnLength "zip-code" = 5',
    'ColumnValues "`a.b`" in [1, 2, 3]',
    'ColumnDataType "day" = "DATE" with format = "yyyy-MM-dd"',
    'ColumnDataType "day" = "DATE"',
]

#: Rules for the same schema with no rows.
EMPTY_RULES = [
    "RowCount = 0",
    'IsComplete "id"',
    'Completeness "name" > 0.5',
    'IsUnique "id"',
    'Mean "age" > 1',
    'Sum "score" = 0',
    'ColumnValues "age" > 18',
    'ColumnLength "name" > 1',
    'DistinctValuesCount "dept" = 0',
    'CustomSql "select count(*) from primary" = 0',
]

#: Rules Deequ 2.1.0 (with dqdl 1.0.0) rejects, with the id of their row in docs/dq-deequ-differences.md;
#: only the native engine runs them.
DEEQU_REJECTS = {
    'IsUnique "id" "name"': "D1",
    'Uniqueness "id" "name" > 0.5': "D1",
    'Variance "age" < 1000': "D3",
}

#: (dataset, rule) -> (what differs, id of the row in docs/dq-deequ-differences.md).
DIFFERENCES: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("people", 'ColumnLength "email" >= 5'): (("Outcome", "FailureReason"), "D4"),
    ("people", 'ColumnLength "name" > 2'): (("metric keys",), "D5"),
    ("people", 'ColumnValues "age" between 18 and 65'): (("metric keys",), "D6"),
    ("people", 'ColumnValues "age" between 18 and 65 with threshold > 0.5'):
        (("Outcome", "FailureReason", "metric keys"), "D6"),
    ("people", 'CustomSql "select id from primary where age > 20"'): (("metric values",), "D7"),
    ("people", 'CustomSql "select id from primary where age > 20" with threshold > 0.5'): (("metric values",), "D7"),
    ("people", 'CustomSql "select count(*) from primary where age > 40" between 1 and 3'):
        (("metric values",), "D8"),
    ("people", 'ColumnDataType "email" = "STRING"'): (("FailureReason", "metric keys"), "D9"),
    ("odd", 'IsComplete "s.x"'): (("FailureReason", "metric keys"), "D10"),
    ("odd", 'ColumnValues "s.x" > 0'): (("metric keys",), "D10"),
    ("empty", 'ColumnValues "age" > 18'): (("FailureReason",), "D11"),
}


# -- The DQDL reference's own examples (issue 20): features Deequ does not have ---------------------------
# Each entry cites the page (and section) it is taken from; the expected outcomes, metrics and labels are
# worked out by hand on the dataset below. Only the names of columns and values were fitted to the data.

DQDL = "https://docs.aws.amazon.com/glue/latest/dg/dqdl.html"
RULE_TYPE = "https://docs.aws.amazon.com/glue/latest/dg/dqdl-rule-types-{}.html"
ORDERS_SCHEMA = "Order_Id string, Star_Rating int, Order_Total double, colA string, id int"
ORDERS_ROWS = [
    ("o1", 5, 600.0, "a", 1),
    ("o2", 4, 700.0, "b", 2),
    ("o3", 3, 100.0, "c", 3),
    (None, 2, 200.0, "d", 4),
]
_MONTHLY = {"frequency": "monthly"}

#: (page, ruleset, [(Outcome, EvaluatedMetrics, Labels) per rule]) on the orders above.
REFERENCE_RULESETS: list[tuple[str, str, list[tuple[str, dict[str, float], dict[str, str]]]]] = [
    (DQDL + "#dqdl-syntax-rule-composition",
     'Rules = [\n(IsComplete "id") and (IsUnique "id"),\n'
     '(Mean "Star_Rating" > 3) and (Mean "Order_Total" > 500) and (IsComplete "Order_Id"),\n'
     '(Mean "Star_Rating" > 3) and ((Mean "Order_Total" > 500) or (IsComplete "Order_Id")),\n'
     '(RowCount > 0) or ((IsComplete "colA") and (IsUnique "colA"))\n]',
     [("Passed", {"Column.id.Completeness": 1.0, "Column.id.Uniqueness": 1.0}, {}),
      ("Failed", {"Column.Star_Rating.Mean": 3.5, "Column.Order_Total.Mean": 400.0,
                  "Column.Order_Id.Completeness": 0.75}, {}),
      ("Failed", {"Column.Star_Rating.Mean": 3.5, "Column.Order_Total.Mean": 400.0,
                  "Column.Order_Id.Completeness": 0.75}, {}),
      ("Passed", {"Dataset.*.RowCount": 4.0, "Column.colA.Completeness": 1.0, "Column.colA.Uniqueness": 1.0}, {})]),
    (DQDL + "#dqdl-constants",
     'mySql = "select count(*) from primary"\nallowed = ["a", "b"]\ncolumn_name = "Star_Rating"\n'
     "Rules = [ CustomSql $mySql > 0, ColumnValues \"colA\" in $allowed, Mean $column_name > 3 ]",
     [("Passed", {"Dataset.*.CustomSQL": 4.0}, {}),
      ("Failed", {"Column.colA.ColumnValues.Compliance": 0.5}, {}),
      ("Passed", {"Column.Star_Rating.Mean": 3.5}, {})]),
    (DQDL + "#dqdl-labels",
     'DefaultLabels = ["frequency"="monthly"]\nRules = [\n    ColumnValues "Order_Total" > 21,\n'
     '    RowCount > 0 labels = ["foo"="bar"],\n'
     '    Completeness "Order_Id" > 0.5 labels = ["frequency"="daily", "foo"="bar"],\n'
     '    (IsComplete "id" AND IsUnique "id") labels = ["rule_id"="123"]\n]',
     [("Passed", {"Column.Order_Total.Minimum": 100.0}, _MONTHLY),
      ("Passed", {"Dataset.*.RowCount": 4.0}, {**_MONTHLY, "foo": "bar"}),
      ("Passed", {"Column.Order_Id.Completeness": 0.75}, {"frequency": "daily", "foo": "bar"}),
      ("Passed", {"Column.id.Completeness": 1.0, "Column.id.Uniqueness": 1.0}, {**_MONTHLY, "rule_id": "123"})]),
    (RULE_TYPE.format("DetectAnomalies"),  # no history yet: each passes, "not enough history"
     'Rules = [ DetectAnomalies "RowCount", DetectAnomalies of RowCount, DetectAnomalies "Completeness" "Order_Id" ]',
     [("Passed", {"Dataset.*.RowCount": 4.0}, {}), ("Passed", {"Dataset.*.RowCount": 4.0}, {}),
      ("Passed", {"Column.Order_Id.Completeness": 0.75}, {})]),
]

#: (page, ruleset with Analyzers, [metrics per analyzer]) on the orders above.
REFERENCE_ANALYZERS = (
    DQDL + "#dqdl-analyzers",
    'Rules = [ RowCount > 0 ]\nAnalyzers = [ RowCount, Completeness "Order_Id", ColumnValues "Order_Total",\n'
    '    CustomSql "select count(*) from primary where Star_Rating > 3", AllStatistics "Star_Rating" ]',
    [{"Dataset.*.RowCount": 4.0},
     {"Column.Order_Id.Completeness": 0.75},
     {"Column.Order_Total.Minimum": 100.0, "Column.Order_Total.Maximum": 700.0},
     {"Dataset.*.CustomSQL": 2.0},
     # the rule type reference's AllStatistics row: row count, completeness, uniqueness, ColumnValues metrics
     {"Dataset.*.RowCount": 4.0, "Dataset.*.ColumnCount": 5.0, "Column.Star_Rating.Completeness": 1.0,
      "Column.Star_Rating.Uniqueness": 1.0, "Column.Star_Rating.DistinctValuesCount": 4.0,
      "Column.Star_Rating.UniqueValueRatio": 1.0, "Column.Star_Rating.Entropy": 1.3862943611198906,
      "Column.Star_Rating.Mean": 3.5, "Column.Star_Rating.Sum": 14.0,
      "Column.Star_Rating.StandardDeviation": 1.118033988749895, "Column.Star_Rating.Minimum": 2.0,
      "Column.Star_Rating.Maximum": 5.0}],
)

#: Reference examples AWS's own parser refuses too (so does ours): (page, rule, why).
REFERENCE_REFUSED = [
    (DQDL + "#dqdl-syntax-rule-composition", '(RowCount "id" > 100) or (IsPrimaryKey "id")',
     "RowCount takes 0 quoted parameter(s), got 1"),
]

#: Reference examples Deequ 2.1.0 (dqdl 1.0.0) refuses or cannot evaluate, with the id of their row in
#: docs/dq-deequ-differences.md: (ruleset, what Deequ says).
DEEQU_LACKS = {
    'mySql = "select count(*) from primary"\nRules = [ CustomSql $mySql > 0 ]': ("Parsing Error", "D12"),
    'Rules = [ IsComplete "id" labels = ["team"="finance"] ]': ("Parsing Error", "D13"),
    'DefaultLabels = ["team"="finance"]\nRules = [ IsComplete "id" ]': ("Parsing Error", "D13"),
    'Rules = [ IsComplete "id" and RowCount > 0 ]': ("Parsing Error", "D14"),
    'Rules = [ DetectAnomalies of RowCount ]': ("No converter found", "D15"),
    'Rules = [ FileSize > 5 B ]': ("No converter found", "D16"),
    'Rules = [ FileUniqueness > 0.5 ]': ("No converter found", "D16"),
    'Rules = [ FileFreshness > (now() - 1 days) ]': ("No converter found", "D16"),
    'Rules = [ FileMatch in ["abc"] ]': ("No converter found", "D16"),
}

#: A reference example both engines evaluate (a constant standing for a list): they must agree.
BOTH_CONSTANTS = 'allowed = ["a", "b"]\nRules = [ ColumnValues "colA" in $allowed ]'
