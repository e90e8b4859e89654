"""The sales marts' schemas: the one source of truth for their columns, partitions and catalog entries.

Column names follow the processed tables' (``customerid``, ``employeeid``, ``territory`` ...); the
names a mart adds say what they hold (``orders``, ``lines``, ``revenue``). Monthly marts are partitioned
by ``year``/``month`` of the order date, like processed orders.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql.types import (
    BooleanType,
    DataType,
    DateType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

MONTH_PARTITIONS: tuple[str, ...] = ("year", "month")


@dataclass(frozen=True)
class MartSpec:
    """A mart: its name, its columns (partition columns last) and its partition columns."""

    name: str
    schema: StructType
    partition_by: tuple[str, ...] = ()
    description: str = ""


def _fields(*columns: tuple[str, DataType]) -> StructType:
    return StructType([StructField(name, dtype, True) for name, dtype in columns])


_INT, _LONG, _DOUBLE, _STRING, _DATE, _BOOL = (
    IntegerType(),
    LongType(),
    DoubleType(),
    StringType(),
    DateType(),
    BooleanType(),
)

#: Order-level amounts, each counted once per order.
ORDER_AMOUNTS: tuple[str, ...] = ("subtotal", "taxamt", "freight", "totaldue")
_COUNTS = (("orders", _LONG), ("lines", _LONG))
_AMOUNTS = (("revenue", _DOUBLE), *((a, _DOUBLE) for a in ORDER_AMOUNTS))
_MONTH = (("year", _INT), ("month", _INT))

CUSTOMER_SALES = MartSpec(
    "customer_sales",
    _fields(
        ("customerid", _INT),
        ("customer_fullname", _STRING),
        ("has_unknown_customer", _BOOL),
        *_COUNTS,
        *_AMOUNTS,
        ("first_order_date", _DATE),
        ("last_order_date", _DATE),
    ),
    description="per customer: orders, lines, revenue = sum(linetotal), first and last order date",
)

EMPLOYEE_SALES_MONTHLY = MartSpec(
    "employee_sales_monthly",
    _fields(
        ("employeeid", _INT),
        ("employee_fullname", _STRING),
        ("employee_jobtitle", _STRING),
        ("territory", _STRING),
        ("country", _STRING),
        ("group", _STRING),
        ("managerid", _INT),
        ("has_unknown_employee", _BOOL),
        *_COUNTS,
        ("customers", _LONG),
        *_AMOUNTS,
        *_MONTH,
    ),
    MONTH_PARTITIONS,
    "per sales employee and order month",
)

TERRITORY_SALES_MONTHLY = MartSpec(
    "territory_sales_monthly",
    _fields(
        ("territory", _STRING),
        ("country", _STRING),
        ("group", _STRING),
        ("employees", _LONG),
        *_COUNTS,
        ("customers", _LONG),
        *_AMOUNTS,
        *_MONTH,
    ),
    MONTH_PARTITIONS,
    "per territory / country / group and order month (null territory: managers and unknown employees)",
)

MANAGER_SALES = MartSpec(
    "manager_sales",
    _fields(
        ("managerid", _INT),
        ("manager_fullname", _STRING),
        ("manager_jobtitle", _STRING),
        ("has_unknown_manager", _BOOL),
        ("employees", _LONG),
        *_COUNTS,
        ("customers", _LONG),
        *_AMOUNTS,
    ),
    description="per manager of the selling employee (null: no manager or unknown employee)",
)

MARTS: dict[str, MartSpec] = {
    m.name: m for m in (CUSTOMER_SALES, EMPLOYEE_SALES_MONTHLY, TERRITORY_SALES_MONTHLY, MANAGER_SALES)
}
