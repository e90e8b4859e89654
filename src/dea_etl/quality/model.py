"""The DQDL rule model: what the parser produces and the evaluator consumes (frozen dataclasses).

A ruleset is a list of top-level rules; each is a :class:`Rule` (one rule type with its parameters,
condition, ``where`` clause and ``with threshold`` tag) or a :class:`Composite` (``and`` / ``or`` of
rules in parentheses). Every node keeps its source text as written (``text``), which is what
ruleOutcomes and rowLevelOutcomes report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

#: Two numbers are equal in a DQDL condition when they differ by at most this (as Glue does).
EQUALS_TOLERANCE = 1e-5


class Keyword(StrEnum):
    NULL = "NULL"
    EMPTY = "EMPTY"
    WHITESPACES_ONLY = "WHITESPACES_ONLY"


class Op(StrEnum):
    EQ = "="
    NE = "!="
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="
    BETWEEN = "between"
    IN = "in"
    MATCHES = "matches"


@dataclass(frozen=True)
class Duration:
    """``24 hours``, ``3 days``, ``30 minutes``."""

    amount: int
    unit: str  # "days" | "hours" | "minutes"

    @property
    def seconds(self) -> int:
        return self.amount * {"days": 86400, "hours": 3600, "minutes": 60}[self.unit]


@dataclass(frozen=True)
class DateExpr:
    """``now()``, ``now() - 3 days``, ``(now() + 2 hours)``: the evaluation time plus an offset."""

    offset_seconds: int = 0


#: A rule's labels (``labels = ["key"="value", ...]``, with the ruleset's ``DefaultLabels``), in order.
Labels = tuple[tuple[str, str], ...]
#: ``(start, end, text)``: a span of the ruleset text (absolute offsets) and what it stands for once
#: resolved (a ``$constant``'s value; a dynamic operand's number): how EvaluatedRule is written.
Substitution = tuple[int, int, str]


#: An operand: a number, a quoted string, a keyword, a date expression or a duration (a tag's value may
#: also be a list of strings: ``with filterOrder = ["uriRegex", "recentFiles"]``).
Value = float | str | Keyword | DateExpr | Duration | tuple[str, ...]


@dataclass(frozen=True)
class Condition:
    """``op`` applied to ``values``; ``negated`` for ``not between|in|matches`` and ``!=``."""

    op: Op
    values: tuple[Value, ...]
    negated: bool = False

    @property
    def numbers(self) -> tuple[float, ...] | None:
        """The operands as numbers, or None when any is not a number."""
        if all(isinstance(v, float) for v in self.values):
            return tuple(float(v) for v in self.values)  # type: ignore[arg-type]
        return None

    def holds(self, metric: float | None) -> bool:
        """Whether a numeric metric satisfies the condition (``between`` excludes both bounds, as DQDL)."""
        nums = self.numbers
        if metric is None or nums is None or math.isnan(metric):
            return False
        return _holds(self.op, nums, metric) != self.negated


def _holds(op: Op, nums: tuple[float, ...], m: float) -> bool:
    def eq(a: float, b: float) -> bool:
        return abs(a - b) <= EQUALS_TOLERANCE

    if op is Op.EQ:
        return eq(m, nums[0])
    if op is Op.NE:
        return not eq(m, nums[0])
    if op is Op.GT:
        return m > nums[0]
    if op is Op.GE:
        return m >= nums[0]
    if op is Op.LT:
        return m < nums[0]
    if op is Op.LE:
        return m <= nums[0]
    if op is Op.BETWEEN:
        return nums[0] < m < nums[1]
    if op is Op.IN:
        return any(eq(m, n) for n in nums)
    return False


@dataclass(frozen=True)
class Rule:
    """One DQDL rule: ``RuleType "param" ... <condition> [where "<sql>"] [with threshold <condition>]``."""

    rule_type: str
    params: tuple[str, ...]
    condition: Condition | None
    text: str
    where: str | None = None
    threshold: Condition | None = None
    line: int = 0
    column: int = 0
    #: other ``with NAME = "value"`` tags (file rules: ``hashAlgorithm``, ``recentFiles``...; ColumnDataType:
    #: ``format``); a list tag (``filterOrder``) holds a tuple
    options: tuple[tuple[str, str | tuple[str, ...]], ...] = ()
    labels: Labels = ()
    #: where the rule starts in the ruleset text, and what its ``$constants`` stand for (EvaluatedRule)
    start: int = field(default=0, compare=False)
    substitutions: tuple[Substitution, ...] = field(default=(), compare=False)

    @property
    def format(self) -> str | None:
        """``with format = "<pattern>"``: the date/timestamp pattern of a string column (ColumnDataType)."""
        return self.option("format")

    def option(self, name: str) -> str | None:
        """A string tag's value (``with recentFiles = 1`` -> ``"1"``), or None when absent."""
        value = dict(self.options).get(name)
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Composite:
    """``(rule) and (rule) ...`` or ``(rule) or (rule) ...``."""

    operator: str  # "and" | "or"
    rules: tuple[RuleNode, ...]
    text: str
    labels: Labels = ()
    line: int = 0
    column: int = 0
    start: int = field(default=0, compare=False)

    def leaves(self) -> list[Rule]:
        out: list[Rule] = []
        for r in self.rules:
            out.extend(r.leaves() if isinstance(r, Composite) else [r])
        return out


RuleNode = Rule | Composite


@dataclass(frozen=True)
class Analyzer:
    """An entry of ``Analyzers = [...]``: a rule type and its parameters, no condition."""

    analyzer_type: str
    params: tuple[str, ...]
    text: str
    where: str | None = None
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Ruleset:
    rules: tuple[RuleNode, ...] = field(default_factory=tuple)
    analyzers: tuple[Analyzer, ...] = field(default_factory=tuple)
    #: The ``Metadata = {...}`` section (e.g. ``{"Version": "1.0"}``); it does not change the evaluation.
    metadata: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    #: ``DefaultLabels = [...]`` (already merged into every rule's labels) and the declared constants
    default_labels: Labels = ()
    constants: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def leaves(self) -> list[Rule]:
        out: list[Rule] = []
        for r in self.rules:
            out.extend(r.leaves() if isinstance(r, Composite) else [r])
        return out
