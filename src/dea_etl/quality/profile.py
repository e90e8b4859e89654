"""A profile of every column of the data a ruleset checked, for the reports (as Great Expectations' and Soda's
column profiles): type, nulls, an approximate distinct count, minimum and maximum (numbers, dates and times;
the lengths of strings), the mean of numbers and a small histogram of them.

Every statistic is an aggregate of one row (:meth:`Profiler.aggregates`), so the whole profile is one
aggregation: the evaluation adds them to its own fused pass (:mod:`dea_etl.quality.run`, ``profile=True``)
and reads them back with :meth:`Profiler.finish`. Distinct counts are HyperLogLog++ estimates
(``approx_count_distinct``, 1 % relative standard deviation); a histogram is Spark's ``histogram_numeric``
(Ben-Haim and Tom-Tov's streaming centroids) put into equal-width bins between the minimum and the maximum, one
bin per value for a whole-number column of at most :data:`CENTROIDS` values (then it is exact). NaN is
counted apart and left out of a float column's other statistics.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql.types import (
    AtomicType,
    DataType,
    DateType,
    DoubleType,
    FloatType,
    IntegralType,
    NumericType,
    StringType,
    StructType,
    TimestampNTZType,
    TimestampType,
)

#: Centroids ``histogram_numeric`` keeps per numeric column, and the equal-width bins drawn from them.
CENTROIDS = 20
BINS = 10
#: Relative standard deviation of the distinct counts (Spark's default, 5 %, is 9 % off a 3,000,000-row key).
DISTINCT_RSD = 0.01
NUMBER, TEXT, TIME, OTHER = "number", "string", "time", "other"
#: The kinds of column that have a minimum and a maximum (a string's are its lengths).
KINDS_WITH_RANGE = (NUMBER, TEXT, TIME)


@dataclass(frozen=True)
class Bin:
    """Rows whose value is in ``[lower, upper)`` (the last bin includes its upper bound; ``lower == upper``: rows
    of that one value)."""

    lower: float
    upper: float
    count: int


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    #: Spark's name of the type (``int``, ``double``, ``decimal(10,2)``, ``date``, ``string``...)
    type: str
    kind: str
    nulls: int
    #: approximate distinct non-null values; None for a type that has none (arrays, maps, structs)
    distinct: int | None = None
    #: numbers, dates and times: the smallest and largest value; strings: the shortest and longest length
    minimum: Any = None
    maximum: Any = None
    mean: float | None = None
    nan: int = 0
    histogram: tuple[Bin, ...] = ()

    def null_fraction(self, rows: int) -> float:
        return self.nulls / rows if rows else 0.0

    def to_json(self, rows: int) -> dict[str, object]:
        length = self.kind == TEXT
        return {
            "name": self.name, "type": self.type, "nulls": self.nulls, "null_fraction": self.null_fraction(rows),
            "distinct_approx": self.distinct,
            "min_length" if length else "min": _json_value(self.minimum),
            "max_length" if length else "max": _json_value(self.maximum),
            **({"mean": self.mean, "nan": self.nan,
                "histogram": [{"lower": b.lower, "upper": b.upper, "count": b.count} for b in self.histogram]}
               if self.kind == NUMBER else {}),
        }


@dataclass(frozen=True)
class Profile:
    rows: int
    columns: tuple[ColumnProfile, ...]

    def to_json(self) -> dict[str, object]:
        return {"rows": self.rows, "columns": [c.to_json(self.rows) for c in self.columns]}


def _json_value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value) if Decimal(repr(float(value))) == value else str(value)
    return value


def _kind(dtype: DataType) -> str:
    if isinstance(dtype, NumericType):
        return NUMBER
    if isinstance(dtype, StringType):
        return TEXT
    if isinstance(dtype, DateType | TimestampType | TimestampNTZType):
        return TIME
    return OTHER


def _col(name: str) -> Column:
    return F.col("`" + name.replace("`", "``") + "`")


class Profiler:
    """The aggregates of a profile of ``schema``'s top-level columns, and the profile from their values."""

    def __init__(self, schema: StructType) -> None:
        self.fields = [(f.name, f.dataType) for f in schema.fields]

    def aggregates(self) -> dict[str, Column]:
        """``{key: aggregate}``: every statistic of every column, for one ``agg``."""
        out: dict[str, Column] = {}
        for i, (name, dtype) in enumerate(self.fields):
            c, kind, key = _col(name), _kind(dtype), f"p{i}_"
            out[key + "nulls"] = F.count_if(c.isNull())
            if isinstance(dtype, AtomicType):
                out[key + "distinct"] = F.approx_count_distinct(c, DISTINCT_RSD)
            if kind == NUMBER:
                value = c
                if isinstance(dtype, FloatType | DoubleType):
                    out[key + "nan"] = F.count_if(F.isnan(c))
                    value = F.when(~F.isnan(c), c)
                out[key + "min"], out[key + "max"] = F.min(value), F.max(value)
                out[key + "mean"] = F.avg(value.cast("double"))
                out[key + "hist"] = F.histogram_numeric(value.cast("double"), F.lit(CENTROIDS))
            elif kind == TIME:
                out[key + "min"], out[key + "max"] = F.min(c), F.max(c)
            elif kind == TEXT:
                out[key + "min"], out[key + "max"] = F.min(F.length(c)), F.max(F.length(c))
        return out

    def finish(self, values: Mapping[str, Any], rows: int) -> Profile:
        """The profile from the aggregates' values (``{key: value}``) and the number of rows."""
        columns = []
        for i, (name, dtype) in enumerate(self.fields):
            key, kind = f"p{i}_", _kind(dtype)

            def get(stat: str, key: str = key) -> Any:
                return values.get(key + stat)

            lo, hi = get("min"), get("max")
            mean, nulls, distinct = get("mean"), int(get("nulls") or 0), get("distinct")
            histogram = _bins(get("hist") or [], lo, hi, isinstance(dtype, IntegralType)) if kind == NUMBER else ()
            columns.append(ColumnProfile(
                name=name, type=dtype.simpleString(), kind=kind, nulls=nulls,
                # an estimate is never more than the values there are (5,003 distinct of 5,000 rows reads as a bug)
                distinct=None if distinct is None else min(int(distinct), rows - nulls), minimum=lo, maximum=hi,
                mean=None if mean is None else float(mean), nan=int(get("nan") or 0), histogram=histogram,
            ))
        return Profile(rows, tuple(columns))


def _bins(centroids: Sequence[Any], lo: Any, hi: Any, integral: bool) -> tuple[Bin, ...]:
    """``histogram_numeric``'s centroids (x, y) as equal-width bins between ``lo`` and ``hi``: one per value
    for a whole-number column with at most :data:`CENTROIDS` values, else :data:`BINS`."""
    if not centroids or lo is None or hi is None:
        return ()
    low, high = float(lo), float(hi)
    if not (math.isfinite(low) and math.isfinite(high)):
        return ()
    if high == low:
        return (Bin(low, high, round(sum(float(c[1]) for c in centroids))),)
    points = [(float(c[0]), float(c[1])) for c in centroids]
    if integral and high - low < CENTROIDS:  # at most CENTROIDS values: one centroid per value, exact
        totals = [0.0] * (int(high - low) + 1)
        for x, y in points:
            totals[_clamp(round(x - low), len(totals))] += y
        return tuple(Bin(low + i, low + i, round(t)) for i, t in enumerate(totals))
    width = (high - low) / BINS
    totals = [0.0] * BINS
    for x, y in points:
        totals[_clamp(int((x - low) / width), BINS)] += y
    return tuple(Bin(low + i * width, low + (i + 1) * width, round(t)) for i, t in enumerate(totals))


def _clamp(i: int, n: int) -> int:
    return min(max(i, 0), n - 1)
