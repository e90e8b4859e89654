"""``dea-etl sql "SELECT ..." [--lake lake] [--output-format table|json]``: SQL over the local lake."""

from __future__ import annotations

import argparse
import json
import re

from rich.console import Console
from rich.table import Table

from dea_etl.cli.output import error


def one_line_error(exc: BaseException) -> str:
    """Spark's error message on one line: the message without the query excerpt or the plan."""
    text = str(exc).strip()
    text = re.split(r"\n\s*== SQL|;\s*\n'|\n'", text, maxsplit=1)[0]
    return " ".join(text.split())


def _sql(ns: argparse.Namespace) -> int:
    from dea_etl.catalog import register_local_tables, run_sql
    from dea_etl.runtime import get_spark

    spark, created = get_spark("dea-etl-sql")
    spark.sparkContext.setLogLevel("ERROR")
    try:
        register_local_tables(spark, ns.lake)
        df = run_sql(spark, ns.query)
        rows = df.collect()
    except Exception as exc:
        error(one_line_error(exc))
        return 1
    finally:
        if created:
            spark.stop()
    if ns.output_format == "json":
        for row in rows:
            print(json.dumps(row.asDict(recursive=True), default=str))
        return 0
    table = Table(*df.columns)
    for row in rows:
        table.add_row(*("NULL" if v is None else str(v) for v in row))
    Console().print(table)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("sql", help="run a SQL query over the local lake's tables and marts")
    p.add_argument("query", help="the SELECT to run (Spark SQL; the lake's tables and marts by name)")
    p.add_argument("--lake", default="lake", help="the local lake whose processedData/ is queried (default: lake)")
    p.add_argument("--output-format", choices=["table", "json"], default="table",
                   help="how the result is printed: a table, or one JSON object per row")
    p.set_defaults(handler=_sql)
