"""Each parsed rule checked against its rule type's signature (:mod:`dea_etl.quality.registry`), as AWS's DQDL
parser checks it against rules-config.json: the number of parameters, whether a condition and of which
kind, ``where`` (only where the rule type takes one), ``with threshold`` and the other tags, dynamic operands
(only where the rule type has a metric history), ``DetectAnomalies``'s watched rule. A mistake raises
:class:`~dea_etl.quality.syntax.SemanticError` at the rule's position, before any data is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from lark import Token

from dea_etl.quality import times
from dea_etl.quality.dynamic import Dynamic
from dea_etl.quality.filerules import DEFAULT_ORDER, HASHES
from dea_etl.quality.model import Analyzer, Composite, Condition, DateExpr, Duration, Keyword, Op, Rule, RuleNode
from dea_etl.quality.registry import CONDITION, THRESHOLD, RuleType, analyzer_types, registered
from dea_etl.quality.syntax import SemanticError

DETECT = "DetectAnomalies"


def _at(token: Token) -> tuple[int, int]:
    return token.line or 0, token.column or 0


def _any_value(value: str) -> str | None:
    return None


def _regex(value: str) -> str | None:
    try:
        re.compile(value)
    except re.error as exc:
        return f"invalid regular expression {value!r}: {exc}"
    return None


def _zone(value: str) -> str | None:
    try:
        times.zone(value)
    except ValueError as exc:
        return str(exc)
    return None


def _count(value: str) -> str | None:
    return None if value.isdigit() and int(value) >= 1 else f"recentFiles takes a whole number >= 1, got {value!r}"


def _flag(value: str) -> str | None:
    return None if value in ("true", "false") else f'takes "true" or "false", got {value!r}'


def _hash(value: str) -> str | None:
    return None if value in HASHES else f"hashAlgorithm is one of {', '.join(HASHES)}, got {value!r}"


def _order(value: tuple[str, ...]) -> str | None:
    if sorted(value) != sorted(set(value)) or not set(value) <= set(DEFAULT_ORDER):
        return f'filterOrder lists recentFiles and uriRegex, each once: ["uriRegex", "recentFiles"]; got {list(value)}'
    return None


#: The value each tag takes (other than threshold): a check of a string, or of a list (filterOrder).
TAG_VALUES: dict[str, Callable[[str], str | None]] = {
    "format": _any_value, "hashAlgorithm": _hash, "recentFiles": _count, "uriRegex": _regex,
    "matchFileName": _flag, "timeZone": _zone, "ignoreCase": _flag,
}
LIST_TAGS: dict[str, Callable[[tuple[str, ...]], str | None]] = {"filterOrder": _order}


def tags(rule_type: str, found: Sequence[tuple[Token, Condition]]
         ) -> tuple[Condition | None, tuple[tuple[str, str | tuple[str, ...]], ...]]:
    """``with`` tags: the threshold and the other tags' values, each checked; an unknown tag is refused (a typo
    would otherwise be ignored)."""
    t = registered().get(rule_type)
    threshold: Condition | None = None
    options: dict[str, str | tuple[str, ...]] = {}
    for name, cond in found:
        tag = str(name)
        if tag == "threshold":
            if t is not None and not t.signature.threshold:
                raise SemanticError(f"{rule_type} does not take 'with threshold'", *_at(name))
            if threshold is not None:
                raise SemanticError("only one 'with threshold' per rule", *_at(name))
            if cond.numbers is None and not all(isinstance(v, float) for v in cond.values):
                raise SemanticError("a threshold must compare with numbers", *_at(name))
            threshold = cond
            continue
        allowed = sorted(t.signature.tags) if t is not None else []
        if t is not None and tag not in t.signature.tags:
            takes = f"it takes {', '.join(['threshold', *allowed] if t.signature.threshold else allowed)}" \
                if allowed or t.signature.threshold else "it takes no tag"
            raise SemanticError(f"unknown tag {tag!r} for {rule_type}; {takes}", *_at(name))
        if cond.op is not Op.EQ or cond.negated or len(cond.values) != 1:
            raise SemanticError(f'a {tag} tag is written with {tag} = "<value>"', *_at(name))
        if tag in options:
            raise SemanticError(f"tag {tag!r} given twice", *_at(name))
        options[tag] = _tag_value(tag, cond.values[0], name)
    return threshold, tuple(options.items())


def _tag_value(tag: str, value: object, name: Token) -> str | tuple[str, ...]:
    result: str | tuple[str, ...]
    if tag in LIST_TAGS:
        items = value if isinstance(value, tuple) else (value,)
        if not all(isinstance(v, str) and not isinstance(v, Keyword) for v in items):
            raise SemanticError(f'{tag} is a list of quoted names: {tag} = ["uriRegex", "recentFiles"]', *_at(name))
        result = tuple(str(v) for v in items)
        problem = LIST_TAGS[tag](result)
    elif (isinstance(value, float) and not isinstance(value, Dynamic)) or (
            isinstance(value, str) and not isinstance(value, Keyword)):
        result = f"{value:g}" if isinstance(value, float) else str(value)
        problem = TAG_VALUES.get(tag, _any_value)(result)
    else:
        raise SemanticError(f'a {tag} tag is written with {tag} = "<value>"', *_at(name))
    if problem:
        raise SemanticError(f"{tag}: {problem}" if not problem.startswith(tag) else problem, *_at(name))
    return result


def rule(r: Rule, name: Token) -> None:
    """Check ``r`` against its rule type's signature (module doc)."""
    types = registered()
    at = _at(name)
    if r.rule_type not in types:
        raise SemanticError(f"unknown rule type {r.rule_type!r}; expected one of {', '.join(sorted(types))}", *at)
    t = types[r.rule_type]
    sig = t.signature
    _params(r, t, at)
    required = sig.condition if sig.no_condition_with is None or len(r.params) != sig.no_condition_with else "none"
    if required == "required" and r.condition is None:
        raise SemanticError(f"{r.rule_type} needs a condition (e.g. {_example(sig.kind)})", *at)
    if required == "none" and r.condition is not None:
        raise SemanticError(f"{r.rule_type} takes no condition" + (
            f" with {len(r.params)} parameters" if sig.no_condition_with is not None else ""), *at)
    if r.where is not None and not sig.where:
        raise SemanticError(f"{r.rule_type} takes no where clause", *at)
    if r.where is not None and not r.where.strip():
        raise SemanticError("a where clause needs a condition, got an empty string", *at)
    if r.rule_type == "ColumnNamesMatchPattern":
        _check_regex(r.params[0], at)
    if r.rule_type == DETECT:
        _watched(r, at)
    if r.threshold is not None and any(isinstance(v, Dynamic) for v in r.threshold.values) and sig.dynamic != THRESHOLD:
        raise SemanticError(f"{r.rule_type} takes no dynamic value (last(k)) in its threshold", *at)
    if r.condition is not None:
        _condition(r, t, at)


def _params(r: Rule, t: RuleType, at: tuple[int, int]) -> None:
    sig, n = t.signature, len(r.params)
    if not sig.min_params <= n <= sig.max_params:
        lo, hi = sig.min_params, sig.max_params
        want = str(lo) if lo == hi else f"{lo} to {hi}" if hi < 100 else f"at least {lo}"
        raise SemanticError(f"{r.rule_type} takes {want} quoted parameter(s), got {n}", *at)


def _example(kind: str) -> str:
    return {"duration": "<= 24 hours", "string": '= "INTEGER"', "date": "> (now() - 1 days)", "size": "> 1 MB",
            "checksum": 'in ["<checksum>"]'}.get(kind, "> 0.9")


def _check_regex(pattern: str, at: tuple[int, int]) -> None:
    problem = _regex(pattern)
    if problem:
        raise SemanticError(problem, *at)


def _condition(r: Rule, t: RuleType, at: tuple[int, int]) -> None:
    cond, sig = r.condition, t.signature
    assert cond is not None
    if any(isinstance(v, Dynamic) for v in cond.values) and sig.dynamic != CONDITION:
        raise SemanticError(f"{r.rule_type} takes no dynamic value (last(k)): only rule types with a metric "
                            "history do", *at)
    if cond.op is not Op.IN and any(isinstance(v, tuple) for v in cond.values):
        raise SemanticError("a list of values goes with in [...]", *at)
    if cond.op is Op.MATCHES:
        if sig.kind != "any":
            raise SemanticError(f"{r.rule_type} does not take 'matches'", *at)
        _check_regex(str(cond.values[0]), at)
    if any(isinstance(v, Keyword) for v in cond.values) and cond.op not in (Op.EQ, Op.IN):
        raise SemanticError("NULL, EMPTY and WHITESPACES_ONLY go with =, != and in [...] only", *at)
    plain = [v for v in cond.values if not isinstance(v, Keyword)]
    if len({isinstance(v, float) for v in plain}) > 1:
        raise SemanticError("a list mixes numbers and strings; quote all of them or none", *at)
    KINDS[sig.kind](r, cond, at)


def _numbers(r: Rule, cond: Condition, at: tuple[int, int]) -> None:
    if not all(isinstance(v, float) for v in cond.values):
        raise SemanticError(f"{r.rule_type} compares with numbers only", *at)


def _durations(r: Rule, cond: Condition, at: tuple[int, int]) -> None:
    if not all(isinstance(v, Duration) for v in cond.values):
        raise SemanticError(f"{r.rule_type} compares with durations (e.g. <= 24 hours)", *at)


def _type_names(r: Rule, cond: Condition, at: tuple[int, int]) -> None:
    if not all(isinstance(v, str) and not isinstance(v, Keyword) for v in cond.values) or cond.op not in (Op.EQ, Op.IN):
        raise SemanticError(f'{r.rule_type} compares with quoted type names (= "INTEGER", in ["DATE", ...])', *at)


def _dates(r: Rule, cond: Condition, at: tuple[int, int]) -> None:
    for v in cond.values:
        if isinstance(v, DateExpr):
            continue
        if not isinstance(v, str) or isinstance(v, Keyword):
            raise SemanticError(f"{r.rule_type} compares with dates: (now() - 1 days), \"2024-01-01\", "
                                "\"21:45\" or \"9:30 AM\"", *at)
        try:
            times.check_moment(v)
        except ValueError as exc:
            raise SemanticError(str(exc), *at) from None


def _sizes(r: Rule, cond: Condition, at: tuple[int, int]) -> None:
    if not all(isinstance(v, float) and v.is_integer() and v >= 0 for v in cond.values):
        raise SemanticError(f"{r.rule_type} compares with sizes: 10 MB, 1 GB, or a whole number of bytes", *at)


def _checksums(r: Rule, cond: Condition, at: tuple[int, int]) -> None:
    if cond.op not in (Op.IN, Op.EQ) or not all(isinstance(v, str) and not isinstance(v, Keyword) for v in cond.values):
        raise SemanticError(f'{r.rule_type} compares with checksums: in ["<checksum>", ...]', *at)


def _anything(r: Rule, cond: Condition, at: tuple[int, int]) -> None:
    if any(isinstance(v, Duration) for v in cond.values):
        raise SemanticError(f"{r.rule_type} does not compare with durations; compare with dates: "
                            "(now() - 3 days)", *at)


KINDS: dict[str, Callable[[Rule, Condition, tuple[int, int]], None]] = {
    "number": _numbers, "duration": _durations, "string": _type_names, "date": _dates, "size": _sizes,
    "checksum": _checksums, "any": _anything,
}


def watchable() -> list[str]:
    """The rule types DetectAnomalies can watch: those that keep a metric history."""
    return sorted(name for name, t in registered().items() if t.watchable)


def _watched(r: Rule, at: tuple[int, int]) -> None:
    target, rest = r.params[0], r.params[1:]
    t = registered().get(target)
    if t is None or not t.watchable:
        raise SemanticError(f"DetectAnomalies cannot watch {target!r}: it watches {', '.join(watchable())}", *at)
    if not t.signature.min_params <= len(rest) <= t.signature.max_params or not t.metrics or not t.metrics(rest):
        columns = ' "<column>"' * max(t.signature.min_params, 1)
        raise SemanticError(f'DetectAnomalies {target!r} needs {target}\'s parameters: DetectAnomalies "{target}"'
                            + columns, *at)


def composable(part: RuleNode) -> None:
    """A part of ``and`` / ``or``: DetectAnomalies judges a history, it stands alone."""
    leaves = part.leaves() if isinstance(part, Composite) else [part]
    for leaf in leaves:
        if leaf.rule_type == DETECT:
            raise SemanticError("DetectAnomalies is a rule of its own: it cannot be combined with and / or",
                                leaf.line, leaf.column)


def analyzer(a: Analyzer, name: Token) -> None:
    """An entry of ``Analyzers = [...]``: an analyzer type with its rule type's parameters."""
    known = analyzer_types()
    if a.analyzer_type not in known:
        raise SemanticError(f"unknown analyzer {a.analyzer_type!r}; expected one of {', '.join(sorted(known))}",
                            *_at(name))
    t = registered().get(a.analyzer_type)
    lo, hi = (t.signature.min_params, t.signature.max_params) if t is not None else (1, 1)
    if not lo <= len(a.params) <= hi:
        want = str(lo) if lo == hi else f"{lo} to {hi}"
        raise SemanticError(f"analyzer {a.analyzer_type} takes {want} parameter(s), got {len(a.params)}", *_at(name))
