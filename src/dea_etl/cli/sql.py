"""``dea-etl sql "SELECT ..." [--lake lake] [--format table|json]``: SQL over the local lake.

Parquet and Iceberg tables alike; an Iceberg table's metadata tables too (``orders.snapshots``).
"""

from __future__ import annotations

import argparse
import re

from dea_etl.cli.output import error, print_rows


def one_line_error(exc: BaseException) -> str:
    """Spark's error message on one line: the message without the query excerpt or the plan."""
    text = str(exc).strip()
    text = re.split(r"\n\s*== SQL|;\s*\n'|\n'", text, maxsplit=1)[0]
    return " ".join(text.split())


def _sql(ns: argparse.Namespace) -> int:
    from dea_etl.catalog import register_local_tables, run_sql
    from dea_etl.catalog.local import iceberg_catalog_of
    from dea_etl.runtime import get_spark

    spark, created = get_spark("dea-etl-sql")
    spark.sparkContext.setLogLevel("ERROR")
    previous = spark.catalog.currentCatalog()
    try:
        register_local_tables(spark, ns.lake)
        iceberg = iceberg_catalog_of(spark, ns.lake)
        if iceberg:  # orders.snapshots, orders.history, ...
            spark.catalog.setCurrentCatalog(iceberg)
        df = run_sql(spark, ns.query)
        rows = df.collect()
    except Exception as exc:
        error(one_line_error(exc))
        return 1
    finally:
        spark.catalog.setCurrentCatalog(previous)
        if created:
            spark.stop()
    print_rows(rows, df.columns, ns.format)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("sql", help="run a SQL query over the local lake's tables and marts")
    p.add_argument("query")
    p.add_argument("--lake", default="lake")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(handler=_sql)
