"""Parse DQDL text into the rule model; an invalid ruleset raises :class:`DqdlSyntaxError`.

The error names the line and column (1-based) of the offending token and what was expected there, e.g.
``line 2, column 18: unexpected '>' ; expected a quoted string ("...")``. After parsing, each rule is
checked against its rule type's signature (parameters, condition, threshold) with the same kind of message.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from dea_etl.errors import EXIT_USAGE, DeaEtlError
from dea_etl.quality.dynamic import BinOp, Dynamic, DynamicRuleError, as_expr, call
from dea_etl.quality.filerules import SIZE_UNITS
from dea_etl.quality.grammar import ANALYZER_TYPES, GRAMMAR, SIGNATURES, TERMINAL_WORDS
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
TAGS = ("threshold", "hashAlgorithm")


class _SemanticError(DeaEtlError):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


def _check_rule(rule: Rule, name_token: Token) -> None:
    sig = SIGNATURES.get(rule.rule_type)
    where = (name_token.line or 0, name_token.column or 0)
    if sig is None:
        raise _SemanticError(
            f"unknown rule type {rule.rule_type!r}; expected one of {', '.join(sorted(SIGNATURES))}", *where
        )
    n = len(rule.params)
    if not sig.min_params <= n <= sig.max_params:
        lo, hi = sig.min_params, sig.max_params
        want = str(lo) if lo == hi else f"{lo} to {hi}"
        raise _SemanticError(f"{rule.rule_type} takes {want} quoted parameter(s), got {n}", *where)
    if sig.condition == "required" and rule.condition is None:
        raise _SemanticError(f"{rule.rule_type} needs a condition (e.g. > 0.9)", *where)
    if sig.condition == "none" and rule.condition is not None:
        raise _SemanticError(f"{rule.rule_type} takes no condition", *where)
    if rule.threshold is not None and not sig.threshold:
        raise _SemanticError(f"{rule.rule_type} does not take 'with threshold'", *where)
    if rule.threshold is not None and rule.threshold.numbers is None:
        raise _SemanticError("a threshold must compare with numbers", *where)
    cond = rule.condition
    if cond is None:
        return
    if sig.kind == "number" and cond.numbers is None:
        raise _SemanticError(f"{rule.rule_type} compares with numbers only", *where)
    if sig.kind == "duration" and not all(isinstance(v, Duration) for v in cond.values):
        raise _SemanticError(f"{rule.rule_type} compares with durations (e.g. <= 24 hours)", *where)
    if sig.kind == "string" and not all(isinstance(v, str) for v in cond.values):
        raise _SemanticError(f"{rule.rule_type} compares with quoted type names", *where)
    if cond.op is Op.MATCHES and sig.kind != "any":
        raise _SemanticError(f"{rule.rule_type} does not take 'matches'", *where)


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

    def dyn_bin(self, left: float, op: Token, right: float) -> Dynamic:
        return Dynamic(BinOp(str(op), as_expr(left), as_expr(right)))

    def dyn_call(self, name: Token, *args: float | None) -> Dynamic:
        try:
            return Dynamic(call(str(name), [as_expr(a) for a in args if a is not None]))
        except DynamicRuleError as exc:
            raise _SemanticError(str(exc), name.line or 0, name.column or 0) from None

    def size(self, amount: Token, unit: Token) -> float:
        return float(amount) * SIZE_UNITS[str(unit)]

    def keyword(self, tok: Token) -> Keyword:
        return Keyword(str(tok))

    def duration(self, amount: Token, unit: Token) -> Duration:
        if not str(amount).isdigit():
            message = f"a duration needs a whole number, got {amount}"
            raise _SemanticError(message, amount.line or 0, amount.column or 0)
        return Duration(int(str(amount)), str(unit))

    def date_expr(self, *parts: Any) -> DateExpr:
        if len(parts) == 1 and isinstance(parts[0], DateExpr):
            return parts[0]
        sign, duration = parts if len(parts) == 2 else (None, None)
        if duration is None:
            return DateExpr(0)
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

    def tag(self, name: Token, cond: Condition) -> tuple[Token, Condition]:
        if str(name) not in TAGS:
            message = f"unknown tag {str(name)!r}; expected 'threshold' or 'hashAlgorithm'"
            raise _SemanticError(message, name.line or 0, name.column or 0)
        if str(name) != "threshold" and (cond.op is not Op.EQ or not isinstance(cond.values[0], str)):
            raise _SemanticError(f'{name} takes = "<value>"', name.line or 0, name.column or 0)
        return name, cond


class _Rules(_Build):
    @v_args(meta=True, inline=False)
    def dq_rule(self, meta: Any, children: list[Any]) -> Rule:
        name, *rest = children
        params = tuple(_unquote(t) for t in rest if isinstance(t, Token) and t.type == "STRING")
        cond, where, tag = rest[-3:]
        threshold = tag[1] if tag and str(tag[0]) == "threshold" else None
        options = ((str(tag[0]), str(tag[1].values[0])),) if tag and threshold is None else ()
        rule = Rule(
            rule_type=str(name), params=params, condition=cond, text=self._span(meta), where=where,
            threshold=threshold, line=meta.line, column=meta.column, options=options,
        )
        _check_rule(rule, name)
        return rule

    @v_args(meta=True, inline=False)
    def analyzer(self, meta: Any, children: list[Any]) -> Analyzer:
        name, *rest = children
        if str(name) not in ANALYZER_TYPES:
            raise _SemanticError(
                f"unknown analyzer {str(name)!r}; expected one of {', '.join(sorted(ANALYZER_TYPES))}",
                name.line or 0, name.column or 0,
            )
        params = tuple(_unquote(t) for t in rest if isinstance(t, Token) and t.type == "STRING")
        return Analyzer(str(name), params, self._span(meta), rest[-1])

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
    def start(self, sections: list[tuple[str, list[Any]]]) -> Ruleset:
        rules: list[RuleNode] = []
        analyzers: list[Analyzer] = []
        for kind, items in sections:
            (rules if kind == "rules" else analyzers).extend(items)
        return Ruleset(tuple(rules), tuple(analyzers))


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
    return ruleset
