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


@dataclass(frozen=True)
class Signature:
    """What a rule type takes: how many quoted parameters, whether a condition, which kind, a threshold,
    and whether a ``where`` clause (dataset-level rules take none, as in the DQDL grammar)."""

    min_params: int
    max_params: int
    condition: str  # "required" | "none" | "optional"
    kind: str = "number"  # "number" | "any" | "duration" | "string"
    threshold: bool = False
    where: bool = True


@dataclass(frozen=True)
class RuleType:
    name: str
    signature: Signature
    handler: Handler
    #: True: a verdict per row; False: dataset-level (Skip at row level); a function: depends on the rule.
    row_level: bool | Callable[[Rule], bool]
    analyzer: bool

    def is_row_level(self, rule: Rule) -> bool:
        return self.row_level(rule) if callable(self.row_level) else self.row_level


_RULE_TYPES: dict[str, RuleType] = {}


def rule_type(name: str, signature: Signature, *, row_level: bool | Callable[[Rule], bool] = False,
              analyzer: bool = False) -> Callable[[Handler], Handler]:
    """Declare the rule type ``name`` handled by the decorated function (stack it for aliases)."""

    def register(handler: Handler) -> Handler:
        if name in _RULE_TYPES:
            raise ValueError(f"rule type {name!r} is declared twice")
        _RULE_TYPES[name] = RuleType(name, signature, handler, row_level, analyzer)
        return handler

    return register


def registered() -> Mapping[str, RuleType]:
    """Every declared rule type, by name."""
    # The handler modules declare their rule types when imported; importing them here (not at the top)
    # keeps this module free of a cycle with them.
    from dea_etl.quality import checks, comparisons, filerules, grouped, historic  # noqa: F401

    return _RULE_TYPES


#: Analyzers that are not rule types: evaluate._analyzer_rules expands them into several rules.
COMPOSITE_ANALYZERS = frozenset({"AllStatistics"})


def analyzer_types() -> frozenset[str]:
    """What an ``Analyzers = [...]`` section may name: the dataset-level statistics and AllStatistics."""
    return frozenset(name for name, t in registered().items() if t.analyzer) | COMPOSITE_ANALYZERS
