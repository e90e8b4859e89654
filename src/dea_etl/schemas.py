"""The seed tables' schemas, raw and processed: the one source of truth.

Raw schemas are exactly the course's Glue Data Catalog definitions (``../shared/data/seed/SOURCE.md``):
orders' dates are STRING there. Processed schemas keep the course's column names for customers,
employees and orders (they are already lower-case snake_case words, and the course's Athena SQL and DQDL
rulesets use them), type dates as DATE, and give the taxi trips snake_case names and TIMESTAMPs.
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

from dea_etl.errors import UnknownTableError

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

US_DATE = "M/d/yyyy"
TAXI_TIMESTAMP = "M/d/yy H:mm"


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


def _c(raw_name: str, raw_type: str, **kw: object) -> Column:
    return Column(raw_name, raw_type, **kw)  # type: ignore[arg-type]


CUSTOMERS = TableSpec(
    name="customers",
    columns=(
        _c("customerid", "int", required=True),
        _c("firstname", "string"),
        _c("lastname", "string"),
        _c("fullname", "string"),
    ),
)

EMPLOYEES = TableSpec(
    name="employees",
    columns=(
        _c("employeeid", "int", required=True),
        _c("managerid", "int"),
        _c("firstname", "string"),
        _c("lastname", "string"),
        _c("fullname", "string"),
        _c("jobtitle", "string"),
        _c("organizationlevel", "int"),
        _c("maritalstatus", "string"),
        _c("gender", "string"),
        _c("territory", "string"),
        _c("country", "string"),
        _c("group", "string"),
    ),
)

ORDERS = TableSpec(
    name="orders",
    columns=(
        _c("salesorderid", "int", required=True),
        _c("salesorderdetailid", "int", required=True),
        _c("orderdate", "string", type="date", fmt=US_DATE, required=True),
        _c("duedate", "string", type="date", fmt=US_DATE),
        _c("shipdate", "string", type="date", fmt=US_DATE),
        _c("employeeid", "int"),
        _c("customerid", "int"),
        _c("subtotal", "double"),
        _c("taxamt", "double"),
        _c("freight", "double"),
        _c("totaldue", "double"),
        _c("productid", "int"),
        _c("orderqty", "int"),
        _c("unitprice", "double"),
        _c("unitpricediscount", "double"),
        _c("linetotal", "double"),
    ),
    partitions=(("year", "orderdate"), ("month", "orderdate")),
)

TRIPDATA = TableSpec(
    name="tripdata",
    header=True,
    columns=(
        _c("VendorID", "int", name="vendor_id"),
        _c("lpep_pickup_datetime", "string", type="timestamp", fmt=TAXI_TIMESTAMP, required=True),
        _c("lpep_dropoff_datetime", "string", type="timestamp", fmt=TAXI_TIMESTAMP),
        _c("store_and_fwd_flag", "string"),
        _c("RatecodeID", "int", name="ratecode_id"),
        _c("PULocationID", "int", name="pu_location_id"),
        _c("DOLocationID", "int", name="do_location_id"),
        _c("passenger_count", "int"),
        _c("trip_distance", "double"),
        _c("fare_amount", "double"),
        _c("extra", "double"),
        _c("mta_tax", "double"),
        _c("tip_amount", "double"),
        _c("tolls_amount", "double"),
        _c("ehail_fee", "double"),
        _c("improvement_surcharge", "double"),
        _c("total_amount", "double"),
        _c("payment_type", "int"),
        _c("trip_type", "int"),
    ),
)

TABLES: dict[str, TableSpec] = {t.name: t for t in (CUSTOMERS, EMPLOYEES, ORDERS, TRIPDATA)}


def table_spec(name: str) -> TableSpec:
    """The spec of a seed table by name; raises KeyError naming the known tables."""
    try:
        return TABLES[name]
    except KeyError:
        raise UnknownTableError(f"unknown table {name!r}; known tables: {', '.join(sorted(TABLES))}") from None
