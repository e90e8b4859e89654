"""``dea-etl table history|rollback``: an Iceberg table's snapshots, and moving ``main`` back to one.

The table is named as in the lake (``orders``, ``customer_sales``, ``_dq/orders/outcomes``) and found
under ``--lake``'s processedData/, in the lake's own catalog. The name, the table's presence in the lake and
``--to`` are checked before Spark starts.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from dea_etl.cli.output import error, note, print_rows

#: A table under processedData/: names of letters, digits and _ (no "..", no absolute path).
_TABLE_NAME = re.compile(r"[A-Za-z0-9_]+(/[A-Za-z0-9_]+)*")
#: ``--to previous``: the snapshot main was at before its current one.
PREVIOUS = "previous"


def _snapshot(text: str) -> int | str:
    """``--to``: a snapshot id, or ``previous``."""
    if text == PREVIOUS:
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a snapshot id (a number, see table history) or {PREVIOUS}, "
                                         f"found {text!r}") from None


def _table_path(ns: argparse.Namespace) -> str:
    """The table's folder; :class:`~dea_etl.errors.DeaEtlError` when the name is not one of the lake's tables."""
    from dea_etl.errors import JobArgumentError
    from dea_etl.preflight import check_lake_table, processed_root

    if not _TABLE_NAME.fullmatch(ns.table):
        raise JobArgumentError(f"--table: expected a table name under processedData/ like orders or "
                               f"_dq/orders/outcomes, found {ns.table!r}")
    check_lake_table(ns.lake, ns.table)
    return f"{processed_root(ns.lake)}/{ns.table}"


def _previous(rows: list[Any], table: str) -> int:
    """The parent of main's current snapshot."""
    current = [r for r in rows if r["is_current"]]
    if not current or current[0]["parent_id"] is None:
        raise ValueError(f"{table}: main has no snapshot before its current one")
    return int(current[0]["parent_id"])


def _with_table(ns: argparse.Namespace, action: str) -> int:
    from dea_etl.errors import DeaEtlError

    try:
        path = _table_path(ns)
    except DeaEtlError as exc:
        error(f"table {action}: {exc}")
        return exc.exit_code
    from dea_etl.io.iceberg import history, is_iceberg_table, rollback
    from dea_etl.runtime import get_spark

    spark, created = get_spark("dea-etl-table")
    spark.sparkContext.setLogLevel("ERROR")
    try:
        if not is_iceberg_table(spark, path):
            raise ValueError(f"no Iceberg table at {path}")
        if action == "rollback":
            to = _previous(history(spark, path).collect(), ns.table) if ns.to == PREVIOUS else int(ns.to)
            before = rollback(spark, path, to)
            note(f"{ns.table}: main moved from snapshot {before} back to {to}")
            return 0
        df = history(spark, path)
        rows = df.collect()
    except Exception as exc:
        error(f"table {action}: {' '.join(str(exc).split())}")
        return 1
    finally:
        if created:
            spark.stop()
    print_rows(rows, df.columns, ns.output_format, null="")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("table", help="an Iceberg table's snapshot history, and rollback")
    tsub = p.add_subparsers(dest="table_command", required=True, metavar="COMMAND")
    h = tsub.add_parser("history", help="the table's snapshots: operation, run id, rows, main's path")
    r = tsub.add_parser("rollback", help="move the table's main branch back to one of its snapshots")
    r.add_argument("--to", required=True, type=_snapshot, metavar="SNAPSHOT_ID",
                   help=f"the snapshot main moves back to (one of its ancestors; see table history), or {PREVIOUS}: "
                        "the one before main's current snapshot")
    for q in (h, r):
        q.add_argument("--table", required=True, help="orders, customer_sales, _dq/orders/outcomes, ...")
        q.add_argument("--lake", default="lake",
                       help="the lake whose processedData/ holds the table: a folder or s3://BUCKET[/PREFIX] (default: lake)")
    h.add_argument("--output-format", choices=["table", "json"], default="table",
                   help="how the history is printed: a table, or one JSON object per row")
    h.set_defaults(handler=lambda ns: _with_table(ns, "history"))
    r.set_defaults(handler=lambda ns: _with_table(ns, "rollback"))
