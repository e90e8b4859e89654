"""``dea-etl table ...``: a lake's tables over time.

- ``history`` / ``rollback``: an Iceberg table's snapshots, and moving ``main`` back to one;
- ``compact`` / ``expire-snapshots`` / ``remove-orphans``: Iceberg's own maintenance procedures
  (``rewrite_data_files``, ``expire_snapshots``, ``remove_orphan_files``); ``remove-orphans`` on a plain
  Parquet table removes what killed writes leave beside the data (``_temporary/``, ``__magic*/``, open
  multipart uploads);
- ``remove-run``: a plain Parquet table without the files of one run (a killed append's);
- ``convert``: every table of the lake rewritten in the other format, or out of dea-etl 0.1's manifest
  format (the one way to change a lake's format, see ``--table-format``).

A table is named as in the lake (``orders``, ``customer_sales``, ``_dq/orders/outcomes``, a user's own) and
found under ``--lake``'s processedData/; the maintenance commands take every table of the lake when
``--table`` is not given. The name, the table's presence in the lake, its format and ``--to`` are checked
before Spark starts.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable
from typing import Any

from dea_etl.cli.output import error, note, print_rows

#: A table under processedData/: names of letters, digits and _ (no "..", no absolute path).
_TABLE_NAME = re.compile(r"[A-Za-z0-9_]+(/[A-Za-z0-9_]+)*")
#: ``--to previous``: the snapshot main was at before its current one.
PREVIOUS = "previous"
_DURATION = re.compile(r"(\d+)\s*([smhd])")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration_ms(text: str) -> int:
    """``7d``, ``12h``, ``30m``, ``45s`` in milliseconds (an argparse type)."""
    found = _DURATION.fullmatch(text.strip())
    if not found:
        raise argparse.ArgumentTypeError(f"expected a duration like 7d, 12h, 30m or 45s, found {text!r}")
    return int(found.group(1)) * _SECONDS[found.group(2)] * 1000


def _snapshot(text: str) -> int | str:
    """``--to``: a snapshot id, or ``previous``."""
    if text == PREVIOUS:
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a snapshot id (a number, see table history) or {PREVIOUS}, "
                                         f"found {text!r}") from None


def _table_path(lake: str, table: str) -> str:
    from dea_etl.errors import JobArgumentError
    from dea_etl.io.lake import processed_root

    if not _TABLE_NAME.fullmatch(table):
        raise JobArgumentError(f"--table: expected a table name under processedData/ like orders or "
                               f"_dq/orders/outcomes, found {table!r}")
    return f"{processed_root(lake)}/{table}"


def _tables(ns: argparse.Namespace, fmt: str | None = None) -> list[tuple[str, str, str]]:
    """(name, path, format) of ``--table`` or of every table of the lake (of format ``fmt``), found without
    a JVM; :class:`~dea_etl.errors.DeaEtlError` (one line) for a name the lake does not hold."""
    from dea_etl.errors import InputError, UnknownTableError
    from dea_etl.io.discover import folder_format, lake_tables
    from dea_etl.io.lake import processed_root
    from dea_etl.io.legacy import refuse_legacy

    if getattr(ns, "table", None):
        path = _table_path(ns.lake, ns.table)
        refuse_legacy(path)
        found = folder_format(path)
        if found is None:
            have = ", ".join(lake_tables(ns.lake)) or "none: run the pipeline first (make run)"
            raise UnknownTableError(f"no table {ns.table!r} in {processed_root(ns.lake)}; its tables: {have}")
        tables = [(ns.table, path, found)]
    else:
        tables = [(name, f"{processed_root(ns.lake)}/{name}", f) for name, f in lake_tables(ns.lake).items()]
    if fmt and getattr(ns, "table", None) and tables[0][2] != fmt:
        raise InputError(f"{tables[0][1]} is a {tables[0][2]} table, not an {fmt} table")
    return [t for t in tables if fmt is None or t[2] == fmt]


def _checked(ns: argparse.Namespace, fmt: str | None = None) -> list[tuple[str, str, str]] | int:
    """:func:`_tables`, or the exit code after one line saying what is wrong (before any JVM starts)."""
    from dea_etl.errors import DeaEtlError

    try:
        return _tables(ns, fmt)
    except DeaEtlError as exc:
        error(f"table {ns.table_command}: {exc}")
        return exc.exit_code


def _with_spark(ns: argparse.Namespace, action: Callable[[Any], int]) -> int:
    from dea_etl.pipelines.checks import short_lake
    from dea_etl.runtime import get_spark

    spark, created = get_spark("dea-etl-table", short_run=short_lake({"lake": ns.lake}))
    try:
        return action(spark)
    except Exception as exc:
        error(f"table {ns.table_command}: {' '.join(str(exc).split())}")
        return 1
    finally:
        if created:
            spark.stop()


def _history(ns: argparse.Namespace) -> int:
    tables = _checked(ns, "iceberg")
    if isinstance(tables, int):
        return tables
    from dea_etl.io.iceberg import history

    def run(spark: Any) -> int:
        (_, path, _), = tables
        df = history(spark, path)
        print_rows(df.collect(), df.columns, ns.output_format, null="")
        return 0

    return _with_spark(ns, run)


def _rollback(ns: argparse.Namespace) -> int:
    tables = _checked(ns, "iceberg")
    if isinstance(tables, int):
        return tables
    from dea_etl.io.iceberg import history, rollback

    def run(spark: Any) -> int:
        (_, path, _), = tables
        to = _previous(history(spark, path).collect(), ns.table) if ns.to == PREVIOUS else int(ns.to)
        before = rollback(spark, path, to)
        note(f"{ns.table}: main moved from snapshot {before} back to {to}")
        return 0

    return _with_spark(ns, run)


def _previous(rows: list[Any], table: str) -> int:
    """The parent of main's current snapshot."""
    current = [r for r in rows if r["is_current"]]
    if not current or current[0]["parent_id"] is None:
        raise ValueError(f"{table}: main has no snapshot before its current one")
    return int(current[0]["parent_id"])


def _compact(ns: argparse.Namespace) -> int:
    tables = _checked(ns, "iceberg")
    if isinstance(tables, int):
        return tables
    from dea_etl.io.iceberg import compact

    def run(spark: Any) -> int:
        for name, path, _ in tables:
            done = compact(spark, path)
            note(f"{name}: {done['rewritten_data_files']} data files rewritten into {done['added_data_files']}")
        return 0

    return _with_spark(ns, run)


def _expire(ns: argparse.Namespace) -> int:
    tables = _checked(ns, "iceberg")
    if isinstance(tables, int):
        return tables
    from dea_etl.io.iceberg import expire_snapshots

    def run(spark: Any) -> int:
        before = int(time.time() * 1000) - ns.older_than
        for name, path, _ in tables:
            done = expire_snapshots(spark, path, before, ns.retain_last)
            deleted = sum(v for k, v in done.items() if k.startswith("deleted"))
            note(f"{name}: snapshots older than {ns.older_than // 1000} s beyond the last {ns.retain_last} "
                 f"expired; {deleted} files deleted")
        return 0

    return _with_spark(ns, run)


def _remove_orphans(ns: argparse.Namespace) -> int:
    tables = _checked(ns)
    if isinstance(tables, int):
        return tables
    from dea_etl.io.parquet import remove_leftovers

    for name, path, fmt in tables:
        if fmt == "parquet":
            removed = remove_leftovers(path, ns.older_than)
            note(f"{name}: {len(removed)} leftovers of killed writes removed")
    iceberg = [t for t in tables if t[2] == "iceberg"]
    if not iceberg:
        return 0
    from dea_etl.io.iceberg import remove_orphan_files

    def run(spark: Any) -> int:
        before = int(time.time() * 1000) - ns.older_than
        for name, path, _ in iceberg:
            removed = remove_orphan_files(spark, path, before)
            note(f"{name}: {len(removed)} orphan files removed")
        return 0

    return _with_spark(ns, run)


def _remove_run(ns: argparse.Namespace) -> int:
    from dea_etl.io.parquet import remove_run, write_token

    tables = _checked(ns, "parquet")
    if isinstance(tables, int):
        return tables
    try:
        (name, path, _), = tables
        removed = remove_run(path, write_token(ns.run))
    except Exception as exc:
        error(f"table remove-run: {' '.join(str(exc).split())}")
        return 1
    note(f"{name}: {len(removed)} files of run {ns.run} removed")
    return 0


def _convert(ns: argparse.Namespace) -> int:
    from dea_etl.pipelines.convert_lake import convert_lake

    def run(spark: Any) -> int:
        for line in convert_lake(spark, ns.lake, ns.to):
            note(line)
        return 0

    return _with_spark(ns, run)


def _lake_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lake", default="lake",
                   help="the lake whose processedData/ holds the table: a folder or s3://BUCKET[/PREFIX] (default: lake)")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("table", help="a lake's tables over time: history, rollback, maintenance, conversion")
    tsub = p.add_subparsers(dest="table_command", required=True, metavar="COMMAND")
    h = tsub.add_parser("history", help="an Iceberg table's snapshots: operation, run id, rows, main's path")
    r = tsub.add_parser("rollback", help="move an Iceberg table's main branch back to one of its snapshots")
    r.add_argument("--to", required=True, type=_snapshot, metavar="SNAPSHOT_ID",
                   help=f"the snapshot main moves back to (one of its ancestors; see table history), or {PREVIOUS}: "
                        "the one before main's current snapshot")
    for q in (h, r):
        q.add_argument("--table", required=True, help="orders, customer_sales, _dq/orders/outcomes, ...")
        _lake_arg(q)
    h.add_argument("--output-format", choices=["table", "json"], default="table",
                   help="how the history is printed: a table, or one JSON object per row")
    h.set_defaults(handler=_history)
    r.set_defaults(handler=_rollback)

    c = tsub.add_parser("compact", help="rewrite an Iceberg table's small files into ~128 MB ones (one commit)")
    e = tsub.add_parser("expire-snapshots", help="forget an Iceberg table's old snapshots and the files only they use")
    e.add_argument("--older-than", type=duration_ms, default="7d",
                   help="expire snapshots older than this: 7d, 12h, 30m (default 7d: rollback reaches back a week)")
    e.add_argument("--retain-last", type=int, default=10, help="always keep main's newest N snapshots (default 10)")
    o = tsub.add_parser("remove-orphans", help="delete files no snapshot uses (Iceberg) or leftovers of killed "
                                               "writes (Parquet: _temporary/, __magic*/, open multipart uploads)")
    o.add_argument("--older-than", type=duration_ms, default="3d",
                   help="only files older than this: 3d, 12h (default 3d: a write still running is younger)")
    for q in (c, e, o):
        q.add_argument("--table", default=None, help="one table (default: every table of the lake)")
        _lake_arg(q)
    c.set_defaults(handler=_compact)
    e.set_defaults(handler=_expire)
    o.set_defaults(handler=_remove_orphans)

    rr = tsub.add_parser("remove-run", help="delete the files one run wrote into a plain Parquet table (a killed "
                                            "append's: rerun it afterwards)")
    rr.add_argument("--table", required=True, help="orders, customer_sales, _dq/orders/outcomes, ...")
    rr.add_argument("--run", required=True, help="the run id (in the files' names: part-00000-<run>-w...)")
    _lake_arg(rr)
    rr.set_defaults(handler=_remove_run)

    cv = tsub.add_parser("convert", help="rewrite every table of the lake as plain Parquet or as Iceberg (also "
                                         "lakes written by dea-etl 0.1 in its manifest format)")
    cv.add_argument("--to", required=True, choices=["parquet", "iceberg"], help="the lake's new format")
    _lake_arg(cv)
    cv.set_defaults(handler=_convert)
