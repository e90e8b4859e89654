"""Regular expressions that Java's matcher would take exponential time on, found before they run.

Spark matches ``ColumnValues ... matches`` with ``java.util.regex``, a backtracking matcher: a pattern
like ``(a+)+$`` on ``aaaa...ab`` runs for hours. The shapes that blow up repeat a group whose text can be
split among its repetitions in many ways: a repeated group that begins with a repeated element and holds
no character that tells one repetition from the next (``(a+)+``, ``(\\w+\\s?)*``, ``(.*a){20}``), or a
backreference. Such a pattern fails its rule with the reason, before Spark starts; ``([a-z]+\\.)*`` or
``(\\.[a-z]+)*`` (repetitions told apart by a separator) are fine. The check is structural, not a proof:
it finds the classic shapes, not every slow pattern (a repeated choice whose alternatives overlap,
``(a|aa)+``, is not found: Python's parser, which reads the pattern here, folds such choices). A pattern
Python cannot read (Java-only syntax) is left to Java.
"""

from __future__ import annotations

import re
from re import _constants as sre_constants  # Python 3.11's regex parser (the one that sre_parse was)
from re import _parser as sre_parse
from typing import Any

_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}
_POSSESSIVE = getattr(sre_constants, "POSSESSIVE_REPEAT", None)


def _repeats(op: Any, av: Any) -> bool:
    """A repetition of more than one: ``*``, ``+``, ``{2,}``, ``{20}``..."""
    return op in _REPEATS and (av[1] is sre_constants.MAXREPEAT or av[1] > 1)


_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s", "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W",
}


def _may_match(op: Any, av: Any, char: str) -> bool:
    """Whether the one-character element ``(op, av)`` may match ``char`` (True when unsure)."""
    if op is sre_constants.LITERAL:
        return chr(av) == char
    if op is sre_constants.NOT_LITERAL:
        return chr(av) != char
    if op is sre_constants.ANY:
        return char != "\n"
    if op is sre_constants.IN:
        negate = any(o is sre_constants.NEGATE for o, _ in av)
        hit = False
        for o, a in av:
            if o is sre_constants.LITERAL:
                hit |= chr(a) == char
            elif o is sre_constants.RANGE:
                hit |= a[0] <= ord(char) <= a[1]
            elif o is sre_constants.CATEGORY:
                hit |= bool(re.fullmatch(_CATEGORIES.get(str(a), "."), char))
        return hit != negate
    return True


def _ambiguous(body: list[Any]) -> bool:
    r"""Whether a repeated group's body can share its text among repetitions in many ways: it begins with
    a repeated element and no character it must hold afterwards tells one repetition from the next
    (``(a+)+``, ``(\w+\s?)*``, ``(.*a)*``; not ``([a-z]+\.)*``)."""
    if not body:
        return False
    op, av = body[0]
    if op is sre_constants.SUBPATTERN:
        return _ambiguous(list(av[-1]) + body[1:])
    if op is sre_constants.BRANCH:
        return any(_ambiguous(list(branch) + body[1:]) for branch in av[1])
    if not _repeats(op, av):
        return False
    inner = list(av[2])
    if len(inner) != 1:
        return True
    element = inner[0]
    return not any(o is sre_constants.LITERAL and not _may_match(element[0], element[1], chr(a)) for o, a in body[1:])


def _children(op: Any, av: Any) -> list[Any]:
    if op in _REPEATS or op is _POSSESSIVE:
        return [av[2]]
    if op is sre_constants.SUBPATTERN:
        return [av[-1]]
    if op is sre_constants.BRANCH:
        return list(av[1])
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return [av[1]]
    return []


def backtracking_risk(pattern: str) -> str | None:
    """Why Java's matcher may take exponential time on ``pattern``; None when it will not."""
    try:
        parsed = sre_parse.parse(pattern)
    except Exception:  # Java syntax Python does not read: Java decides
        return None
    stack = [parsed]
    while stack:
        for op, av in stack.pop():
            if op is sre_constants.GROUPREF:
                return "it holds a backreference"
            if _repeats(op, av) and _ambiguous(list(av[2])):
                return "it repeats a group that begins with a repetition, which can backtrack for hours"
            stack.extend(_children(op, av))
    return None
