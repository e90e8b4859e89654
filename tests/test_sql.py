"""The course's Athena examples over the local lake's views, with hand-computed answers; ``dea-etl sql``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession
from tests.marts_data import LINES, orders_rows

from dea_etl.catalog import register_local_tables, run_sql
from dea_etl.cli import main
from dea_etl.io.parquet import write_parquet
from dea_etl.tables.seed import CUSTOMERS, ORDERS

CUSTOMER_ROWS = [
    (1, "Ann", "Able", "Ann Able"),
    (2, "Bob", "Best", "Bob Best"),
    (3, None, None, None),
    (4, "Kim", "Abercrombie", "Kim Abercrombie"),
    (5, "Ann", "Zork", "Ann Zork"),
]


@pytest.fixture(scope="module")
def lake(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("sql_lake")
    processed = root / "processedData"
    write_parquet(
        spark.createDataFrame(CUSTOMER_ROWS, CUSTOMERS.processed_schema),
        str(processed / "customers"),
        run_id="t",
    )
    write_parquet(
        spark.createDataFrame(orders_rows(LINES), ORDERS.processed_schema),
        str(processed / "orders"),
        run_id="t",
        partition_by=("year", "month"),
    )
    assert register_local_tables(spark, str(root)) == ["customers", "orders"]
    yield root
    for view in ("customers", "orders"):
        spark.catalog.dropTempView(view)


def _sorted(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(rows, key=lambda r: tuple((v is None, v) for v in r))


COURSE_EXAMPLES = [
    (
        "select *",
        "SELECT * FROM customers",
        [
            (1, "Ann", "Able", "Ann Able"),
            (2, "Bob", "Best", "Bob Best"),
            (3, None, None, None),
            (4, "Kim", "Abercrombie", "Kim Abercrombie"),
            (5, "Ann", "Zork", "Ann Zork"),
        ],
    ),
    ("one column", "SELECT Firstname FROM customers", [("Ann",), ("Ann",), ("Bob",), ("Kim",), (None,)]),
    ("alias", "SELECT Firstname AS f_name FROM customers WHERE Customerid = 2", [("Bob",)]),
    (
        "concat",
        "SELECT CONCAT(firstname, ' ', lastname) AS full_name FROM customers WHERE customerid IN (1, 4)",
        [("Ann Able",), ("Kim Abercrombie",)],
    ),
    (
        "and / or",
        "SELECT customerid FROM customers WHERE (firstname = 'Ann' AND lastname = 'Zork') OR customerid = 2",
        [(2,), (5,)],
    ),
    ("in", "SELECT Firstname FROM customers WHERE Customerid IN (1, 2)", [("Ann",), ("Bob",)]),
    ("like", "SELECT customerid FROM customers WHERE Fullname LIKE '%e'", [(1,), (4,)]),
    (
        "union",
        "SELECT Firstname FROM customers WHERE Customerid IN (1) "
        "UNION SELECT Firstname FROM customers WHERE Customerid IN (2, 5)",
        [("Ann",), ("Bob",)],
    ),
    ("distinct", "SELECT DISTINCT firstname FROM customers", [("Ann",), ("Bob",), ("Kim",), (None,)]),
    ("count", "SELECT COUNT(*) AS n FROM orders", [(8,)]),
    (
        "count distinct",
        "SELECT COUNT(DISTINCT salesorderid), COUNT(DISTINCT customerid) FROM orders",
        [(6, 3)],
    ),
    (
        "group by",
        "SELECT customerid, COUNT(DISTINCT salesorderid) AS orders, SUM(linetotal) AS revenue "
        "FROM orders GROUP BY customerid",
        [(1, 2, 42.0), (2, 2, 6.0), (99, 1, 8.0), (None, 1, 2.0)],
    ),
    (
        "nested in",
        "SELECT fullname FROM customers WHERE customerid IN "
        "(SELECT customerid FROM orders WHERE year = 2014 AND month = 6)",
        [("Ann Able",), ("Bob Best",)],
    ),
    (
        "cte",
        "WITH order_totals AS (SELECT salesorderid, customerid, MAX(totaldue) AS totaldue FROM orders "
        "GROUP BY salesorderid, customerid) SELECT customerid, SUM(totaldue) AS total FROM order_totals "
        "WHERE customerid IS NOT NULL GROUP BY customerid",
        [(1, 47.5), (2, 6.75), (99, 9.0)],
    ),
    (
        "inner join",
        "SELECT c.fullname, o.salesorderid FROM customers c INNER JOIN orders o "
        "ON c.customerid = o.customerid WHERE o.salesorderdetailid IN (1, 3, 4)",
        [("Ann Able", 10), ("Bob Best", 11)],
    ),
    (
        "left join",
        "SELECT c.customerid, COUNT(o.salesorderid) AS lines FROM customers c LEFT JOIN orders o "
        "ON c.customerid = o.customerid GROUP BY c.customerid",
        [(1, 4), (2, 2), (3, 0), (4, 0), (5, 0)],
    ),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [(q, e) for _, q, e in COURSE_EXAMPLES],
    ids=[name for name, _, _ in COURSE_EXAMPLES],
)
def test_course_examples(
    spark: SparkSession, lake: Path, query: str, expected: list[tuple[Any, ...]]
) -> None:
    rows = [tuple(r) for r in run_sql(spark, query, register_local_tables(spark, str(lake))).collect()]
    assert _sorted(rows) == _sorted(expected)


def test_cli_json_prints_one_object_per_row(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    query = "SELECT customerid, fullname FROM customers WHERE customerid IN (1, 3) ORDER BY customerid"
    assert main(["sql", query, "--lake", str(lake), "--output-format", "json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line) for line in lines] == [
        {"customerid": 1, "fullname": "Ann Able"},
        {"customerid": 3, "fullname": None},
    ]


def test_cli_table_output(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "SELECT fullname FROM customers WHERE customerid = 4", "--lake", str(lake)]) == 0
    out = capsys.readouterr().out
    assert "fullname" in out and "Kim Abercrombie" in out


@pytest.mark.parametrize(
    ("query", "error_class"),
    [
        ("SELEC * FROM customers", "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'"),  # before Spark
        ("SELECT * FRM customers", "[PARSE_SYNTAX_ERROR] Syntax error at or near 'customers'"),  # before Spark
        ("SELECT * FROM nope", "[TABLE_OR_VIEW_NOT_FOUND] no table 'nope' in "),  # before Spark
        ("SELECT * FROM customers JOIN customers_dq_outcomes USING (customerid)",
         "[TABLE_OR_VIEW_NOT_FOUND] no table 'customers_dq_outcomes' in "),
        ("SELECT nope FROM customers", "UNRESOLVED_COLUMN"),
    ],
)
def test_cli_malformed_query_one_line_error(
    lake: Path, capsys: pytest.CaptureFixture[str], query: str, error_class: str
) -> None:
    assert main(["sql", query, "--lake", str(lake)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and error_class in lines[0], captured.err
    assert "\n" not in captured.err.strip(), captured.err


def test_cli_table_output_prints_values_as_text_not_markup(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    query = "SELECT '[/x]' AS `[red]a`, '[bold]B[/bold]' AS b FROM customers WHERE customerid = 1"
    assert main(["sql", query, "--lake", str(lake)]) == 0
    out = capsys.readouterr().out
    assert "[/x]" in out and "[bold]B[/bold]" in out and "[red]a" in out


def test_cli_reads_only_the_tables_its_query_names(
    spark: SparkSession, lake: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A table the query does not name is never opened: a damaged one elsewhere in the lake does not stop
    the query, and a query that names it fails on it, in one line."""
    import shutil

    copy = tmp_path / "lake"
    shutil.copytree(lake, copy)
    damaged = copy / "processedData" / "notes"
    damaged.mkdir()
    (damaged / "part-00000-x.snappy.parquet").write_bytes(b"not parquet at all")
    assert main(["sql", "SELECT COUNT(*) AS n FROM customers", "--lake", str(copy), "--output-format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"n": 5}
    assert main(["sql", "SELECT COUNT(*) AS n FROM notes", "--lake", str(copy)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err, err
