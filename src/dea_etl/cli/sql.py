"""``dea-etl sql "SELECT ..." [--lake lake|s3://BUCKET] [--output-format table|json]``: one read-only query
over a lake's tables (anything else is refused before it runs, see :mod:`dea_etl.sqlguard`).

Parquet and Iceberg tables alike, every table in the lake (dea-etl's and a user's); an Iceberg table's
metadata tables too (``dea_etl.orders.snapshots``).
"""

from __future__ import annotations

import argparse

from dea_etl.cli.output import error, print_rows


def _refused_before_spark(ns: argparse.Namespace) -> bool:
    """Says what is certainly wrong with the query (its syntax, its tables), found before Spark starts."""
    from dea_etl.errors import DeaEtlError
    from dea_etl.preflight.sql import SqlSyntaxError, check_query

    if ns.skip_sql_check:
        return False
    try:
        check_query(ns.query, ns.lake)
    except SqlSyntaxError as exc:  # error() inside the handler: under --debug, with its traceback
        error(f"{exc} (checked before Spark; --skip-sql-check leaves it to Spark)")
        return True
    except DeaEtlError as exc:
        error(str(exc))
        return True
    return False


def _sql(ns: argparse.Namespace) -> int:
    if _refused_before_spark(ns):
        return 1
    from dea_etl.catalog import run_sql
    from dea_etl.catalog.local import iceberg_metadata_tables, lake_views, named_views, use_iceberg_catalog
    from dea_etl.pipelines.checks import short_lake
    from dea_etl.runtime import get_spark
    from dea_etl.sqlguard import InvalidSqlError, UnsafeSqlError, spark_error

    spark, created = get_spark("dea-etl-sql", short_run=short_lake({"lake": ns.lake}))
    previous = spark.catalog.currentCatalog()
    previous_db = spark.catalog.currentDatabase()
    try:
        views = lake_views(ns.lake)
        tables = list(views)
        if use_iceberg_catalog(spark, ns.lake, views):  # dea_etl.orders.snapshots, dea_etl.orders.history, ...
            tables += iceberg_metadata_tables(ns.lake, views)
        df = run_sql(spark, ns.query, tables, named_views(spark, ns.lake, views))
        rows = df.collect()
    except InvalidSqlError as exc:
        error(str(exc))
        return 1
    except UnsafeSqlError as exc:
        error(f"refused: {exc}")
        return 1
    except Exception as exc:
        error(spark_error(exc))
        return 1
    finally:
        spark.catalog.setCurrentCatalog(previous)
        spark.catalog.setCurrentDatabase(previous_db)
        if created:
            spark.stop()
    print_rows(rows, df.columns, ns.output_format)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("sql", help="run a SQL query over a lake's tables and marts (a folder or s3://BUCKET)")
    p.add_argument("query", help="the SELECT to run (Spark SQL; the lake's tables and marts by name)")
    p.add_argument("--lake", default="lake",
                   help="the lake whose processedData/ is queried: a folder or s3://BUCKET[/PREFIX] (default: lake)")
    p.add_argument("--output-format", choices=["table", "json"], default="table",
                   help="how the result is printed: a table, or one JSON object per row")
    p.add_argument("--skip-sql-check", action="store_true",
                   help="leave the query to Spark alone: no syntax and table check before Spark starts (for valid "
                        "Spark SQL the check's parser, sqlglot, does not know)")
    p.set_defaults(handler=_sql)
