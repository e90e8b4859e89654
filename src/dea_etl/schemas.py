"""How a CSV-sourced table is described: :class:`TableSpec` (its :class:`Column` s, raw and processed) and
the type names a table may use (:func:`sql_type`).

The tables themselves live in :mod:`dea_etl.tables`: the course's seed tables are table files in
``dea_etl/tables/seed/``, a user's come from their own table files or the Glue Data Catalog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyspark.sql.types import (
    BooleanType,
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

#: Spark's SQL type names, as used in ``try_cast`` and DDL (plus ``decimal(p,s)``, see :func:`sql_type`).
SQL_TYPES: dict[str, DataType] = {
    "int": IntegerType(),
    "bigint": LongType(),
    "double": DoubleType(),
    "float": FloatType(),
    "boolean": BooleanType(),
    "string": StringType(),
    "date": DateType(),
    "timestamp": TimestampType(),
}

_DECIMAL = re.compile(r"decimal\((\d+),\s*(\d+)\)")
#: Types whose text may spell a non-finite value (``NaN``, ``Infinity``, or an overflow like ``1e400``).
FLOATING = ("double", "float")


def decimal_precision(name: str) -> tuple[int, int] | None:
    """(precision, scale) of a ``decimal(p,s)`` type name; None for any other name."""
    m = _DECIMAL.fullmatch(name.replace(" ", ""))
    return (int(m.group(1)), int(m.group(2))) if m else None


def sql_type(name: str) -> DataType:
    """The Spark type of a type name: one of :data:`SQL_TYPES` or ``decimal(p,s)`` (1 <= p <= 38, s <= p)."""
    if name in SQL_TYPES:
        return SQL_TYPES[name]
    ps = decimal_precision(name)
    if ps and 1 <= ps[0] <= 38 and ps[1] <= ps[0]:
        return DecimalType(*ps)
    raise ValueError(f"unknown type {name!r}; known: {', '.join(SQL_TYPES)}, decimal(p,s)")

@dataclass(frozen=True)
class Column:
    """One column: its raw (catalog) name and type, and its processed name and type.

    ``fmt`` is the datetime pattern used to parse a STRING raw value into a date/timestamp, or several
    patterns tried in order (the first that parses the whole value wins); without it a date/timestamp
    is read in ISO form (``2014-05-01``, ``2014-05-01 13:45:00``).
    ``required`` columns may not be empty: a row with an empty required column is quarantined.
    ``allow_non_finite`` lets a double/float column hold ``NaN``/``Infinity`` (and overflows such as
    ``1e400``); by default such a value sends the row to the quarantine.
    """

    raw_name: str
    raw_type: str
    name: str = ""
    type: str = ""
    fmt: str | tuple[str, ...] | None = None
    required: bool = False
    allow_non_finite: bool = False

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.raw_name)
        if not self.type:
            object.__setattr__(self, "type", self.raw_type)
        for t in (self.raw_type, self.type):
            try:
                sql_type(t)
            except ValueError as exc:
                raise ValueError(f"column {self.raw_name}: {exc}") from None
        if self.fmt is not None and not (self.type in ("date", "timestamp") and self.formats):
            raise ValueError(f"column {self.raw_name}: fmt is for date/timestamp columns (one or more patterns)")

    @property
    def formats(self) -> tuple[str, ...]:
        """The datetime patterns to try, in order (empty: ISO form)."""
        if self.fmt is None:
            return ()
        return (self.fmt,) if isinstance(self.fmt, str) else tuple(self.fmt)


@dataclass(frozen=True)
class TableSpec:
    """A seed table: its columns, whether its files have a header, how its output is partitioned."""

    name: str
    columns: tuple[Column, ...]
    header: bool = False
    #: Derived partition columns (name -> source date column); the output is partitioned by them.
    partitions: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    description: str = ""

    @property
    def schema(self) -> StructType:
        """The processed table's columns (:class:`dea_etl.tables.LakeTable`)."""
        return self.processed_schema

    @property
    def raw_schema(self) -> StructType:
        return StructType([StructField(c.raw_name, sql_type(c.raw_type), True) for c in self.columns])

    @property
    def text_schema(self) -> StructType:
        """What the CSV reader parses into: every raw column as STRING (typing happens after)."""
        return StructType([StructField(c.raw_name, StringType(), True) for c in self.columns])

    @property
    def processed_schema(self) -> StructType:
        fields = [StructField(c.name, sql_type(c.type), not c.required) for c in self.columns]
        fields += [StructField(p, IntegerType(), True) for p, _ in self.partitions]
        return StructType(fields)

    @property
    def partition_by(self) -> tuple[str, ...]:
        return tuple(p for p, _ in self.partitions)

    @property
    def header_line(self) -> str:
        return ",".join(c.raw_name for c in self.columns)
