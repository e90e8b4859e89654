"""The one record of a rule's (or an analyzer's) outcome, from the handler that judges it to every report.

A handler returns ``Outcome(passed, reason, metrics)``; the evaluation then gives each top-level rule its
identity (:meth:`Outcome.of`): the rule as written, as evaluated (constants and dynamic values resolved),
its name (``Rule_1``...) and labels. The same record is what :func:`dea_etl.quality.evaluate` turns into
ruleOutcomes, what the gate holds, what the metric history appends and what the reports show: Glue's
``GetDataQualityResult`` fields are its properties (:meth:`Outcome.glue`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

PASSED, FAILED = "Passed", "Failed"
RULE, ANALYZER = "rule", "analyzer"
#: Glue's limits on a rule result's strings (botocore's Glue model: NameString, DataQualityRuleResultDescription).
MAX_NAME, MAX_DESCRIPTION = 255, 2048


class Result(StrEnum):
    """Glue's DataQualityRuleResultStatus: PASS, FAIL, or ERROR when the rule could not be evaluated."""

    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"


@dataclass(frozen=True)
class Outcome:
    passed: bool
    reason: str | None = None
    metrics: Mapping[str, float] = field(default_factory=dict)
    #: the rule could not be evaluated (a missing column, bad SQL, no rows...): Glue's ERROR
    error: bool = False
    rule: str = ""
    evaluated_rule: str = ""
    name: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    kind: str = RULE

    @property
    def outcome(self) -> str | None:
        """ruleOutcomes' Outcome: Passed / Failed (None for an analyzer, which has none)."""
        if self.kind == ANALYZER:
            return None
        return PASSED if self.passed else FAILED

    @property
    def failure_reason(self) -> str | None:
        """ruleOutcomes' FailureReason: the reason of a failed rule, else None."""
        return None if self.passed else (self.reason or "Rule failed")

    @property
    def result(self) -> Result:
        return Result.PASS if self.passed else Result.ERROR if self.error else Result.FAIL

    def of(self, rule: str, evaluated_rule: str, name: str, labels: Mapping[str, str]) -> Outcome:
        """This outcome as the outcome of ``rule`` (a top-level rule of the ruleset)."""
        return replace(self, rule=rule, evaluated_rule=evaluated_rule or rule, name=name, labels=dict(labels))

    def glue(self) -> dict[str, object]:
        """The rule's entry of Glue's GetDataQualityResult ``RuleResults`` (DataQualityRuleResult)."""
        entry: dict[str, object] = {
            "Name": self.name[:MAX_NAME] or "Rule",
            "Description": self.rule[:MAX_DESCRIPTION],
            "Result": str(self.result),
            "EvaluatedMetrics": finite(self.metrics),
            "EvaluatedRule": self.evaluated_rule[:MAX_DESCRIPTION],
            "Labels": dict(self.labels),
        }
        if not self.passed:
            entry["EvaluationMessage"] = (self.reason or "Rule failed")[:MAX_DESCRIPTION]
        return entry

    def glue_analyzer(self) -> dict[str, object]:
        """The analyzer's entry of Glue's ``AnalyzerResults`` (DataQualityAnalyzerResult)."""
        return {"Name": self.name[:MAX_NAME] or "Analyzer", "Description": self.rule[:MAX_DESCRIPTION],
                "EvaluatedMetrics": finite(self.metrics)}


def finite(metrics: Mapping[str, float]) -> dict[str, float]:
    """The metrics that have a value (NaN and infinities left out: JSON and Glue have neither)."""
    return {k: float(v) for k, v in metrics.items() if v == v and v not in (float("inf"), float("-inf"))}


def score(outcomes: list[Outcome]) -> float:
    """Glue's Score: the share of the rules that passed (1.0 for no rule)."""
    rules = [o for o in outcomes if o.kind == RULE]
    return sum(o.passed for o in rules) / len(rules) if rules else 1.0
