"""Row predicates for DQDL conditions: Column -> Column functions (true = the value passes).

Null semantics (the same for every row-level rule, documented in :mod:`dea_etl.quality`):
a null fails ``=``, ``>``, ``>=``, ``<``, ``<=``, ``between``, ``in`` and ``matches`` unless ``NULL`` is
one of the listed values; ``!=`` and ``not in`` are the exact negation, so a null passes them unless
``NULL`` is listed; ``not between`` and ``not matches`` fail a null too ("for all ColumnValues rules other
than != and NOT IN, NULL rows will fail the rule", AWS Glue's ColumnValues reference).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, DateType, DoubleType, IntegralType, NumericType, TimestampType

from dea_etl.quality import regex, times
from dea_etl.quality.backtracking import backtracking_risk
from dea_etl.quality.context import RuleError
from dea_etl.quality.model import EQUALS_TOLERANCE, Condition, DateExpr, Duration, Keyword, Op, Value

_DOUBLE = DoubleType()
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _is_temporal(dtype: DataType) -> bool:
    return isinstance(dtype, DateType | TimestampType)


def _literal(value: Value, dtype: DataType, zone: str | None = None) -> Column:
    if isinstance(value, DateExpr):
        return F.current_timestamp() + F.make_interval(secs=F.lit(value.offset_seconds))
    if isinstance(value, Duration):
        raise RuleError("a duration needs a date expression, e.g. (now() - 3 days)")
    if _is_temporal(dtype) and isinstance(value, str) and times.is_moment(value):
        try:  # "2024-01-01" is that day at 00:00 UTC, "21:45" / "9:30 AM" today in the rule's time zone
            instant = times.moment(value, datetime.now(UTC), zone)
        except ValueError as exc:
            raise RuleError(str(exc)) from None
        return F.lit(instant)
    if _is_temporal(dtype) and isinstance(value, str):
        return F.to_timestamp(F.lit(value))
    return F.lit(value)


def _subject(col: Column, dtype: DataType, cond: Condition) -> Column:
    if _is_temporal(dtype):
        return col.cast("timestamp")
    if isinstance(dtype, NumericType) or any(isinstance(v, float) for v in cond.values):
        return col.cast("double") if not isinstance(dtype, NumericType) else col
    return col


def _keyword(col: Column, kw: Keyword) -> Column:
    if kw is Keyword.NULL:
        return col.isNull()
    text = col.cast("string")
    if kw is Keyword.EMPTY:
        return text == F.lit("")
    return (F.length(F.trim(text)) == 0) & (F.length(text) > 0)


def _equals(subject: Column, lit: Column, numeric: bool) -> Column:
    return F.abs(subject - lit) <= F.lit(EQUALS_TOLERANCE) if numeric else subject == lit


def _days(dtype: DataType, values: list[Value]) -> bool:
    """A DATE column compared with days only ("2024-01-31"): compare dates, not their midnights (same
    result, cheaper per row)."""
    return isinstance(dtype, DateType) and bool(values) and all(
        isinstance(v, str) and not isinstance(v, Keyword) and _DAY.fullmatch(v) for v in values)


def _whole(dtype: DataType, values: list[Value]) -> bool:
    """An integral column against whole numbers: equality within the tolerance is exact equality."""
    return isinstance(dtype, IntegralType) and bool(values) and all(
        isinstance(v, float) and v.is_integer() for v in values)


def positive(col: Column, dtype: DataType, cond: Condition, *, ignore_case: bool = False,
             zone: str | None = None) -> Column:
    """The condition without its negation; never null (a null value gives false unless NULL is listed).
    ``ignore_case`` (``with ignoreCase = "true"``): strings compare and match whatever their case."""
    subject = _subject(col, dtype, cond)
    numeric = isinstance(dtype, NumericType) or any(isinstance(v, float) for v in cond.values)
    keywords = [v for v in cond.values if isinstance(v, Keyword)]
    values = [v for v in cond.values if not isinstance(v, Keyword)]
    if keywords and cond.op not in (Op.EQ, Op.IN):
        raise RuleError("NULL, EMPTY and WHITESPACES_ONLY work with =, != and in [...] only")
    folded = ignore_case and not numeric and not _is_temporal(dtype)
    if folded:
        subject, values = F.lower(subject.cast("string")), [str(v).lower() for v in values]
    lits = [_literal(v, dtype, zone) for v in values]
    if _days(dtype, values):
        subject, lits = col, [F.to_date(F.lit(v)) for v in values]
    if cond.op in (Op.EQ, Op.IN) and _whole(dtype, values):
        pred = col.isin(*(int(v) for v in values))  # type: ignore[arg-type]
        for kw in keywords:
            pred = pred | _keyword(col, kw)
    elif cond.op in (Op.EQ, Op.IN):
        pred = F.lit(False)
        for lit in lits:
            pred = pred | _equals(subject, lit, numeric and not _is_temporal(dtype))
        for kw in keywords:
            pred = pred | _keyword(col, kw)
    elif cond.op is Op.MATCHES:
        risk = backtracking_risk(str(values[0]))
        if risk:
            raise RuleError(f"regex {values[0]!r} is refused: {risk} (Java's matcher backtracks); rewrite it")
        pred = regex.verdict(col, str(values[0]), ignore_case=ignore_case) == regex.MATCHED
    elif cond.op is Op.BETWEEN:
        pred = (subject > lits[0]) & (subject < lits[1])
    else:
        compare = {Op.GT: Column.__gt__, Op.GE: Column.__ge__, Op.LT: Column.__lt__, Op.LE: Column.__le__}
        pred = compare[cond.op](subject, lits[0])
    if Keyword.NULL in keywords:
        return F.coalesce(pred, F.lit(False)) | col.isNull()
    return F.coalesce(pred, F.lit(False)) & col.isNotNull()


def value_predicate(col: Column, dtype: DataType, cond: Condition, *, ignore_case: bool = False,
                    zone: str | None = None) -> Column:
    """True when the row's value satisfies ``cond`` (see the module doc for nulls)."""
    pred = positive(col, dtype, cond, ignore_case=ignore_case, zone=zone)
    if cond.negated and cond.op in (Op.BETWEEN, Op.MATCHES):
        return ~pred & col.isNotNull()  # only != and not in let a null pass (Glue's ColumnValues doc)
    return ~pred if cond.negated else pred


def number_predicate(subject: Column, cond: Condition) -> Column:
    """``cond`` (numbers or durations, as seconds) applied to a numeric expression; null gives false."""
    nums = tuple(v.seconds if isinstance(v, Duration) else v for v in cond.values)
    if not all(isinstance(n, int | float) for n in nums):
        raise RuleError("this rule compares with numbers only")
    numeric = Condition(cond.op, tuple(float(n) for n in nums), negated=cond.negated)  # type: ignore[arg-type]
    pred = positive(subject, _DOUBLE, Condition(numeric.op, numeric.values))
    return ~pred if cond.negated else pred


def age_seconds(col: Column) -> Column:
    """Seconds between the value (a date is its midnight) and now."""
    return F.unix_timestamp(F.current_timestamp()) - F.unix_timestamp(col.cast("timestamp"))

