"""Parse DQDL text into the rule model; an invalid ruleset raises :class:`DqdlSyntaxError`.

The error names the line and column (1-based) of the offending token and what was expected there, e.g.
``line 2, column 18: unexpected '>' ; expected a quoted string ("...")``. A ruleset over the limits of
:mod:`dea_etl.quality.syntax` is refused before it is parsed; after parsing, each rule is checked against its
rule type's signature (:mod:`dea_etl.quality.validate`) with the same kind of message.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from dea_etl.quality.build import Builder
from dea_etl.quality.grammar import GRAMMAR, TERMINAL_WORDS
from dea_etl.quality.model import Analyzer, RuleNode, Ruleset
from dea_etl.quality.syntax import DqdlSyntaxError, SemanticError, check_limits

__all__ = ["DqdlSyntaxError", "parse_ruleset"]


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", lexer="contextual", propagate_positions=True, maybe_placeholders=True)


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


def _build(tree: Tree[Token], text: str) -> Ruleset:
    """The document's parts in order: constants and DefaultLabels are known before the rules use them."""
    builder = Builder(text)
    metadata, sources, *declarations, body = tree.children
    if isinstance(metadata, Tree):
        metadata = builder.transform(metadata)
    if isinstance(sources, Tree):
        builder.transform(sources)
    for part in declarations:  # constants, then DefaultLabels
        if isinstance(part, Tree):
            builder.transform(part)
    assert isinstance(body, Tree)
    sections: list[Any] = builder.transform(body)
    rules: list[RuleNode] = []
    analyzers: list[Analyzer] = []
    for kind, items in sections:
        (rules if kind == "rules" else analyzers).extend(items)
    meta: dict[str, object] = metadata if isinstance(metadata, dict) else {}
    return Ruleset(tuple(rules), tuple(analyzers), meta, builder.defaults,
                   dict(builder.constants))


def parse_ruleset(text: str) -> Ruleset:
    """Parse a DQDL document; raises :class:`DqdlSyntaxError` (a ValueError) naming line, column, expected."""
    check_limits(text)
    try:
        tree: Tree[Token] = _parser().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text) from None
    try:
        ruleset = _build(tree, text)
    except VisitError as exc:
        orig = exc.orig_exc
        if isinstance(orig, SemanticError):
            raise DqdlSyntaxError(orig.message, orig.line, orig.column) from None
        raise
    if not ruleset.rules and not ruleset.analyzers:
        lines = text.splitlines() or [""]
        raise DqdlSyntaxError("no rules or analyzers: a ruleset needs at least one", len(lines), len(lines[-1]) + 1)
    return ruleset
