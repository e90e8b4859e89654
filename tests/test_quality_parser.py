"""DQDL parser: valid rulesets become the rule model; invalid ones fail with exact positions."""

from __future__ import annotations

import pytest

from dea_etl.quality import Composite, Condition, DqdlSyntaxError, Rule, parse_ruleset
from dea_etl.quality.model import DateExpr, Duration, Keyword, Op

RULESET = """# orders ruleset
Rules = [
    IsComplete "customerid",
    ColumnValues "orderqty" > 0 with threshold > 0.9,
    (IsComplete "a") and (IsUnique "a") and (RowCount > 3),
    (RowCount > 0) or ((IsComplete "b") and (IsUnique "b")),
    ColumnValues "d" > (now() - 3 days),
    ColumnValues "s" not in ["x", NULL, EMPTY, WHITESPACES_ONLY],
    ColumnValues "s" matches "\\d+" where "n > 1",
    DataFreshness "d" <= 24 hours,
    RowCount not between 1 and 5,
    ColumnValues "n" != -1.5,
    ReferentialIntegrity "customerid" "customers.customerid" = 1.0
]
Analyzers = [ RowCount, Completeness "x" ]
"""


@pytest.fixture(scope="module")
def parsed():
    return parse_ruleset(RULESET)


def test_simple_rules_keep_their_text_and_position(parsed):
    first = parsed.rules[0]
    assert first == Rule("IsComplete", ("customerid",), None, 'IsComplete "customerid"', line=3, column=5)


def test_threshold_where_and_conditions(parsed):
    assert parsed.rules[1].condition == Condition(Op.GT, (0.0,))
    assert parsed.rules[1].threshold == Condition(Op.GT, (0.9,))
    assert parsed.rules[4].condition == Condition(Op.GT, (DateExpr(-3 * 86400),))
    assert parsed.rules[5].condition == Condition(
        Op.IN, ("x", Keyword.NULL, Keyword.EMPTY, Keyword.WHITESPACES_ONLY), negated=True
    )
    assert parsed.rules[6].condition == Condition(Op.MATCHES, ("\\d+",))
    assert parsed.rules[6].where == "n > 1"
    assert parsed.rules[7].condition == Condition(Op.LE, (Duration(24, "hours"),))
    assert parsed.rules[8].condition == Condition(Op.BETWEEN, (1.0, 5.0), negated=True)
    assert parsed.rules[9].condition == Condition(Op.EQ, (-1.5,), negated=True)
    assert parsed.rules[10].params == ("customerid", "customers.customerid")


def test_composites_flatten_chains_and_keep_nesting(parsed):
    chain = parsed.rules[2]
    assert isinstance(chain, Composite) and chain.operator == "and"
    assert [r.text for r in chain.rules] == ['IsComplete "a"', 'IsUnique "a"', "RowCount > 3"]
    nested = parsed.rules[3]
    assert nested.operator == "or"
    assert nested.rules[1].operator == "and"
    assert nested.text == '(RowCount > 0) or ((IsComplete "b") and (IsUnique "b"))'


def test_analyzers_section(parsed):
    assert [(a.analyzer_type, a.params) for a in parsed.analyzers] == [
        ("RowCount", ()),
        ("Completeness", ("x",)),
    ]


def test_what_deequs_grammar_accepts_parses():
    """Upper-case AND / OR, arithmetic, Metadata, bare column names, format tags, lower-case keywords."""
    text = """Metadata = { "Version": "1.0" }
    Rules = [
        RowCount > 10 + 10,
        RowCount between 1 + 1 and (2 * 3),
        ColumnValues "n" != -1.5,
        (RowCount > 1) AND (IsComplete id) OR (IsComplete "x"),
        IsComplete order_id.v2,
        ColumnDataType "d" = "DATE" with format = "yyyy-MM-dd",
        ColumnValues "s" in ["a", null, EMPTY],
        ColumnValues "d" > (now() + 1 hours)
    ]"""
    rs = parse_ruleset(text)
    assert rs.metadata == {"Version": "1.0"}
    first, between, ne, composite, bare, typed, keywords, date = rs.rules
    assert first.condition == Condition(Op.GT, (20.0,))
    assert between.condition == Condition(Op.BETWEEN, (2.0, 6.0))
    assert ne.condition == Condition(Op.EQ, (-1.5,), negated=True)
    assert composite.operator == "or" and composite.rules[0].operator == "and"
    assert composite.rules[0].rules[1].params == ("id",)
    assert bare.params == ("order_id.v2",)
    assert (typed.condition.values, typed.format) == (("DATE",), "yyyy-MM-dd")
    assert keywords.condition.values == ("a", Keyword.NULL, Keyword.EMPTY)
    assert date.condition == Condition(Op.GT, (DateExpr(3600),))


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ('Rules = [ IsComplete "a" > ]', 1, 28, "unexpected ']'; expected '(' or '[' or + or - or NULL"),
        ('Rules = [\n  RowCount > 1,\n  (IsComplete "a") and ]', 3, 24, "unexpected ']'"),
        ('Rules = [ Foo "a" ]', 1, 11, "unknown rule type 'Foo'"),
        ("Rules = [ RowCount > 1", 1, 23, "unexpected end of ruleset; expected ','"),
        ("Rules = [ RowCount > 1 @ ]", 1, 24, "unexpected character '@'"),
        ('Rules = [ Completeness "a" "b" > 0.5 ]', 1, 11, "Completeness takes 1 quoted parameter(s), got 2"),
        ('Rules = [ IsComplete "a" > 1 ]', 1, 11, "IsComplete takes no condition"),
        ("Rules = [\n\n   RowCount ]", 3, 4, "RowCount needs a condition"),
        ('Rules = [ Mean "x" > 1 with threshold > 0.5 ]', 1, 29, "Mean does not take 'with threshold'"),
        ('Rules = [ ColumnValues "x" > 1 with thresh > 0.5 ]', 1, 37, "unknown tag 'thresh' for ColumnValues"),
        ('Rules = [ DataFreshness "d" <= 3 ]', 1, 11, "DataFreshness compares with durations"),
        ('Rules = [ RowCount > "many" ]', 1, 11, "RowCount compares with numbers only"),
        ("Rule = [ RowCount > 1 ]", 1, 10, "unexpected 'RowCount'; expected"),  # read as a constant list
        ("Rules = [ ]", 1, 12, "no rules or analyzers"),
        ('Rules = [ ColumnCount > 1 where "id > 1" ]', 1, 11, "ColumnCount takes no where clause"),
        ('Rules = [ ColumnExists "a" where "id > 1" ]', 1, 11, "ColumnExists takes no where clause"),
        ('Rules = [ ColumnNamesMatchPattern "a" where "id > 1" ]', 1, 11, "takes no where clause"),
        ('Rules = [ CustomSql "select 1" > 0 where "id > 1" ]', 1, 11, "CustomSql takes no where clause"),
        ('Rules = [ ReferentialIntegrity "a" "r.a" = 1 where "id > 1" ]', 1, 11, "takes no where clause"),
        ('Rules = [ DatasetMatch "r" "id" = 1 where "id > 1" ]', 1, 11, "takes no where clause"),
        ('Rules = [ RowCountMatch "r" = 1 where "id > 1" ]', 1, 11, "takes no where clause"),
        ('Rules = [ AggregateMatch "sum(a)" "sum(r.a)" = 1 where "id > 1" ]', 1, 11, "takes no where clause"),
        ('Rules = [ SchemaMatch "r" = 1 where "id > 1" ]', 1, 11, "SchemaMatch takes no where clause"),
        ('Rules = [ DetectAnomalies "RowCount" where "id > 1" ]', 1, 11, "DetectAnomalies takes no where clause"),
        ('Rules = [ IsComplete "a" where "" ]', 1, 11, "a where clause needs a condition"),
        ('Rules = [ ColumnValues "d" > now() + 1 hours ]', 1, 36, "unexpected '+'"),
        ('Rules = [ ColumnValues "x" in [1, "a"] ]', 1, 11, "a list mixes numbers and strings"),
        ('Rules = [ ColumnValues "x" matches "[a-" ]', 1, 11, "invalid regular expression '[a-'"),
        ('Rules = [ ColumnNamesMatchPattern "(a" ]', 1, 11, "invalid regular expression '(a'"),
        ("Rules = [ RowCount > 1 / 0 ]", 1, 24, "division by zero"),
        ('Rules = [ ColumnDataType "d" = "DATE" with format > 1 ]', 1, 44, 'with format = "<value>"'),
    ],
)
def test_invalid_rulesets_name_line_column_and_expectation(text, line, column, words):
    with pytest.raises(DqdlSyntaxError) as info:
        parse_ruleset(text)
    err = info.value
    assert isinstance(err, ValueError)
    assert (err.line, err.column) == (line, column)
    assert str(err).startswith(f"line {line}, column {column}: ")
    assert words in str(err)
