"""The native engine against Deequ's EvaluateDataQuality on the corpus of tests/dq_corpus.py.

For each rule: Outcome, the FailureReason's wording class (none / "does not meet the constraint
requirement" / any other reason) and the EvaluatedMetrics keys and values (1e-9 relative) are compared.
A rule may differ only as listed in ``dq_corpus.DIFFERENCES``, whose ids are the rows of
docs/dq-deequ-differences.md; a listed difference that no longer shows fails too (remove it).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
from tests import dq_corpus as corpus

from dea_etl.quality import evaluate

DOC = Path(__file__).resolve().parent.parent / "docs" / "dq-deequ-differences.md"
CASES = (
    [("people", r) for r in corpus.PEOPLE_RULES]
    + [("empty", r) for r in corpus.EMPTY_RULES]
    + [("odd", r) for r in corpus.ODD_RULES]
)


def wording(reason: str | None) -> str:
    if reason is None:
        return "none"
    return "constraint" if "does not meet the constraint requirement" in reason else "other"


def spelling(rule: str) -> str:
    return re.sub(r"\s+", "", rule).lower()


def differences(deequ: Any, native: Any) -> set[str]:
    found = set()
    if deequ.Outcome != native.Outcome:
        found.add("Outcome")
    if wording(deequ.FailureReason) != wording(native.FailureReason):
        found.add("FailureReason")
    dm, nm = dict(deequ.EvaluatedMetrics or {}), dict(native.EvaluatedMetrics or {})
    if set(dm) != set(nm):
        found.add("metric keys")
    if any(not math.isclose(dm[k], nm[k], rel_tol=1e-9, abs_tol=1e-12) for k in set(dm) & set(nm)):
        found.add("metric values")
    return found


@pytest.fixture(scope="module")
def both(spark) -> dict[tuple[str, str], tuple[Any, Any]]:
    people = spark.createDataFrame(corpus.PEOPLE_ROWS, corpus.PEOPLE_SCHEMA)
    refs = {"ref": spark.createDataFrame(corpus.REF_ROWS, corpus.REF_SCHEMA)}
    odd = spark.createDataFrame(corpus.ODD_ROWS, corpus.ODD_SCHEMA)
    data = {
        "people": (people, corpus.PEOPLE_RULES),
        "empty": (people.limit(0), corpus.EMPTY_RULES),
        "odd": (odd, corpus.ODD_RULES),
    }
    out = {}
    for name, (df, rules) in data.items():
        ruleset = "Rules = [\n" + ",\n".join(rules) + "\n]"
        # Deequ gives its outcomes in its own order and re-spells some rule texts (lists, AND / OR)
        deequ = {spelling(r.Rule): r for r in evaluate(df, ruleset, refs, engine="deequ").collect()}
        native = {r.Rule: r for r in evaluate(df, ruleset, refs).collect()}
        out.update({(name, rule): (deequ[spelling(rule)], native[rule]) for rule in rules})
    return out


@pytest.mark.parametrize(("dataset", "rule"), CASES, ids=[f"{d}: {r}" for d, r in CASES])
def test_native_agrees_with_deequ_or_the_difference_is_documented(both, dataset: str, rule: str) -> None:
    deequ, native = both[(dataset, rule)]
    found = differences(deequ, native)
    fields, _ = corpus.DIFFERENCES.get((dataset, rule), ((), ""))
    detail = f"deequ={deequ.asDict()} native={native.asDict()}"
    assert found == set(fields), detail


def test_every_documented_difference_has_its_row_in_the_docs() -> None:
    rows = set(re.findall(r"^\| *(D\d+) *\|", DOC.read_text(encoding="utf-8"), re.MULTILINE))
    ids = {doc_id for _, doc_id in corpus.DIFFERENCES.values()} | set(corpus.DEEQU_REJECTS.values())
    assert ids <= rows, ids - rows


@pytest.mark.parametrize("rule", sorted(corpus.DEEQU_REJECTS))
def test_rules_deequ_rejects_run_natively(spark, rule: str) -> None:
    people = spark.createDataFrame(corpus.PEOPLE_ROWS, corpus.PEOPLE_SCHEMA)
    with pytest.raises(Exception, match=r"Parsing Error|not valid|no viable alternative"):
        evaluate(people, f"Rules = [ {rule} ]", engine="deequ").collect()
    row = evaluate(people, f"Rules = [ {rule} ]").collect()[0]
    assert "cannot be evaluated" not in (row.FailureReason or "")


@pytest.mark.parametrize("ruleset", sorted(corpus.DEEQU_LACKS))
def test_reference_features_deequ_lacks_are_refused_there_and_evaluated_natively(spark, ruleset: str) -> None:
    """Constants in parameters, labels, composites of bare rules, DetectAnomalies and the file rules (the
    DQDL reference's examples, tests/test_quality_reference.py): Deequ refuses or cannot evaluate them; the
    native engine evaluates them (the documented row says why they differ)."""
    orders = spark.createDataFrame(corpus.ORDERS_ROWS, corpus.ORDERS_SCHEMA)
    says, _ = corpus.DEEQU_LACKS[ruleset]
    try:
        deequ = [r.FailureReason or "" for r in evaluate(orders, ruleset, engine="deequ").collect()]
    except Exception as exc:
        deequ = [str(exc)]
    assert any(says in reason for reason in deequ), deequ
    native = evaluate(orders, ruleset).collect()
    assert all(says not in (r.FailureReason or "") for r in native)
    assert all("cannot be evaluated" not in (r.FailureReason or "") for r in native)


def test_a_constant_standing_for_a_list_agrees_with_deequ(spark) -> None:
    orders = spark.createDataFrame(corpus.ORDERS_ROWS, corpus.ORDERS_SCHEMA)
    deequ = evaluate(orders, corpus.BOTH_CONSTANTS, engine="deequ").collect()
    native = evaluate(orders, corpus.BOTH_CONSTANTS).collect()
    assert [differences(d, n) for d, n in zip(deequ, native, strict=True)] == [set()]


def test_every_reference_difference_has_its_row_in_the_docs() -> None:
    rows = set(re.findall(r"^\| *(D\d+) *\|", DOC.read_text(encoding="utf-8"), re.MULTILINE))
    assert {doc_id for _, doc_id in corpus.DEEQU_LACKS.values()} <= rows
