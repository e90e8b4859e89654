"""Dynamic rules: DQDL thresholds computed from a metric's own history (pure functions, no Spark).

``RowCount > avg(last(10)) * 0.8``, ``Mean "x" between min(last(3)) and max(last(3))``: an operand is a
number, ``last(k)``, a function of operands or arithmetic (``+ - * /``) over them. Semantics, as the AWS
DQDL reference gives them:

- ``last(k)`` (``k >= 1``, default 1) is the metric's ``k`` most recent recorded values, newest first; with
  fewer than ``k`` runs recorded it is all of them; with none it is the single value ``0.0``.
- A list can only be used through a function: ``avg``, ``median``, ``sum``, ``min``, ``max``, ``std`` (the
  population standard deviation, 0 for one value) reduce it to a number; ``index(last(k), i)`` is its
  ``i``-th element, 0 the newest (an index past the end is an error); ``abs(x)`` is a number's absolute
  value. ``last()`` (one value) may stand where a number is expected.
- Dividing by zero, a list where a number is expected or an unknown function make the rule fail with
  the reason (:class:`DynamicRuleError`), never pass.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dea_etl.errors import DeaEtlError


class DynamicRuleError(DeaEtlError, ValueError):
    """A dynamic expression that cannot be evaluated (the rule fails with this reason)."""


@dataclass(frozen=True)
class Num:
    value: float

    def __str__(self) -> str:
        return f"{self.value:g}"


@dataclass(frozen=True)
class Last:
    k: int = 1

    def __str__(self) -> str:
        return f"last({self.k})"


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Expr, ...]

    def __str__(self) -> str:
        return f"{self.name}({', '.join(str(a) for a in self.args)})"


@dataclass(frozen=True)
class BinOp:
    op: str  # + - * /
    left: Expr
    right: Expr

    def __str__(self) -> str:
        return f"({self.left} {self.op} {self.right})"


Expr = Num | Last | Call | BinOp
Result = float | tuple[float, ...]


class Dynamic(float):
    """A dynamic operand as it sits in a parsed condition: NaN (it satisfies no condition) carrying its
    expression, until :mod:`dea_etl.quality.historic` replaces it with the number the history gives."""

    expr: Expr
    #: where it was written in the ruleset text (absolute offsets): EvaluatedRule shows its value there
    span: tuple[int, int] | None = None

    def __new__(cls, expr: Expr) -> Dynamic:
        obj = super().__new__(cls, math.nan)
        obj.expr = expr
        return obj

    def __repr__(self) -> str:
        return f"Dynamic({self.expr})"


def last(history: Sequence[float], k: int = 1) -> tuple[float, ...]:
    """The ``k`` most recent values of ``history`` (given oldest first), newest first; ``(0.0,)`` if empty."""
    if k < 1:
        raise DynamicRuleError(f"last(k) needs k >= 1, got {k}")
    if not history:
        return (0.0,)
    return tuple(reversed(history[-k:]))


def index(values: Sequence[float], i: int) -> float:
    """The ``i``-th value of a ``last(k)`` list (0: the newest)."""
    if not 0 <= i < len(values):
        raise DynamicRuleError(f"index {i} is outside the {len(values)} recorded values")
    return float(values[i])


def std(values: Sequence[float]) -> float:
    """Population standard deviation (0 for a single value)."""
    return float(statistics.pstdev(values))


REDUCERS: dict[str, Callable[[Sequence[float]], float]] = {
    "avg": lambda v: float(statistics.fmean(v)),
    "median": lambda v: float(statistics.median(v)),
    "sum": lambda v: float(math.fsum(v)),
    "min": lambda v: float(min(v)),
    "max": lambda v: float(max(v)),
    "std": std,
}
FUNCTIONS = frozenset({*REDUCERS, "index", "abs"})


def _number(value: Result, what: str) -> float:
    if isinstance(value, tuple):
        if len(value) == 1:
            return value[0]
        raise DynamicRuleError(f"{what} is a list of {len(value)} values; reduce it with avg, min, max, ...")
    return value


def _values(value: Result) -> tuple[float, ...]:
    return value if isinstance(value, tuple) else (value,)


def _call(expr: Call, history: Sequence[float]) -> float:
    args = [evaluate(a, history) for a in expr.args]
    if expr.name in REDUCERS:
        if len(args) != 1:
            raise DynamicRuleError(f"{expr.name}() takes one argument")
        return REDUCERS[expr.name](_values(args[0]))
    if expr.name == "index":
        if len(args) != 2:
            raise DynamicRuleError("index() takes a list and a position: index(last(k), i)")
        pos = _number(args[1], "index position")
        if pos != int(pos):
            raise DynamicRuleError(f"index position must be a whole number, got {pos:g}")
        return index(_values(args[0]), int(pos))
    if expr.name == "abs":
        if len(args) != 1:
            raise DynamicRuleError("abs() takes one argument")
        return abs(_number(args[0], "abs() argument"))
    raise DynamicRuleError(f"unknown function {expr.name}(); known: {', '.join(sorted(FUNCTIONS))}")


def _arith(op: str, a: float, b: float) -> float:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:
        raise DynamicRuleError("division by zero")
    return a / b


def evaluate(expr: Expr, history: Sequence[float]) -> Result:
    """The value of ``expr`` over a metric's ``history`` (oldest first; the current run not included)."""
    if isinstance(expr, Num):
        return expr.value
    if isinstance(expr, Last):
        return last(history, expr.k)
    if isinstance(expr, Call):
        return _call(expr, history)
    left = _number(evaluate(expr.left, history), str(expr.left))
    right = _number(evaluate(expr.right, history), str(expr.right))
    return _arith(expr.op, left, right)


def threshold(expr: Expr, history: Sequence[float]) -> float:
    """``expr`` as the number a condition compares with."""
    return _number(evaluate(expr, history), str(expr))


def is_dynamic(expr: Expr) -> bool:
    """Whether ``expr`` reads the history (contains ``last``)."""
    if isinstance(expr, Last):
        return True
    if isinstance(expr, Call):
        return any(is_dynamic(a) for a in expr.args)
    if isinstance(expr, BinOp):
        return is_dynamic(expr.left) or is_dynamic(expr.right)
    return False


def as_expr(value: float) -> Expr:
    """A parsed operand as an expression (a :class:`Dynamic` gives its own)."""
    return value.expr if isinstance(value, Dynamic) else Num(float(value))


def call(name: str, args: list[Expr]) -> Expr:
    """``name(args)`` as the parser meets it: ``last([k])`` or a known function, else a syntax error."""
    if name == "last":
        if not args:
            return Last(1)
        k = args[0]
        if len(args) > 1 or not isinstance(k, Num) or k.value != int(k.value) or k.value < 1:
            raise DynamicRuleError("last(k) takes one whole number k >= 1")
        return Last(int(k.value))
    if name not in FUNCTIONS:
        raise DynamicRuleError(f"unknown function {name}(); known: last, {', '.join(sorted(FUNCTIONS))}")
    return Call(name, tuple(args))
