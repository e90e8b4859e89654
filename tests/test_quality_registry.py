"""The rule-type registry: the grammar, the signatures and the handlers agree for every DQDL rule type."""

from __future__ import annotations

import pytest

from dea_etl.quality import DqdlSyntaxError, evaluate, evaluate_rows, parse_ruleset
from dea_etl.quality.registry import RuleType, analyzer_types, registered

#: The rule types of the AWS Glue DQDL reference (dataset rules), written out by hand.
DQDL_REFERENCE_TYPES = {
    "AggregateMatch", "ColumnCorrelation", "ColumnCount", "ColumnDataType", "ColumnExists", "ColumnLength",
    "ColumnNamesMatchPattern", "ColumnValues", "Completeness", "CustomSql", "DataFreshness", "DatasetMatch",
    "DistinctValuesCount", "Entropy", "IsComplete", "IsPrimaryKey", "IsUnique", "Mean", "ReferentialIntegrity",
    "RowCount", "RowCountMatch", "StandardDeviation", "Sum", "SchemaMatch", "Uniqueness", "UniqueValueRatio",
    "Variance", "DetectAnomalies", "FileFreshness", "FileSize", "FileUniqueness", "FileMatch",
}
#: Evaluated by their own modules' tests, with a metric history or files (test_quality_history_rules,
#: test_quality_filerules); here they are only parsed.
NEEDS_HISTORY_OR_FILES = {"DetectAnomalies", "FileFreshness", "FileSize", "FileUniqueness", "FileMatch"}

#: A parameter that makes sense for each position of each rule type on the data below.
PARAMS = {
    "ReferentialIntegrity": ('"id"', '"ref.id"'),
    "DatasetMatch": ('"ref"', '"id"'),
    "SchemaMatch": ('"ref"',),
    "RowCountMatch": ('"ref"',),
    "AggregateMatch": ('"sum(x)"', '"sum(ref.x)"'),
    "CustomSql": ('"select count(*) from primary"',),
    "ColumnCorrelation": ('"x"', '"y"'),
    "ColumnNamesMatchPattern": ('"[a-z]+"',),
    "DataFreshness": ('"d"',),
    "DetectAnomalies": ('"RowCount"',),
    "FileFreshness": ('"data"',),
    "FileSize": ('"data"',),
    "FileUniqueness": ('"data"',),
    "FileMatch": ('"data"',),
}
CONDITION = {"number": "> -1", "any": "> -1", "duration": "<= 36500 days", "string": '= "INTEGER"',
             "date": "> (now() - 1 days)", "size": "> 1 B", "checksum": 'in ["0"]'}
CONDITIONS: dict[str, str] = {}


def example(t: RuleType) -> str:
    """A rule of type ``t`` written from its signature alone."""
    sig = t.signature
    params = PARAMS.get(t.name, ('"id"',) * sig.min_params)
    cond = "" if sig.condition == "none" else CONDITIONS.get(t.name, CONDITION[sig.kind])
    return " ".join([t.name, *params, cond]).strip()


@pytest.fixture(scope="module")
def frames(spark):
    schema = "id int, x double, y double, d date"
    df = spark.createDataFrame([(1, 1.0, 2.0, None), (2, 2.0, 3.5, None), (3, None, 1.0, None)], schema)
    return df, {"ref": df}


def test_the_registry_declares_exactly_the_dqdl_rule_types():
    assert set(registered()) == DQDL_REFERENCE_TYPES
    assert analyzer_types() <= DQDL_REFERENCE_TYPES | {"AllStatistics"}


@pytest.mark.parametrize("name", sorted(DQDL_REFERENCE_TYPES))
def test_a_rule_written_from_its_signature_parses(name):
    text = example(registered()[name])
    assert parse_ruleset(f"Rules = [ {text} ]").leaves()[0].rule_type == name


@pytest.mark.parametrize("name", sorted(DQDL_REFERENCE_TYPES))
def test_one_quoted_parameter_too_many_is_rejected_with_its_position(name):
    t = registered()[name]
    sig = t.signature
    params = [*PARAMS.get(name, ('"id"',) * sig.min_params)] + ['"id"'] * (sig.max_params - sig.min_params + 1)
    cond = "" if sig.condition == "none" else CONDITIONS.get(name, CONDITION[sig.kind])
    with pytest.raises(DqdlSyntaxError, match=rf"line 1, column 11: {name} takes .* quoted parameter"):
        parse_ruleset(f"Rules = [ {' '.join([name, *params, cond])} ]")


def test_every_declared_rule_type_evaluates_and_has_its_row_level_behaviour(frames):
    df, refs = frames
    types = [registered()[n] for n in sorted(DQDL_REFERENCE_TYPES - NEEDS_HISTORY_OR_FILES)]
    ruleset = "Rules = [ " + ", ".join(example(t) for t in types) + " ]"
    outcomes = {r.Rule: r for r in evaluate(df, ruleset, refs).collect()}
    for t in types:
        # a handler that is missing, or does not fit its signature, fails as "cannot be evaluated"
        reason = outcomes[example(t)].FailureReason or ""
        assert "cannot be evaluated" not in reason, (t.name, reason)
    row = evaluate_rows(df, ruleset, refs).collect()[0]
    skipped = set(row["DataQualityRulesSkip"])
    for t in types:
        assert (example(t) in skipped) == (not t.is_row_level(parse_ruleset(f"Rules = [ {example(t)} ]").leaves()[0]))


def test_analyzers_are_the_declared_analyzer_types():
    for name in analyzer_types() - {"AllStatistics"}:
        sig = registered()[name].signature
        params = " ".join(PARAMS.get(name, ('"id"',) * sig.min_params))
        assert parse_ruleset(f"Analyzers = [ {name} {params} ]").analyzers[0].analyzer_type == name
    with pytest.raises(DqdlSyntaxError, match="unknown analyzer 'IsComplete'"):
        parse_ruleset('Analyzers = [ IsComplete "id" ]')
