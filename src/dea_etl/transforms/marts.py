"""Sales marts: order lines enriched with customer, employee and manager; marts built from orders.

Pure ``DataFrame -> DataFrame`` steps (use with ``df.transform``):

- :func:`enrich_orders` adds the customer (by ``customerid``), the sales employee (by ``employeeid``)
  and the employee's manager (employees self-join on ``managerid``) to order lines or order headers.
  Left joins: nothing is dropped; ``has_unknown_customer`` / ``has_unknown_employee`` flag keys that
  match nothing (a null key included), ``has_unknown_manager`` a ``managerid`` that names no employee
  (the three managers have no manager: a null ``managerid`` is not unknown). Dimensions are broadcast
  when their estimated size is small, so the orders side is never shuffled for the joins.
- :func:`order_headers` turns lines into one row per order. The order-level amounts (subtotal, taxamt,
  freight, totaldue) repeat on every line of an order; marts sum them over headers, so each order counts
  once. ``revenue`` is the sum of ``linetotal``.
- :func:`customer_sales`, :func:`employee_sales_monthly`, :func:`territory_sales_monthly`,
  :func:`manager_sales` aggregate enriched headers into the marts of :mod:`dea_etl.tables.marts`.

Sums of money are rounded to 4 decimals (the data's precision), so results do not depend on the
order in which Spark adds doubles.
"""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from dea_etl.tables.marts import (
    CUSTOMER_SALES,
    EMPLOYEE_SALES_MONTHLY,
    MANAGER_SALES,
    ORDER_AMOUNTS,
    TERRITORY_SALES_MONTHLY,
    MartSpec,
)
from dea_etl.transforms.joins import DEFAULT_BROADCAST_MAX_BYTES, broadcast_if_small

Transform = Callable[[DataFrame], DataFrame]

MONEY_SCALE = 4
_CUSTOMER_FOUND = "_customer_found"
_EMPLOYEE_FOUND = "_employee_found"
_MANAGER_FOUND = "_manager_found"

#: Columns :func:`enrich_orders` adds, in order.
ENRICHED_COLUMNS: tuple[str, ...] = (
    "customer_fullname",
    "employee_fullname",
    "employee_jobtitle",
    "territory",
    "country",
    "group",
    "managerid",
    "manager_fullname",
    "manager_jobtitle",
    "has_unknown_customer",
    "has_unknown_employee",
    "has_unknown_manager",
)
_STAFF_COLUMNS = ENRICHED_COLUMNS[1:9]


def money_sum(column: str) -> Column:
    return F.round(F.sum(column), MONEY_SCALE)


def employees_with_managers(
    employees_df: DataFrame, *, broadcast_max_bytes: int = DEFAULT_BROADCAST_MAX_BYTES
) -> DataFrame:
    """One row per employee with the manager's name and title (employees self-join on managerid)."""
    staff = employees_df.select(
        "employeeid",
        F.col("fullname").alias("employee_fullname"),
        F.col("jobtitle").alias("employee_jobtitle"),
        "territory",
        "country",
        "group",
        "managerid",
    )
    managers = employees_df.select(
        F.col("employeeid").alias("managerid"),
        F.col("fullname").alias("manager_fullname"),
        F.col("jobtitle").alias("manager_jobtitle"),
        F.lit(True).alias(_MANAGER_FOUND),
    )
    joined = staff.join(broadcast_if_small(managers, broadcast_max_bytes), "managerid", "left")
    return joined.select(
        "employeeid",
        *_STAFF_COLUMNS,
        (F.col("managerid").isNotNull() & F.col(_MANAGER_FOUND).isNull()).alias("has_unknown_manager"),
    )


def enrich_orders(
    customers_df: DataFrame,
    employees_df: DataFrame,
    *,
    broadcast_max_bytes: int = DEFAULT_BROADCAST_MAX_BYTES,
) -> Transform:
    """Order lines (or headers) + customer, employee and manager columns and the unknown-key flags."""

    def step(orders_df: DataFrame) -> DataFrame:
        customers = customers_df.select(
            "customerid", F.col("fullname").alias("customer_fullname"), F.lit(True).alias(_CUSTOMER_FOUND)
        )
        staff = employees_with_managers(employees_df, broadcast_max_bytes=broadcast_max_bytes).withColumn(
            _EMPLOYEE_FOUND, F.lit(True)
        )
        joined = orders_df.join(
            broadcast_if_small(customers, broadcast_max_bytes), "customerid", "left"
        ).join(broadcast_if_small(staff, broadcast_max_bytes), "employeeid", "left")
        return joined.select(
            *(F.col(f"`{c}`") for c in orders_df.columns),
            "customer_fullname",
            *_STAFF_COLUMNS,
            F.col(_CUSTOMER_FOUND).isNull().alias("has_unknown_customer"),
            F.col(_EMPLOYEE_FOUND).isNull().alias("has_unknown_employee"),
            F.coalesce(F.col("has_unknown_manager"), F.lit(False)).alias("has_unknown_manager"),
        )

    return step


def order_headers(lines_df: DataFrame) -> DataFrame:
    """One row per ``salesorderid``: date, year, month, customer, employee, amounts, lines and revenue.

    The order-level values are the same on every line of an order; should lines disagree, the header
    takes the earliest date and the largest value, so that an order is still counted once.
    """
    headers = lines_df.groupBy("salesorderid").agg(
        F.min("orderdate").alias("orderdate"),
        F.max("customerid").alias("customerid"),
        F.max("employeeid").alias("employeeid"),
        *(F.max(a).alias(a) for a in ORDER_AMOUNTS),
        F.count(F.lit(1)).alias("lines"),
        money_sum("linetotal").alias("revenue"),
    )
    return headers.select(
        "salesorderid",
        "orderdate",
        "customerid",
        "employeeid",
        *ORDER_AMOUNTS,
        "lines",
        "revenue",
        F.year("orderdate").alias("year"),
        F.month("orderdate").alias("month"),
    )


def _totals() -> list[Column]:
    """Aggregates over order headers: each order counted once."""
    return [
        F.count(F.lit(1)).alias("orders"),
        F.sum("lines").alias("lines"),
        money_sum("revenue").alias("revenue"),
        *(money_sum(a).alias(a) for a in ORDER_AMOUNTS),
    ]


def _as_mart(df: DataFrame, spec: MartSpec) -> DataFrame:
    return df.select(*(F.col(f"`{f.name}`").cast(f.dataType).alias(f.name) for f in spec.schema.fields))


def customer_sales(headers_df: DataFrame) -> DataFrame:
    """Per customer: orders, lines, revenue, order-level amounts, first and last order date."""
    out = headers_df.groupBy("customerid", "customer_fullname", "has_unknown_customer").agg(
        *_totals(), F.min("orderdate").alias("first_order_date"), F.max("orderdate").alias("last_order_date")
    )
    return _as_mart(out, CUSTOMER_SALES)


def employee_sales_monthly(headers_df: DataFrame) -> DataFrame:
    """Per sales employee and order month."""
    out = headers_df.groupBy(
        "employeeid", *_STAFF_COLUMNS[:6], "has_unknown_employee", "year", "month"  # fullname .. managerid
    ).agg(*_totals(), F.countDistinct("customerid").alias("customers"))
    return _as_mart(out, EMPLOYEE_SALES_MONTHLY)


def territory_sales_monthly(headers_df: DataFrame) -> DataFrame:
    """Per territory / country / group and order month."""
    out = headers_df.groupBy("territory", "country", "group", "year", "month").agg(
        *_totals(),
        F.countDistinct("employeeid").alias("employees"),
        F.countDistinct("customerid").alias("customers"),
    )
    return _as_mart(out, TERRITORY_SALES_MONTHLY)


def manager_sales(headers_df: DataFrame) -> DataFrame:
    """Per manager of the selling employee."""
    out = headers_df.groupBy("managerid", "manager_fullname", "manager_jobtitle", "has_unknown_manager").agg(
        *_totals(),
        F.countDistinct("employeeid").alias("employees"),
        F.countDistinct("customerid").alias("customers"),
    )
    return _as_mart(out, MANAGER_SALES)


#: Mart name -> the function building it from enriched order headers.
MART_BUILDERS: dict[str, Transform] = {
    CUSTOMER_SALES.name: customer_sales,
    EMPLOYEE_SALES_MONTHLY.name: employee_sales_monthly,
    TERRITORY_SALES_MONTHLY.name: territory_sales_monthly,
    MANAGER_SALES.name: manager_sales,
}
