"""DQDL as AWS's grammar and rules-config.json define it (awslabs/dqdl): constants, labels, DefaultLabels,
composites, parameter connectors, tags; what they refuse is refused here with a line and a column, before
any data is read; rulesets over the size and depth limits are refused before they are parsed."""

from __future__ import annotations

import pytest

from dea_etl.quality import Composite, Condition, DqdlSyntaxError, parse_ruleset
from dea_etl.quality.model import Keyword, Op
from dea_etl.quality.run import evaluated_text
from dea_etl.quality.syntax import MAX_LIST_VALUES, MAX_NESTING, MAX_RULESET_CHARS

CONSTANTS = '''mySql = "select count(*) from primary"
allowed = ["a", "b", NULL]
column_name = "x"
one = "c"
Rules = [
    CustomSql $mySql > 0,
    ColumnValues "c" in $allowed,
    Mean $column_name > 3,
    ColumnValues "c" not in $one,
    ColumnValues "c" = $one,
    Mean "xy$column_name" < 20
]'''


def test_constants_stand_for_a_parameter_a_value_and_a_list():
    rs = parse_ruleset(CONSTANTS)
    sql, allowed, mean, not_in, equal, literal = rs.rules
    assert sql.params == ("select count(*) from primary",) and sql.text == "CustomSql $mySql > 0"
    assert allowed.condition == Condition(Op.IN, ("a", "b", Keyword.NULL))
    assert mean.params == ("x",)
    assert not_in.condition == Condition(Op.IN, ("c",), negated=True)
    assert equal.condition == Condition(Op.EQ, ("c",))
    assert literal.params == ("xy$column_name",)  # inside quotes a $ is a character
    assert rs.constants == {"mySql": "select count(*) from primary", "allowed": ("a", "b", Keyword.NULL),
                            "column_name": "x", "one": "c"}


def test_evaluated_rule_shows_the_constants_values():
    rs = parse_ruleset(CONSTANTS)
    assert evaluated_text(rs.rules[0], []) == 'CustomSql "select count(*) from primary" > 0'
    assert evaluated_text(rs.rules[1], []) == 'ColumnValues "c" in ["a", "b", NULL]'
    assert evaluated_text(rs.rules[5], []) == 'Mean "xy$column_name" < 20'


LABELS = '''DefaultLabels = ["team"="finance", "frequency"="monthly"]
Rules = [
    IsComplete "id",
    RowCount > 0 labels = ["frequency"="daily", "owner"="ops"],
    (IsComplete "a" AND ColumnLength "a" > 0) labels = ["rule_id"="123"],
    (ColumnValues "x" != NULL labels=["nested"="1"]) OR (RowCount > 1),
    ColumnValues "x" > 0 where "x is not null" labels = ["k"="v"] with threshold > 0.5
]'''


def test_labels_per_rule_per_composite_and_default_labels_with_override():
    rs = parse_ruleset(LABELS)
    plain, own, composite, nested, tagged = rs.rules
    assert rs.default_labels == (("team", "finance"), ("frequency", "monthly"))
    assert dict(plain.labels) == {"team": "finance", "frequency": "monthly"}
    assert dict(own.labels) == {"team": "finance", "frequency": "daily", "owner": "ops"}
    assert isinstance(composite, Composite) and dict(composite.labels) == {
        "team": "finance", "frequency": "monthly", "rule_id": "123"}
    assert composite.text == '(IsComplete "a" AND ColumnLength "a" > 0) labels = ["rule_id"="123"]'
    assert [r.text for r in composite.rules] == ['IsComplete "a"', 'ColumnLength "a" > 0']
    assert dict(nested.labels) == {"team": "finance", "frequency": "monthly"}
    assert dict(nested.rules[0].labels) == {"team": "finance", "frequency": "monthly", "nested": "1"}
    assert dict(tagged.labels)["k"] == "v" and tagged.threshold == Condition(Op.GT, (0.5,))


def test_composites_with_or_without_parentheses_and_connector_words():
    rs = parse_ruleset('''Rules = [
        IsComplete "a" and IsUnique "a" or RowCount > 0,
        ColumnCorrelation of col_1 and "col abc" between 0.4 and 0.8,
        Completeness of col_1 between 0.5 and 0.8,
        DetectAnomalies of ColumnCorrelation of "colA" and "colB"
    ]''')
    either, correlation, completeness, detect = rs.rules
    assert either.operator == "or" and either.rules[0].operator == "and"  # and binds tighter
    assert correlation.params == ("col_1", "col abc")
    assert completeness.params == ("col_1",)
    assert detect.params == ("ColumnCorrelation", "colA", "colB")


def test_file_rule_forms_and_tags():
    rs = parse_ruleset('''Rules = [
        FileFreshness "s3://b/t/" > "21:45" with timeZone = "America/New_York",
        FileFreshness "s3://b/t/" between "9:30 AM" and "9:30 PM",
        FileFreshness "s3://b/" between (now() - 100 minutes) and (now() + 10 minutes) with recentFiles = 1
            with uriRegex = "inventory" with filterOrder = ["uriRegex","recentFiles"],
        FileUniqueness "s3://b/" > 0.5 with matchFileName = "true",
        FileSize "s3://b/" between 2 GB and 1 TB with threshold > 0.7,
        FileSize not in [500 KB, 150 GB],
        FileSize > 5,
        FileMatch "s3://b/f.json" in ["3ee0"] with hashAlgorithm = "SHA-1",
        FileMatch "s3://b/a/" "s3://b/b/"
    ]''')
    assert rs.rules[0].options == (("timeZone", "America/New_York"),)
    assert rs.rules[2].options == (("recentFiles", "1"), ("uriRegex", "inventory"),
                                   ("filterOrder", ("uriRegex", "recentFiles")))
    assert rs.rules[4].condition == Condition(Op.BETWEEN, (2.0 * 1024**3, 1024.0**4))
    assert rs.rules[5].condition == Condition(Op.IN, (500.0 * 1024, 150.0 * 1024**3), negated=True)
    assert rs.rules[8].condition is None and rs.rules[8].params == ("s3://b/a/", "s3://b/b/")


def test_analyzers_as_the_grammar_writes_them():
    rs = parse_ruleset('''Rules = [ RowCount > 0 ]
    Analyzers = [ Completeness "colA", AllStatistics of AllColumns, Uniqueness of "col_A", ColumnValues "x",
                  CustomSql "select count(*) from primary", RowCount ]''')
    assert [(a.analyzer_type, a.params) for a in rs.analyzers] == [
        ("Completeness", ("colA",)), ("AllStatistics", ("AllColumns",)), ("Uniqueness", ("col_A",)),
        ("ColumnValues", ("x",)), ("CustomSql", ("select count(*) from primary",)), ("RowCount", ())]


#: What AWS's DQDL parser refuses (its grammar, rules-config.json and its checks), each with where we say so.
INVALID = [
    # constants: strings and lists of strings only, declared once, before the rules
    ('Rules = [ RowCount > $min_count ]', 1, 22, "constant $min_count is not defined"),
    ('min_count = 100\nRules = [ RowCount > $min_count ]', 1, 13, "unexpected '100'"),
    ('x = "a"\nRules = [ RowCount > $x ]', 2, 11, "RowCount compares with numbers only"),
    ('codes = ["a"]\nRules = [ CustomSql $codes ]', 2, 21, "$codes is a list: a parameter takes one string"),
    ('codes = ["a"]\nRules = [ ColumnValues "c" = $codes ]', 2, 30, "$codes is a list: compare with it as in $codes"),
    ('a = ["x"]\na = ["y"]\nRules = [ ColumnValues "c" in $a ]', 2, 1, "constant 'a' is already defined"),
    ('_a = "x"\nRules = [ IsComplete $_a ]', 1, 1, "cannot start with '_'"),
    ('a = "x"\nb = $a\nRules = [ IsComplete $b ]', 2, 1, "a constant cannot refer to another constant"),
    ("p = '^x$'\nRules = [ ColumnValues \"c\" matches $p ]", 1, 5, "unexpected character"),
    ('s = ["a"]\nRules = [ ColumnValues "c" in s ]', 2, 31, "unexpected 's'"),
    ('Rules = [ IsComplete "x" ]\nlate = "a"', 2, 1, "unexpected 'late'"),
    # labels: "key"="value", at least one, unique keys, at most 10 with the defaults, sizes
    ('Rules = [ IsPrimaryKey "c" labels=[key=value] ]', 1, 36, "unexpected"),
    ('Rules = [ IsPrimaryKey "c" labels=["team=finance"] ]', 1, 50, "unexpected ']'; expected '='"),
    ('Rules = [ IsPrimaryKey "c" labels=[] ]', 1, 35, "labels need at least one"),
    ('Rules = [ IsPrimaryKey "c" labels=["k"="v", "k"="w"] ]', 1, 45, "label key 'k' given twice"),
    ('Rules = [ IsPrimaryKey "c" labels=["k"=""] ]', 1, 36, "cannot be empty"),
    ('Rules = [ IsPrimaryKey "c" labels=["' + "k" * 129 + '"="v"] ]', 1, 36, "at most 128 characters"),
    ('DefaultLabels=["a"="1","b"="1","c"="1","d"="1","e"="1","f"="1"]\n'
     'Rules = [ IsComplete "c" labels=["g"="1","h"="1","i"="1","j"="1","k"="1"] ]', 2, 34, "at most 10 labels"),
    # where: only on the rule types rules-config.json gives one
    ('Rules = [ DetectAnomalies "RowCount" where "x > 1" ]', 1, 11, "DetectAnomalies takes no where clause"),
    ('Rules = [ FileSize > 1 B where "x > 1" ]', 1, 11, "FileSize takes no where clause"),
    ('Rules = [ SchemaMatch "ref" > 0.5 where "x > 1" ]', 1, 11, "SchemaMatch takes no where clause"),
    # a rule missing what it needs, or given what it does not take
    ("Rules = [ FileMatch ]", 1, 11, "FileMatch needs a condition"),
    ('Rules = [ FileMatch "s3://p" ]', 1, 11, "FileMatch needs a condition"),
    ('Rules = [ FileMatch "s3://a" "s3://b" in ["x"] ]', 1, 11, "FileMatch takes no condition with 2 parameters"),
    ('Rules = [ FileUniqueness "s3://p" ]', 1, 11, "FileUniqueness needs a condition"),
    ("Rules = [ FileSize ]", 1, 11, "FileSize needs a condition"),
    ("Rules = [ FileFreshness \"s3://p\" \"s3://q\" > now() ]", 1, 11, "takes 0 to 1 quoted parameter(s), got 2"),
    ('Rules = [ DetectAnomalies ]', 1, 11, "DetectAnomalies takes at least 1 quoted parameter(s), got 0"),
    ('Rules = [ ColumnDataType "c" ]', 1, 11, "ColumnDataType needs a condition"),
    ('Rules = [ ColumnDataType "c" with threshold > 0.7 ]', 1, 11, "ColumnDataType needs a condition"),
    ('Rules = [ ColumnDataType "c" in ["Date"] with threshold > 0.9 with threshold > 0.7 ]', 1, 68,
     "only one 'with threshold' per rule"),
    ('Rules = [ IsUnique "c" <= 1.5 ]', 1, 11, "IsUnique takes no condition"),
    ('Rules = [ DatasetMatch "ref" "id" "a" > 0.9 with threshold > 0.9 ]', 1, 50, "DatasetMatch does not take 'with threshold'"),
    ('Rules = [ DataFreshness "d" > 1 days with threshold > 0.5 ]', 1, 43, "DataFreshness does not take 'with threshold'"),
    ('Rules = [ AllStatistics "id" > 0 ]', 1, 11, "unknown rule type 'AllStatistics'"),
    # conditions of the wrong kind, values the grammar does not have
    ('Rules = [ DataFreshness "c" > 30 ]', 1, 11, "DataFreshness compares with durations"),
    ('Rules = [ ColumnValues "c" = (now() - 3 weeks) ]', 1, 41, "unexpected 'weeks'"),
    ('Rules = [ FileSize <= 1 ZB ]', 1, 25, "unexpected 'ZB'"),
    ('Rules = [ FileSize > 1.5 ]', 1, 11, "FileSize compares with sizes"),
    ('Rules = [ FileFreshness > "25:00" ]', 1, 11, "'25:00' is not a time of day"),
    ('Rules = [ FileFreshness > "13:50 PM" ]', 1, 11, "'13:50 PM' is not a time of day"),
    ('Rules = [ FileFreshness > "9:30" ]', 1, 11, "is not a date (YYYY-MM-DD) or a time of day"),
    ("Rules = [ FileFreshness > 9:30 ]", 1, 28, "unexpected ':'"),
    ('Rules = [ ColumnValues "c" in [1, "2"] ]', 1, 11, "a list mixes numbers and strings"),
    ('Rules = [ ColumnValues "c" > NULL ]', 1, 11, "go with =, != and in [...] only"),
    # tags: known names, = only, valid values
    ('Rules = [ FileSize > 1 KB with exampleTag = "SAM" ]', 1, 32, "unknown tag 'exampleTag' for FileSize"),
    ('Rules = [ FileSize > 1 KB with recentFiles != "1" ]', 1, 32, "recentFiles = \"<value>\""),
    ('Rules = [ FileFreshness > "9:30 AM" with timeZone = "America/New_Chicago" ]', 1, 42, "unknown time zone"),
    ('Rules = [ FileFreshness "s3://p" > "21:45" with "timeZone" = "America/Dubai" ]', 1, 49, "unexpected"),
    ('Rules = [ FileMatch in ["x"] with hashAlgorithm = "SHA-512" ]', 1, 35, "hashAlgorithm is one of MD5, SHA-1"),
    ('Rules = [ FileSize > 1 B with recentFiles = 0 ]', 1, 31, "recentFiles takes a whole number >= 1"),
    ('Rules = [ FileUniqueness > 0.5 with matchFileName = "yes" ]', 1, 37, 'takes "true" or "false"'),
    ('Rules = [ FileSize > 1 B with filterOrder = ["uriRegex", "size"] ]', 1, 31, "filterOrder lists recentFiles"),
    ('Rules = [ FileSize > 1 B with uriRegex = "[a-" ]', 1, 31, "invalid regular expression"),
    # dynamic values only where the rule type has a metric history
    ('Rules = [ ColumnLength "c" > avg(last(3)) ]', 1, 11, "ColumnLength takes no dynamic value"),
    ('Rules = [ FileUniqueness > avg(last(3)) ]', 1, 11, "FileUniqueness takes no dynamic value"),
    # DetectAnomalies watches a rule type with a metric history, alone
    ('Rules = [ DetectAnomalies "FileSize" ]', 1, 11, "DetectAnomalies cannot watch 'FileSize'"),
    ('Rules = [ DetectAnomalies "ColumnDataType" "c" ]', 1, 11, "DetectAnomalies cannot watch 'ColumnDataType'"),
    ('Rules = [ (RowCount > 0) OR (DetectAnomalies "RowCount") ]', 1, 30, "cannot be combined"),
    # sections and dictionaries
    ("Rules = [ ] Analyzers = [ ]", 1, 28, "no rules or analyzers"),
    ('Analyzers = [ Completeness "a" ] Rules = [ RowCount > 0 ]', 1, 34, "unexpected 'Rules'"),
    ('Rules = [ RowCount > 0 ] Analyzers = [ IsComplete "a" ]', 1, 40, "unknown analyzer 'IsComplete'"),
    ('Rules = [ RowCount > 0 ] Analyzers = [ Completeness "a" > 1.0 ]', 1, 57, "unexpected '>'"),
    ('Rules = [ RowCount > 0 ] Analyzers = [ Completeness "a" where "a > 1" ]', 1, 57, "unexpected 'where'"),
    ('Rules = [ RowCount > 0 ] Analyzers = [ Completeness "a", ]', 1, 58, "unexpected ']'"),
    ("Metadata = {}\nRules = [ RowCount > 0 ]", 1, 1, "Metadata = {} is empty"),
    ('Metadata = { "Owner": "x" }\nRules = [ RowCount > 0 ]', 1, 1, "Metadata takes Version, not Owner"),
    ('DataSources = { "Primary": "a", "AdditionalDataSources": "b" }\nRules = [ RowCount > 0 ]', 1, 1,
     "AdditionalDataSources is a list"),
    ("((RowCount > 0) AND IsComplete", 1, 1, "unexpected"),
    ('Rules = [ (RowCount > 0) OR (IsComplete "a") AND (IsUnique "a")) ]', 1, 64, "unexpected ')'"),
]


@pytest.mark.parametrize(("text", "line", "column", "words"), INVALID, ids=[c[3] for c in INVALID])
def test_what_the_dqdl_grammar_refuses_is_refused_with_its_position(text, line, column, words):
    with pytest.raises(DqdlSyntaxError) as info:
        parse_ruleset(text)
    assert (info.value.line, info.value.column) == (line, column), str(info.value)
    assert words in str(info.value)


def test_a_ruleset_too_large_is_refused_in_one_line_before_it_is_parsed():
    values = ", ".join(f'"v{i}"' for i in range(300_000))  # 2.4 MB, as the 20 MB ruleset of issue 22
    with pytest.raises(DqdlSyntaxError, match=rf"line 1, column 1: the ruleset has [\d,]+ characters; at most "
                                              rf"{MAX_RULESET_CHARS:,} are read"):
        parse_ruleset(f'Rules = [ ColumnValues "c" in [{values}] ]')


def test_a_list_too_long_and_a_nesting_too_deep_are_refused_with_their_position():
    values = ", ".join(str(i) for i in range(MAX_LIST_VALUES + 1))
    with pytest.raises(DqdlSyntaxError, match=f"more than {MAX_LIST_VALUES:,} values in one list") as info:
        parse_ruleset(f'Rules = [\n ColumnValues "c" in [{values}] ]')
    assert info.value.line == 2
    deep = "(" * 500 + "RowCount > 0" + ")" * 500
    with pytest.raises(DqdlSyntaxError, match=f"line 1, column {10 + MAX_NESTING}: nested more than "
                                              f"{MAX_NESTING} levels deep"):
        parse_ruleset(f"Rules = [ {deep} ]")


def test_the_largest_rulesets_within_the_limits_parse():
    rules = ",\n".join(f'ColumnValues "c{i % 7}" > {i}' if i % 2 else f'(IsComplete "a") and (RowCount > {i})'
                       for i in range(5000))
    assert len(parse_ruleset(f"Rules = [\n{rules}\n]").rules) == 5000
    nested = "(" * (MAX_NESTING - 1) + "RowCount > 0" + ")" * (MAX_NESTING - 1)
    assert parse_ruleset(f"Rules = [ {nested} ]").rules[0].rule_type == "RowCount"
