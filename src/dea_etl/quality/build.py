"""The lark parse tree of a DQDL document as the rule model (:mod:`dea_etl.quality.model`).

Constants are resolved as the rules are built (``$name`` stands for its string or its list wherever the
DQDL grammar lets a constant stand: a parameter, a string value, ``in $list``), and each resolution is kept
as a substitution so EvaluatedRule can be written with the values; labels are merged with the ruleset's
``DefaultLabels`` (a rule's own value for a key wins). Every rule is checked against its rule type's
signature by :mod:`dea_etl.quality.validate`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from lark import Token, Transformer, v_args

from dea_etl.quality import validate
from dea_etl.quality.dynamic import BinOp, Dynamic, DynamicRuleError, Num, as_expr, call
from dea_etl.quality.filerules import SIZE_UNITS
from dea_etl.quality.model import (
    Analyzer,
    Composite,
    Condition,
    DateExpr,
    Duration,
    Keyword,
    Labels,
    Op,
    Rule,
    RuleNode,
    Substitution,
    Value,
)
from dea_etl.quality.syntax import MAX_RULES, SemanticError

#: Glue's label limits (the DQDL reference's "Label constraints").
MAX_LABELS, MAX_LABEL_KEY, MAX_LABEL_VALUE = 10, 128, 256
METADATA_KEYS = frozenset({"Version"})
DATA_SOURCE_KEYS = frozenset({"Primary", "AdditionalDataSources"})


def unquote(token: str) -> str:
    body = token[1:-1]
    return body.replace('\\"', '"').replace("\\\\", "\\")


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def at(token: Token) -> tuple[int, int]:
    return token.line or 0, token.column or 0


@dataclass(frozen=True)
class Ref:
    """A ``$constant`` where it was written: its name, its value, its span and position."""

    name: str
    value: str | Keyword | tuple[str | Keyword, ...]
    start: int
    end: int
    line: int
    column: int

    @property
    def text(self) -> str:
        """The value as DQDL (what EvaluatedRule shows in its place)."""
        if isinstance(self.value, tuple):
            return "[" + ", ".join(_literal(v) for v in self.value) + "]"
        return _literal(self.value)


def _literal(value: str | Keyword) -> str:
    return str(value) if isinstance(value, Keyword) else quote(value)


@dataclass(frozen=True)
class Param:
    value: str
    ref: Ref | None = None


@v_args(inline=True)
class Builder(Transformer[Token, Any]):
    """Transforms one section of the document at a time: constants and labels first (rules use them)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.constants: dict[str, str | Keyword | tuple[str | Keyword, ...]] = {}
        self.defaults: Labels = ()
        self.refs: list[Ref] = []  # the constants used by the rule being built
        self.leaves = 0

    # -- constants -----------------------------------------------------------------------------------
    def constant(self, name: Token, value: Any) -> None:
        if str(name).startswith("_"):
            raise SemanticError(f"constant name {str(name)!r} cannot start with '_'", *at(name))
        if str(name) in self.constants:
            raise SemanticError(f"constant {str(name)!r} is already defined", *at(name))
        if isinstance(value, Ref) or (isinstance(value, tuple) and any(isinstance(v, Ref) for v in value)):
            raise SemanticError(f"constant {str(name)!r}: a constant cannot refer to another constant", *at(name))
        self.constants[str(name)] = value

    def constant_list(self, *values: Any) -> tuple[Any, ...]:
        return tuple(values)

    def reference(self, tok: Token) -> Ref:
        name = str(tok)[1:]
        if name not in self.constants:
            known = ", ".join(f"${n}" for n in self.constants) or "none is declared"
            raise SemanticError(f"constant ${name} is not defined ({known})", *at(tok))
        ref = Ref(name, self.constants[name], tok.start_pos or 0, tok.end_pos or 0, *at(tok))
        self.refs.append(ref)
        return ref

    # -- labels --------------------------------------------------------------------------------------
    def label(self, key: Token, value: Token) -> tuple[str, str, Token]:
        return unquote(key), unquote(value), key

    @v_args(meta=True, inline=True)
    def label_list(self, meta: Any, *labels: tuple[str, str, Token] | None) -> tuple[tuple[str, str, Token], ...]:
        items = tuple(x for x in labels if x is not None)
        if not items:
            raise SemanticError('labels need at least one "key"="value"', meta.line, meta.column)
        return items

    def labels(self, items: tuple[tuple[str, str, Token], ...]) -> Labels:
        return self._labels(items)

    def default_labels(self, items: tuple[tuple[str, str, Token], ...]) -> None:
        self.defaults = self._labels(items, defaults=())

    def _labels(self, items: tuple[tuple[str, str, Token], ...], defaults: Labels | None = None) -> Labels:
        seen: set[str] = set()
        for key, value, tok in items:
            if not key or not value:
                raise SemanticError("a label's key and value cannot be empty", *at(tok))
            if len(key) > MAX_LABEL_KEY or len(value) > MAX_LABEL_VALUE:
                raise SemanticError(f"a label key has at most {MAX_LABEL_KEY} characters and a value at most "
                                    f"{MAX_LABEL_VALUE}", *at(tok))
            if key in seen:
                raise SemanticError(f"label key {key!r} given twice (keys are unique, case-sensitive)", *at(tok))
            seen.add(key)
        merged = dict(self.defaults if defaults is None else defaults)
        merged.update((k, v) for k, v, _ in items)
        if len(merged) > MAX_LABELS:
            raise SemanticError(f"a rule has at most {MAX_LABELS} labels, DefaultLabels included; this one has "
                                f"{len(merged)}", *at(items[0][2]))
        return tuple(merged.items())

    # -- values --------------------------------------------------------------------------------------
    def number(self, tok: Token) -> float:
        return float(tok)

    def string(self, tok: Token) -> str:
        return unquote(tok)

    def keyword(self, tok: Token) -> Keyword:
        return Keyword(str(tok).upper())

    def value_list(self, *values: Value) -> tuple[Value, ...]:
        return tuple(values)

    @v_args(meta=True, inline=True)
    def dyn_bin(self, meta: Any, left: float, op: Token, right: float) -> float:
        """Arithmetic: folded to a number when both sides are numbers, else a dynamic operand."""
        if isinstance(left, Dynamic) or isinstance(right, Dynamic):
            return _spanned(Dynamic(BinOp(str(op), as_expr(left), as_expr(right))), meta)
        if str(op) == "/" and right == 0:
            raise SemanticError("division by zero in a number", *at(op))
        if str(op) == "+":
            return left + right
        if str(op) == "-":
            return left - right
        return left * right if str(op) == "*" else left / right

    @v_args(meta=True, inline=True)
    def dyn_call(self, meta: Any, name: Token, *args: float | None) -> Dynamic:
        try:
            return _spanned(Dynamic(call(str(name), [as_expr(a) for a in args if a is not None])), meta)
        except DynamicRuleError as exc:
            raise SemanticError(str(exc), *at(name)) from None

    @v_args(meta=True, inline=True)
    def signed(self, meta: Any, sign: Token, value: float) -> float:
        if str(sign) == "+":
            return value
        return _spanned(Dynamic(BinOp("-", Num(0.0), value.expr)), meta) if isinstance(value, Dynamic) else -value

    def size(self, amount: Token, unit: Token) -> float:
        if not str(amount).isdigit():
            raise SemanticError(f"a size needs a whole number, got {amount}", *at(amount))
        return float(amount) * SIZE_UNITS[str(unit)]

    def duration(self, amount: Token, unit: Token) -> Duration:
        if not str(amount).isdigit():
            raise SemanticError(f"a duration needs a whole number, got {amount}", *at(amount))
        return Duration(int(str(amount)), str(unit))

    def now(self) -> DateExpr:
        return DateExpr(0)

    def now_offset(self, sign: Token, duration: Duration) -> DateExpr:
        return DateExpr(duration.seconds * (-1 if str(sign) == "-" else 1))

    # -- conditions ----------------------------------------------------------------------------------
    def compare(self, op: Token, value: Any) -> Condition:
        if isinstance(value, Ref):
            if isinstance(value.value, tuple):
                raise SemanticError(f"${value.name} is a list: compare with it as in ${value.name}",
                                    value.line, value.column)
            value = value.value
        if str(op) == "!=":
            return Condition(Op.EQ, (value,), negated=True)
        return Condition(Op(str(op)), (value,))

    @v_args(meta=True, inline=True)
    def between(self, meta: Any, neg: Token | None, low: Any, high: Any) -> Condition:
        if any(isinstance(bound, Ref | tuple) for bound in (low, high)):
            raise SemanticError("between takes two numbers, dates or durations (not a list or a $constant)",
                                meta.line, meta.column)
        return Condition(Op.BETWEEN, (low, high), negated=neg is not None)

    def in_list(self, neg: Token | None, values: Any) -> Condition:
        if isinstance(values, Token):  # in $constant
            ref = self.reference(values)
            values = ref.value if isinstance(ref.value, tuple) else (ref.value,)
        if any(isinstance(v, Ref) for v in values):
            bad = next(v for v in values if isinstance(v, Ref))
            raise SemanticError(f"${bad.name} cannot stand inside a list; write in ${bad.name}", bad.line, bad.column)
        return Condition(Op.IN, tuple(values), negated=neg is not None)

    def matches(self, neg: Token | None, pattern: Token) -> Condition:
        return Condition(Op.MATCHES, (unquote(pattern),), negated=neg is not None)

    def where(self, sql: Token) -> str:
        return unquote(sql)

    def tag(self, name: Token, cond: Condition) -> tuple[Token, Condition]:
        return name, cond

    # -- rules ---------------------------------------------------------------------------------------
    @v_args(inline=False)
    def param(self, children: list[Any]) -> Param:
        tok = children[-1]
        if isinstance(tok, Ref):
            if not isinstance(tok.value, str):
                kind = "a list" if isinstance(tok.value, tuple) else str(tok.value)
                raise SemanticError(f"${tok.name} is {kind}: a parameter takes one string", tok.line, tok.column)
            return Param(tok.value, tok)
        if tok.type == "VAR":
            param: Param = self.param([self.reference(tok)])
            return param
        return Param(unquote(tok) if tok.type == "STRING" else str(tok))

    @v_args(meta=True, inline=False)
    def dq_rule(self, meta: Any, children: list[Any]) -> Rule:
        name, *rest = children
        params = [c for c in rest if isinstance(c, Param)]
        cond, where, labels, *tags = rest[len(params):]
        self.leaves += 1
        if self.leaves > MAX_RULES:
            raise SemanticError(f"more than {MAX_RULES:,} rules", *at(name))
        threshold, options = validate.tags(str(name), tags)
        subs: list[Substitution] = [(r.start, r.end, r.text) for r in self.refs]
        self.refs = []
        rule = Rule(
            rule_type=str(name), params=tuple(p.value for p in params), condition=cond, text=self._span(meta),
            where=where, threshold=threshold, line=meta.line, column=meta.column, options=options,
            labels=labels if labels is not None else self.defaults, start=meta.start_pos,
            substitutions=tuple(subs),
        )
        validate.rule(rule, name)
        return rule

    @v_args(meta=True, inline=False)
    def analyzer(self, meta: Any, children: list[Any]) -> Analyzer:
        name, *params = children
        analyzer = Analyzer(str(name), tuple(p.value for p in params), self._span(meta), None,
                            meta.line, meta.column)
        self.refs = []
        validate.analyzer(analyzer, name)
        return analyzer

    def _span(self, meta: Any) -> str:
        return self.text[meta.start_pos : meta.end_pos]

    def _composite(self, op: str, meta: Any, children: list[RuleNode]) -> Composite:
        parts: list[RuleNode] = []
        for c in children:  # a chain of one operator, (a) and (b) and (c), is one composite of three
            if isinstance(c, Composite) and c.operator == op and c.start == meta.start_pos:
                parts.extend(c.rules)
            else:
                parts.append(c)
        for part in parts:
            validate.composable(part)
        return Composite(op, tuple(parts), self._span(meta), self.defaults, meta.line, meta.column,
                         meta.start_pos)

    @v_args(meta=True, inline=False)
    def and_rule(self, meta: Any, children: list[RuleNode]) -> Composite:
        return self._composite("and", meta, children)

    @v_args(meta=True, inline=False)
    def or_rule(self, meta: Any, children: list[RuleNode]) -> Composite:
        return self._composite("or", meta, children)

    @v_args(meta=True, inline=True)
    def group(self, meta: Any, node: RuleNode, labels: Labels | None) -> RuleNode:
        """``(rule)`` is the rule; ``(rule) labels = [...]`` is the rule with these labels, written so."""
        if labels is None:
            return node
        return replace(node, labels=labels, text=self._span(meta), start=meta.start_pos, line=meta.line,
                       column=meta.column)

    @v_args(inline=False)
    def rules_section(self, children: list[RuleNode | None]) -> tuple[str, list[RuleNode]]:
        return "rules", [c for c in children if c is not None]

    @v_args(inline=False)
    def analyzers_section(self, children: list[Analyzer | None]) -> tuple[str, list[Analyzer]]:
        return "analyzers", [c for c in children if c is not None]

    @v_args(inline=False)
    def sections(self, children: list[Any]) -> list[Any]:
        return [c for c in children if c is not None]

    # -- metadata ------------------------------------------------------------------------------------
    @v_args(meta=True, inline=True)
    def metadata(self, meta: Any, entries: dict[str, Any]) -> dict[str, Any]:
        return _dictionary("Metadata", entries, METADATA_KEYS, meta)

    @v_args(meta=True, inline=True)
    def data_sources(self, meta: Any, entries: dict[str, Any]) -> dict[str, Any]:
        found = _dictionary("DataSources", entries, DATA_SOURCE_KEYS, meta)
        if "AdditionalDataSources" in found and not isinstance(found["AdditionalDataSources"], list):
            raise SemanticError("AdditionalDataSources is a list of names", meta.line, meta.column)
        return found

    def dictionary(self, *pairs: tuple[str, Any] | None) -> dict[str, Any]:
        return dict(p for p in pairs if p is not None)

    def pair(self, key: Token, value: str | list[str]) -> tuple[str, str | list[str]]:
        return unquote(key), value

    def meta_text(self, value: Token) -> str:
        return unquote(value)

    def meta_texts(self, *values: Token) -> list[str]:
        return [unquote(v) for v in values]


def _dictionary(section: str, entries: dict[str, Any], allowed: frozenset[str], meta: Any) -> dict[str, Any]:
    if not entries:
        raise SemanticError(f"{section} = {{}} is empty", meta.line, meta.column)
    unknown = sorted(set(entries) - allowed)
    if unknown:
        raise SemanticError(f"{section} takes {', '.join(sorted(allowed))}, not {', '.join(unknown)}",
                            meta.line, meta.column)
    return entries


def _spanned(value: Dynamic, meta: Any) -> Dynamic:
    value.span = (meta.start_pos, meta.end_pos)
    return value
