"""What an invalid ruleset raises, and the limits a ruleset must keep to be read at all.

:class:`DqdlSyntaxError` names the line and column (1-based). :func:`check_limits` refuses, in one line and
before anything parses it, a ruleset too large or too deeply nested to read safely (the limits are in
README's "DQDL: limits"): a scan of the raw text that costs a regular-expression pass, so a 20 MB ruleset
or one nested 500 parentheses deep is answered at once instead of exhausting the parser.
"""

from __future__ import annotations

import re
from typing import ClassVar

from dea_etl.errors import EXIT_USAGE, DeaEtlError

#: A ruleset's text, in characters (a 5,000-rule ruleset is about 200,000).
MAX_RULESET_CHARS = 2_000_000
#: Rules in a ruleset, counting each part of a composite rule.
MAX_RULES = 10_000
#: Parentheses (composite rules, arithmetic, ``now()``) and brackets open at once.
MAX_NESTING = 50
#: Values in one list (``in [...]``, a constant's list).
MAX_LIST_VALUES = 10_000


class DqdlSyntaxError(DeaEtlError, ValueError):
    """An invalid DQDL ruleset; ``line`` and ``column`` are 1-based, ``expected`` lists what would fit."""

    exit_code: ClassVar[int] = EXIT_USAGE

    def __init__(self, message: str, line: int, column: int, expected: tuple[str, ...] = ()) -> None:
        super().__init__(f"line {line}, column {column}: {message}")
        self.line = line
        self.column = column
        self.expected = expected
        self.message = message


class SemanticError(DeaEtlError):
    """Raised while building the rule model; the parser turns it into a :class:`DqdlSyntaxError`."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


_TOKENS = re.compile(r'"(?:\\.|[^"\\\n])*"|#[^\n]*|[()\[\],]')
_SECTION = re.compile(r"(Rules|Analyzers)\s*=\s*$")


def position(text: str, offset: int) -> tuple[int, int]:
    """(line, column), 1-based, of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def check_limits(text: str) -> None:
    """Refuse a ruleset over :data:`MAX_RULESET_CHARS`, nested over :data:`MAX_NESTING` or with a list of more
    than :data:`MAX_LIST_VALUES` values, naming where; quoted strings and comments are skipped."""
    if len(text) > MAX_RULESET_CHARS:
        raise DqdlSyntaxError(
            f"the ruleset has {len(text):,} characters; at most {MAX_RULESET_CHARS:,} are read "
            "(split it into several rulesets)", 1, 1)
    stack: list[tuple[list[int], str]] = []  # per open bracket: [values so far, most allowed], what they are
    for m in _TOKENS.finditer(text):
        token = m.group()
        if token in "([":
            section = token == "[" and not stack and _SECTION.search(text, max(0, m.start() - 100), m.start()) is not None
            if section:
                stack.append(([1, MAX_RULES], "rules"))
            else:
                stack.append(([1, MAX_LIST_VALUES if token == "[" else 0], "values in one list"))
            if len(stack) > MAX_NESTING:
                raise DqdlSyntaxError(f"nested more than {MAX_NESTING} levels deep (parentheses and brackets)",
                                      *position(text, m.start()))
        elif token in ")]" and stack:
            stack.pop()
        elif token == "," and stack:
            count, what = stack[-1]
            count[0] += 1
            if count[1] and count[0] > count[1]:
                raise DqdlSyntaxError(f"more than {count[1]:,} {what}", *position(text, m.start()))
