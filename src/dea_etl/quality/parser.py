"""Parse DQDL text into the rule model; an invalid ruleset raises :class:`DqdlSyntaxError`.

The error names the line and column (1-based) of the offending token and what was expected there, e.g.
``line 2, column 18: unexpected '>' ; expected a quoted string ("...")``. After parsing, each rule is
checked against its rule type's signature (parameters, condition, threshold) with the same kind of message.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, ClassVar

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from dea_etl.errors import EXIT_USAGE, DeaEtlError
from dea_etl.quality.dynamic import BinOp, Dynamic, DynamicRuleError, Num, as_expr, call
from dea_etl.quality.filerules import SIZE_UNITS
from dea_etl.quality.grammar import GRAMMAR, TERMINAL_WORDS
from dea_etl.quality.model import (
    Analyzer,
    Composite,
    Condition,
    DateExpr,
    Duration,
    Keyword,
    Op,
    Rule,
    RuleNode,
    Ruleset,
    Value,
)
from dea_etl.quality.registry import analyzer_types, registered


class DqdlSyntaxError(DeaEtlError, ValueError):
    """An invalid DQDL ruleset; ``line`` and ``column`` are 1-based, ``expected`` lists what would fit."""

    exit_code: ClassVar[int] = EXIT_USAGE

    def __init__(self, message: str, line: int, column: int, expected: tuple[str, ...] = ()) -> None:
        super().__init__(f"line {line}, column {column}: {message}")
        self.line = line
        self.column = column
        self.expected = expected


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", lexer="contextual", propagate_positions=True, maybe_placeholders=True)


def _unquote(token: str) -> str:
    body = token[1:-1]
    return body.replace('\\"', '"').replace("\\\\", "\\")


def _params(children: list[Any]) -> tuple[str, ...]:
    """The leading quoted (``"a b"``) or bare (``a_b``) parameters of a rule's children."""
    out = []
    for child in children:
        if not (isinstance(child, Token) and child.type in ("STRING", "COLUMN")):
            break
        out.append(_unquote(child) if child.type == "STRING" else str(child))
    return tuple(out)


def _words(names: set[str] | frozenset[str]) -> tuple[str, ...]:
    parser = _parser()
    words = set()
    for name in names:
        if name in TERMINAL_WORDS:
            words.add(TERMINAL_WORDS[name])
            continue
        try:
            pattern = parser.get_terminal(name).pattern
            words.add(f"'{pattern.value}'" if pattern.type == "str" else name)
        except KeyError:
            words.add(name)
    return tuple(sorted(words))


def _alts(words: tuple[str, ...]) -> str:
    return " or ".join(words)


def _syntax_error(exc: UnexpectedInput, text: str) -> DqdlSyntaxError:
    line, column = getattr(exc, "line", 0) or 0, getattr(exc, "column", 0) or 0
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        lines = text.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
        names = exc.expected if isinstance(exc, UnexpectedEOF) else exc.accepts or exc.expected
        expected = _words({str(n) for n in names})
        message = f"unexpected end of ruleset; expected {_alts(expected)}"
        return DqdlSyntaxError(message, line, column, expected)
    if isinstance(exc, UnexpectedToken):
        expected = _words(exc.accepts or exc.expected)
        got = str(exc.token)
        return DqdlSyntaxError(f"unexpected {got!r}; expected {_alts(expected)}", line, column, expected)
    if isinstance(exc, UnexpectedCharacters):
        expected = _words(exc.allowed or set())
        pos = exc.pos_in_stream or 0
        got = text[pos] if pos < len(text) else ""
        message = f"unexpected character {got!r}; expected {_alts(expected)}"
        return DqdlSyntaxError(message, line, column, expected)
    return DqdlSyntaxError(str(exc).splitlines()[0], line, column)


#: ``with NAME ...`` tags: the threshold, and the file rules' hash algorithm
TAGS = ("threshold", "format", "hashAlgorithm")


class _SemanticError(DeaEtlError):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


def _check_regex(pattern: str, at: tuple[int, int]) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise _SemanticError(f"invalid regular expression {pattern!r}: {exc}", *at) from None


def _check_rule(rule: Rule, name_token: Token) -> None:
    types = registered()
    at = (name_token.line or 0, name_token.column or 0)
    if rule.rule_type not in types:
        raise _SemanticError(
            f"unknown rule type {rule.rule_type!r}; expected one of {', '.join(sorted(types))}", *at
        )
    sig = types[rule.rule_type].signature
    n = len(rule.params)
    if not sig.min_params <= n <= sig.max_params:
        lo, hi = sig.min_params, sig.max_params
        want = str(lo) if lo == hi else f"{lo} to {hi}"
        raise _SemanticError(f"{rule.rule_type} takes {want} quoted parameter(s), got {n}", *at)
    if sig.condition == "required" and rule.condition is None:
        raise _SemanticError(f"{rule.rule_type} needs a condition (e.g. > 0.9)", *at)
    if sig.condition == "none" and rule.condition is not None:
        raise _SemanticError(f"{rule.rule_type} takes no condition", *at)
    if rule.where is not None and not sig.where:
        raise _SemanticError(f"{rule.rule_type} is a dataset-level rule: it takes no where clause", *at)
    if rule.where is not None and not rule.where.strip():
        raise _SemanticError("a where clause needs a condition, got an empty string", *at)
    if rule.threshold is not None and not sig.threshold:
        raise _SemanticError(f"{rule.rule_type} does not take 'with threshold'", *at)
    if rule.threshold is not None and rule.threshold.numbers is None:
        raise _SemanticError("a threshold must compare with numbers", *at)
    if rule.rule_type == "ColumnNamesMatchPattern":
        _check_regex(rule.params[0], at)
    cond = rule.condition
    if cond is None:
        return
    if cond.op is Op.MATCHES:
        _check_regex(str(cond.values[0]), at)
    plain = [v for v in cond.values if not isinstance(v, Keyword)]
    if len({isinstance(v, float) for v in plain}) > 1:
        raise _SemanticError("a list mixes numbers and strings; quote all of them or none", *at)
    if sig.kind == "number" and cond.numbers is None:
        raise _SemanticError(f"{rule.rule_type} compares with numbers only", *at)
    if sig.kind == "duration" and not all(isinstance(v, Duration) for v in cond.values):
        raise _SemanticError(f"{rule.rule_type} compares with durations (e.g. <= 24 hours)", *at)
    if sig.kind == "string" and not all(isinstance(v, str) for v in cond.values):
        raise _SemanticError(f"{rule.rule_type} compares with quoted type names", *at)
    if cond.op is Op.MATCHES and sig.kind != "any":
        raise _SemanticError(f"{rule.rule_type} does not take 'matches'", *at)


@v_args(inline=True)
class _Build(Transformer[Token, Any]):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def _span(self, meta: Any) -> str:
        return self.text[meta.start_pos : meta.end_pos]

    # values
    def number(self, tok: Token) -> float:
        return float(tok)

    def string(self, tok: Token) -> str:
        return _unquote(tok)

    def dyn_bin(self, left: float, op: Token, right: float) -> float:
        """Arithmetic: folded to a number when both sides are numbers, else a dynamic operand."""
        if isinstance(left, Dynamic) or isinstance(right, Dynamic):
            return Dynamic(BinOp(str(op), as_expr(left), as_expr(right)))
        if str(op) == "/" and right == 0:
            raise _SemanticError("division by zero in a number", op.line or 0, op.column or 0)
        if str(op) == "+":
            return left + right
        if str(op) == "-":
            return left - right
        return left * right if str(op) == "*" else left / right

    def dyn_call(self, name: Token, *args: float | None) -> Dynamic:
        try:
            return Dynamic(call(str(name), [as_expr(a) for a in args if a is not None]))
        except DynamicRuleError as exc:
            raise _SemanticError(str(exc), name.line or 0, name.column or 0) from None

    def size(self, amount: Token, unit: Token) -> float:
        return float(amount) * SIZE_UNITS[str(unit)]

    def keyword(self, tok: Token) -> Keyword:
        return Keyword(str(tok).upper())

    def signed(self, sign: Token, value: float) -> float:
        if str(sign) == "+":
            return value
        return Dynamic(BinOp("-", Num(0.0), value.expr)) if isinstance(value, Dynamic) else -value

    def duration(self, amount: Token, unit: Token) -> Duration:
        if not str(amount).isdigit():
            message = f"a duration needs a whole number, got {amount}"
            raise _SemanticError(message, amount.line or 0, amount.column or 0)
        return Duration(int(str(amount)), str(unit))

    def now(self) -> DateExpr:
        return DateExpr(0)

    def now_offset(self, sign: Token, duration: Duration) -> DateExpr:
        return DateExpr(duration.seconds * (-1 if str(sign) == "-" else 1))

    # conditions
    def compare(self, op: Token, value: Value) -> Condition:
        if str(op) == "!=":
            return Condition(Op.EQ, (value,), negated=True)
        return Condition(Op(str(op)), (value,))

    def between(self, neg: Token | None, low: Value, high: Value) -> Condition:
        return Condition(Op.BETWEEN, (low, high), negated=neg is not None)

    def in_list(self, neg: Token | None, *values: Value) -> Condition:
        return Condition(Op.IN, tuple(values), negated=neg is not None)

    def matches(self, neg: Token | None, pattern: Token) -> Condition:
        return Condition(Op.MATCHES, (_unquote(pattern),), negated=neg is not None)

    def where(self, sql: Token) -> str:
        return _unquote(sql)

    def tag(self, name: Token, cond: Condition) -> tuple[str, Condition]:
        at = (name.line or 0, name.column or 0)
        if str(name) not in TAGS:
            raise _SemanticError(f"unknown tag {str(name)!r}; expected {' or '.join(map(repr, TAGS))}", *at)
        if str(name) != "threshold" and (cond.op is not Op.EQ or cond.negated or not isinstance(cond.values[0], str)):
            raise _SemanticError(f'a {name} tag is written with {name} = "<value>"', *at)
        return str(name), cond

    def metadata(self, entries: dict[str, Any]) -> dict[str, Any]:
        return entries

    def data_sources(self, entries: dict[str, Any]) -> dict[str, Any]:
        return entries

    def dictionary(self, *pairs: tuple[str, Any]) -> dict[str, Any]:
        return dict(pairs)

    def pair(self, key: Token, value: str | list[str]) -> tuple[str, str | list[str]]:
        return _unquote(key), value

    def meta_text(self, value: Token) -> str:
        return _unquote(value)

    def meta_texts(self, *values: Token) -> list[str]:
        return [_unquote(v) for v in values]


class _Rules(_Build):
    @v_args(meta=True, inline=False)
    def dq_rule(self, meta: Any, children: list[Any]) -> Rule:
        name, *rest = children
        params = _params(rest)
        cond, where = rest[len(params)], rest[len(params) + 1]
        tags: dict[str, Condition] = {}
        for tag_name, tag_cond in rest[len(params) + 2:]:
            tags[tag_name] = tag_cond
        options = tuple((k, str(c.values[0])) for k, c in tags.items() if k != "threshold")
        rule = Rule(
            rule_type=str(name), params=params, condition=cond, text=self._span(meta), where=where,
            threshold=tags.get("threshold"), line=meta.line, column=meta.column, options=options,
        )
        _check_rule(rule, name)
        return rule

    @v_args(meta=True, inline=False)
    def analyzer(self, meta: Any, children: list[Any]) -> Analyzer:
        name, *rest = children
        if str(name) not in analyzer_types():
            raise _SemanticError(
                f"unknown analyzer {str(name)!r}; expected one of {', '.join(sorted(analyzer_types()))}",
                name.line or 0, name.column or 0,
            )
        return Analyzer(str(name), _params(rest), self._span(meta), rest[-1])

    def _composite(self, op: str, meta: Any, children: list[RuleNode]) -> Composite:
        parts: list[RuleNode] = []
        for c in children:  # flatten a chain of the same operator: (a) and (b) and (c)
            # the left operand of a chain starts where the chain starts; a parenthesized one does not
            if isinstance(c, Composite) and c.operator == op and self._span(meta).startswith(c.text):
                parts.extend(c.rules)
            else:
                parts.append(c)
        return Composite(op, tuple(parts), self._span(meta))

    @v_args(meta=True, inline=False)
    def and_rule(self, meta: Any, children: list[RuleNode]) -> Composite:
        return self._composite("and", meta, children)

    @v_args(meta=True, inline=False)
    def or_rule(self, meta: Any, children: list[RuleNode]) -> Composite:
        return self._composite("or", meta, children)

    @v_args(inline=False)
    def rules_section(self, children: list[RuleNode | None]) -> tuple[str, list[RuleNode]]:
        return "rules", [c for c in children if c is not None]

    @v_args(inline=False)
    def analyzers_section(self, children: list[Analyzer | None]) -> tuple[str, list[Analyzer]]:
        return "analyzers", [c for c in children if c is not None]

    @v_args(inline=False)
    def start(self, children: list[Any]) -> Ruleset:
        metadata, _sources, *sections = children
        rules: list[RuleNode] = []
        analyzers: list[Analyzer] = []
        for kind, items in sections:
            (rules if kind == "rules" else analyzers).extend(items)
        return Ruleset(tuple(rules), tuple(analyzers), dict(metadata or {}))


def parse_ruleset(text: str) -> Ruleset:
    """Parse a DQDL document; raises :class:`DqdlSyntaxError` (a ValueError) naming line, column, expected."""
    try:
        tree: Tree[Token] = _parser().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text) from None
    try:
        ruleset: Ruleset = _Rules(text).transform(tree)
    except VisitError as exc:
        orig = exc.orig_exc
        if isinstance(orig, _SemanticError):
            raise DqdlSyntaxError(orig.message, orig.line, orig.column) from None
        raise
    if not ruleset.rules and not ruleset.analyzers:
        lines = text.splitlines() or [""]
        raise DqdlSyntaxError("no rules or analyzers: a ruleset needs at least one", len(lines), len(lines[-1]) + 1)
    return ruleset
