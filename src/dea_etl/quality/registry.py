"""Every DQDL rule type declared once: its signature, its handler and its row-level behaviour together.

A handler module declares a rule type with the :func:`rule_type` decorator::

    @rule_type("Completeness", Signature(1, 1, "required"), row_level=True, analyzer=True)
    @rule_type("IsComplete", Signature(1, 1, "none"), row_level=True)
    def completeness(rule: Rule, ctx: Context) -> Prepared: ...

The parser checks each rule against :func:`registered` signatures, the evaluator calls the handlers and
asks :meth:`RuleType.is_row_level`; ``tests/test_quality_registry.py`` fails when grammar, signatures and
handlers disagree (a declared type that does not parse, or does not evaluate).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from dea_etl.quality.context import Context, Prepared
from dea_etl.quality.model import Rule

Handler = Callable[[Rule, Context], Prepared]
#: The names of the metrics a rule keeps a history of, from its parameters (as written).
MetricNames = Callable[[tuple[str, ...]], tuple[str, ...]]

#: Where a dynamic operand (``avg(last(10))``) may stand: in the condition, in ``with threshold``, nowhere.
CONDITION, THRESHOLD, NOWHERE = "condition", "threshold", "none"
#: The tags every file rule takes (the DQDL reference's "optional file-based rule tags").
FILE_TAGS = frozenset({"recentFiles", "uriRegex", "filterOrder"})


@dataclass(frozen=True)
class Signature:
    """What a rule type takes: how many quoted parameters, whether a condition and of which kind
    (``number``, ``any`` value, ``duration``, quoted type names ``string``, ``date``, file ``size``, file
    ``checksum`` list), ``with threshold``, a ``where`` clause (dataset-level rules take none, as in the
    DQDL grammar and rules-config.json), which other ``with`` tags, and where a dynamic operand may stand
    (the "Dynamic rule support?" column of the DQDL rule type reference)."""

    min_params: int
    max_params: int
    condition: str  # "required" | "none" | "optional"
    kind: str = "number"
    threshold: bool = False
    where: bool = True
    tags: frozenset[str] = frozenset()
    dynamic: str = NOWHERE
    #: with this many parameters the rule takes no condition (FileMatch "a" "b" compares two paths)
    no_condition_with: int | None = None


@dataclass(frozen=True)
class RuleType:
    name: str
    signature: Signature
    handler: Handler
    #: True: a verdict per row; False: dataset-level (Skip at row level); a function: depends on the rule.
    row_level: bool | Callable[[Rule], bool]
    analyzer: bool
    metrics: MetricNames | None = None

    def is_row_level(self, rule: Rule) -> bool:
        return self.row_level(rule) if callable(self.row_level) else self.row_level

    @property
    def watchable(self) -> bool:
        """Whether DetectAnomalies can watch it: it keeps a metric history and gathers it without a condition
        of its own (an analyzer, or a rule that takes no condition)."""
        return self.metrics is not None and (self.analyzer or self.signature.condition == "none")


_RULE_TYPES: dict[str, RuleType] = {}


def rule_type(name: str, signature: Signature, *, row_level: bool | Callable[[Rule], bool] = False,
              analyzer: bool = False, metrics: MetricNames | None = None) -> Callable[[Handler], Handler]:
    """Declare the rule type ``name`` handled by the decorated function (stack it for aliases)."""

    def register(handler: Handler) -> Handler:
        if name in _RULE_TYPES:
            raise ValueError(f"rule type {name!r} is declared twice")
        _RULE_TYPES[name] = RuleType(name, signature, handler, row_level, analyzer, metrics)
        return handler

    return register


def column_metric(statistic: str) -> MetricNames:
    """``Column.<c>.<statistic>`` (one column) or ``Multicolumn.<a>,<b>.<statistic>`` (several)."""

    def names(params: tuple[str, ...]) -> tuple[str, ...]:
        if not params:
            return ()
        owner = f"Column.{params[0]}" if len(params) == 1 else f"Multicolumn.{','.join(params)}"
        return (f"{owner}.{statistic}",)

    return names


def column_metrics(*statistics: str) -> MetricNames:
    """``Column.<c>.<statistic>`` for each statistic (a rule type watched through several metrics)."""
    return lambda params: tuple(f"Column.{params[0]}.{s}" for s in statistics) if len(params) == 1 else ()


def dataset_metric(metric: str) -> MetricNames:
    """``Dataset.*.<metric>``."""
    return lambda params: (f"Dataset.*.{metric}",)


def reference_metric(scope: str, metric: str) -> MetricNames:
    """``<scope>.<reference alias>.<metric>`` (``Dataset.ref.RowCountMatch``, ``Column.ref.ReferentialIntegrity``)."""
    return lambda params: (f"{scope}.{params[0]}.{metric}",) if params else ()


def metric_names(rule_type_name: str, params: tuple[str, ...]) -> tuple[str, ...]:
    """The metrics a rule of this type and these parameters keeps a history of (none: not declared)."""
    t = registered().get(rule_type_name)
    return t.metrics(params) if t is not None and t.metrics is not None else ()


def registered() -> Mapping[str, RuleType]:
    """Every declared rule type, by name."""
    # The handler modules declare their rule types when imported; importing them here (not at the top)
    # keeps this module free of a cycle with them.
    from dea_etl.quality import checks, comparisons, filerules, grouped, historic  # noqa: F401

    return _RULE_TYPES


#: Analyzers that are not rule types: :mod:`dea_etl.quality.analyzers` expands them into several rules.
COMPOSITE_ANALYZERS = frozenset({"AllStatistics"})


def analyzer_types() -> frozenset[str]:
    """What an ``Analyzers = [...]`` section may name: the dataset-level statistics and AllStatistics."""
    return frozenset(name for name, t in registered().items() if t.analyzer) | COMPOSITE_ANALYZERS
