"""The marts' transformations on small hand-written frames (expected frames written by hand)."""

from __future__ import annotations

from typing import Any

import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import (
    BooleanType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)
from tests.marts_data import LINES, LINES_SCHEMA, SR, D, customers_df, employees_df, lines_df

from dea_etl.tables.marts import (
    CUSTOMER_SALES,
    EMPLOYEE_SALES_MONTHLY,
    MANAGER_SALES,
    TERRITORY_SALES_MONTHLY,
)
from dea_etl.transforms.marts import (
    customer_sales,
    employee_sales_monthly,
    enrich_orders,
    manager_sales,
    order_headers,
    territory_sales_monthly,
)

NASM, PSM = "North American Sales Manager", "Pacific Sales Manager"
NE = ("Northeast", "US", "North America")
AU = ("Australia", "AU", "Pacific")
NONE3 = (None, None, None)

ENRICHED_SCHEMA = StructType(
    [
        *LINES_SCHEMA.fields,
        *(
            StructField(c, StringType())
            for c in (
                "customer_fullname",
                "employee_fullname",
                "employee_jobtitle",
                "territory",
                "country",
                "group",
            )
        ),
        StructField("managerid", IntegerType()),
        StructField("manager_fullname", StringType()),
        StructField("manager_jobtitle", StringType()),
        *(
            StructField(c, BooleanType())
            for c in ("has_unknown_customer", "has_unknown_employee", "has_unknown_manager")
        ),
    ]
)

# Per line (same order as LINES): what the joins add.
ENRICHMENT = [
    ("Ann Able", "Michael Blythe", SR, *NE, 274, "Stephen Jiang", NASM, False, False, False),
    ("Ann Able", "Michael Blythe", SR, *NE, 274, "Stephen Jiang", NASM, False, False, False),
    ("Bob Best", "Lynn Tsoflias", SR, *AU, 285, "Syed Abbas", PSM, False, False, False),
    (None, "Stephen Jiang", NASM, *NONE3, None, None, None, True, False, False),
    (None, None, None, *NONE3, None, None, None, True, True, False),
    ("Ann Able", "Nora Nobody", SR, *NONE3, 999, None, None, False, False, True),
    ("Ann Able", "Nora Nobody", SR, *NONE3, 999, None, None, False, False, True),
    ("Bob Best", None, None, *NONE3, None, None, None, False, True, False),
]


def _check(actual: DataFrame, expected: DataFrame) -> None:
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


@pytest.fixture(scope="module")
def enriched_headers(spark: SparkSession) -> DataFrame:
    return (
        lines_df(spark)
        .transform(order_headers)
        .transform(enrich_orders(customers_df(spark), employees_df(spark)))
    )


def test_enrich_orders_keeps_every_line_and_flags_unknown_keys(spark: SparkSession) -> None:
    actual = lines_df(spark).transform(enrich_orders(customers_df(spark), employees_df(spark)))
    expected_rows: list[tuple[Any, ...]] = [
        (*line, *extra) for line, extra in zip(LINES, ENRICHMENT, strict=True)
    ]
    _check(actual, spark.createDataFrame(expected_rows, ENRICHED_SCHEMA))


def test_order_headers_one_row_per_order_amounts_not_summed(spark: SparkSession) -> None:
    schema = StructType(
        [
            *(
                LINES_SCHEMA[c]
                for c in (
                    "salesorderid",
                    "orderdate",
                    "customerid",
                    "employeeid",
                    "subtotal",
                    "taxamt",
                    "freight",
                    "totaldue",
                )
            ),
            StructField("lines", LongType()),
            StructField("revenue", DoubleType()),
            StructField("year", IntegerType()),
            StructField("month", IntegerType()),
        ]
    )
    expected = spark.createDataFrame(
        [
            (10, D(2014, 5, 1), 1, 275, 30.0, 3.0, 1.0, 34.0, 2, 30.0, 2014, 5),
            (11, D(2014, 5, 20), 2, 286, 5.0, 0.5, 0.25, 5.75, 1, 5.0, 2014, 5),
            (12, D(2014, 6, 3), 99, 274, 8.0, 0.75, 0.25, 9.0, 1, 8.0, 2014, 6),
            (13, D(2014, 6, 4), None, 500, 2.0, 0.25, 0.25, 2.5, 1, 2.0, 2014, 6),
            (14, D(2014, 6, 10), 1, 299, 12.0, 1.0, 0.5, 13.5, 2, 12.0, 2014, 6),
            (15, D(2014, 6, 11), 2, None, 1.0, 0.0, 0.0, 1.0, 1, 1.0, 2014, 6),
        ],
        schema,
    )
    _check(lines_df(spark).transform(order_headers), expected)


def test_customer_sales(spark: SparkSession, enriched_headers: DataFrame) -> None:
    expected = spark.createDataFrame(
        [
            (1, "Ann Able", False, 2, 4, 42.0, 42.0, 4.0, 1.5, 47.5, D(2014, 5, 1), D(2014, 6, 10)),
            (2, "Bob Best", False, 2, 2, 6.0, 6.0, 0.5, 0.25, 6.75, D(2014, 5, 20), D(2014, 6, 11)),
            (99, None, True, 1, 1, 8.0, 8.0, 0.75, 0.25, 9.0, D(2014, 6, 3), D(2014, 6, 3)),
            (None, None, True, 1, 1, 2.0, 2.0, 0.25, 0.25, 2.5, D(2014, 6, 4), D(2014, 6, 4)),
        ],
        CUSTOMER_SALES.schema,
    )
    _check(enriched_headers.transform(customer_sales), expected)


def test_employee_sales_monthly(spark: SparkSession, enriched_headers: DataFrame) -> None:
    expected = spark.createDataFrame(
        [
            (275, "Michael Blythe", SR, *NE, 274, False, 1, 2, 1, 30.0, 30.0, 3.0, 1.0, 34.0, 2014, 5),
            (286, "Lynn Tsoflias", SR, *AU, 285, False, 1, 1, 1, 5.0, 5.0, 0.5, 0.25, 5.75, 2014, 5),
            (274, "Stephen Jiang", NASM, *NONE3, None, False, 1, 1, 1, 8.0, 8.0, 0.75, 0.25, 9.0, 2014, 6),
            (500, None, None, *NONE3, None, True, 1, 1, 0, 2.0, 2.0, 0.25, 0.25, 2.5, 2014, 6),
            (299, "Nora Nobody", SR, *NONE3, 999, False, 1, 2, 1, 12.0, 12.0, 1.0, 0.5, 13.5, 2014, 6),
            (None, None, None, *NONE3, None, True, 1, 1, 1, 1.0, 1.0, 0.0, 0.0, 1.0, 2014, 6),
        ],
        EMPLOYEE_SALES_MONTHLY.schema,
    )
    _check(enriched_headers.transform(employee_sales_monthly), expected)


def test_territory_sales_monthly_null_territory_collects_managers_and_unknowns(
    spark: SparkSession, enriched_headers: DataFrame
) -> None:
    expected = spark.createDataFrame(
        [
            (*NE, 1, 1, 2, 1, 30.0, 30.0, 3.0, 1.0, 34.0, 2014, 5),
            (*AU, 1, 1, 1, 1, 5.0, 5.0, 0.5, 0.25, 5.75, 2014, 5),
            (*NONE3, 3, 4, 5, 3, 23.0, 23.0, 2.0, 1.0, 26.0, 2014, 6),
        ],
        TERRITORY_SALES_MONTHLY.schema,
    )
    _check(enriched_headers.transform(territory_sales_monthly), expected)


def test_manager_sales(spark: SparkSession, enriched_headers: DataFrame) -> None:
    expected = spark.createDataFrame(
        [
            (274, "Stephen Jiang", NASM, False, 1, 1, 2, 1, 30.0, 30.0, 3.0, 1.0, 34.0),
            (285, "Syed Abbas", PSM, False, 1, 1, 1, 1, 5.0, 5.0, 0.5, 0.25, 5.75),
            (999, None, None, True, 1, 1, 2, 1, 12.0, 12.0, 1.0, 0.5, 13.5),
            (None, None, None, False, 2, 3, 3, 2, 11.0, 11.0, 1.0, 0.5, 12.5),
        ],
        MANAGER_SALES.schema,
    )
    _check(enriched_headers.transform(manager_sales), expected)
