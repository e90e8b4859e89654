"""Small hand-written inputs shared by the marts tests (customers, employees, order lines)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import DateType, DoubleType, IntegerType, StructField, StructType

from dea_etl.tables.seed import CUSTOMERS, EMPLOYEES

D = dt.date

LINES_SCHEMA = StructType(
    [
        StructField("salesorderid", IntegerType(), False),
        StructField("salesorderdetailid", IntegerType(), False),
        StructField("orderdate", DateType(), False),
        StructField("employeeid", IntegerType(), True),
        StructField("customerid", IntegerType(), True),
        *(
            StructField(a, DoubleType(), True)
            for a in ("subtotal", "taxamt", "freight", "totaldue", "linetotal")
        ),
    ]
)

LINES = [
    (10, 1, D(2014, 5, 1), 275, 1, 30.0, 3.0, 1.0, 34.0, 10.5),
    (10, 2, D(2014, 5, 1), 275, 1, 30.0, 3.0, 1.0, 34.0, 19.5),
    (11, 3, D(2014, 5, 20), 286, 2, 5.0, 0.5, 0.25, 5.75, 5.0),
    (12, 4, D(2014, 6, 3), 274, 99, 8.0, 0.75, 0.25, 9.0, 8.0),  # unknown customer, sold by a manager
    (13, 5, D(2014, 6, 4), 500, None, 2.0, 0.25, 0.25, 2.5, 2.0),  # null customer, unknown employee
    (14, 6, D(2014, 6, 10), 299, 1, 12.0, 1.0, 0.5, 13.5, 4.0),  # employee whose manager is unknown
    (14, 7, D(2014, 6, 10), 299, 1, 12.0, 1.0, 0.5, 13.5, 8.0),
    (15, 8, D(2014, 6, 11), None, 2, 1.0, 0.0, 0.0, 1.0, 1.0),  # null employee
]

SR = "Sales Representative"
EMPLOYEE_ROWS = [
    (
        274,
        None,
        "Stephen",
        "Jiang",
        "Stephen Jiang",
        "North American Sales Manager",
        2,
        "M",
        "M",
        None,
        None,
        None,
    ),
    (285, None, "Syed", "Abbas", "Syed Abbas", "Pacific Sales Manager", 2, "M", "M", None, None, None),
    (287, None, "Amy", "Alberts", "Amy Alberts", "European Sales Manager", 2, "M", "F", None, None, None),
    (275, 274, "Michael", "Blythe", "Michael Blythe", SR, 3, "S", "M", "Northeast", "US", "North America"),
    (286, 285, "Lynn", "Tsoflias", "Lynn Tsoflias", SR, 3, "S", "F", "Australia", "AU", "Pacific"),
    (299, 999, "Nora", "Nobody", "Nora Nobody", SR, 3, None, None, None, None, None),
]

CUSTOMER_ROWS = [(1, "Ann", "Able", "Ann Able"), (2, "Bob", "Best", "Bob Best"), (3, None, None, None)]


def lines_df(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame(LINES, LINES_SCHEMA)


def customers_df(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame(CUSTOMER_ROWS, CUSTOMERS.processed_schema)


def employees_df(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame(EMPLOYEE_ROWS, EMPLOYEES.processed_schema)


def orders_rows(lines: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Test lines widened to the processed orders schema (unused columns null)."""
    out = []
    for so, sod, day, emp, cust, sub, tax, fr, due, lt in lines:
        out.append((so, sod, day, None, None, emp, cust, sub, tax, fr, due, None, None, None, None, lt,
                    day.year, day.month))
    return out
