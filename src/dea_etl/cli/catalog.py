"""``dea-etl catalog register ...`` (Glue Data Catalog) and ``dea-etl catalog ddl ...`` (Athena DDL, Parquet
or Iceberg tables)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console

from dea_etl.cli.output import error, note


def _tables(ns: argparse.Namespace) -> Any:
    from dea_etl.catalog import catalog_tables

    names = [t.strip() for t in (ns.tables or "").split(",") if t.strip()]
    return catalog_tables(names or None)


def _root(lake: str) -> str:
    """The processedData/ root; a local folder as an absolute file: URI (the catalog needs full paths),
    ``s3a://`` and ``s3n://`` as ``s3://``."""
    from dea_etl.catalog import processed_root

    root = processed_root(lake)
    if root.startswith(("s3a://", "s3n://")):  # Hadoop's names for S3; Glue and Athena know s3:// only
        return "s3://" + root.split("://", 1)[1]
    return root if "://" in root else Path(root).resolve().as_uri()


def _given(values: list[str], keys: tuple[str, ...]) -> list[tuple[str, ...]]:
    """``--partition year=2014/month=5`` values for a table with these keys (others ignored)."""
    out = []
    for text in values:
        pairs = dict(p.split("=", 1) for p in text.strip("/").split("/") if "=" in p)
        if tuple(pairs) == keys:
            out.append(tuple(pairs[k] for k in keys))
    return out


def _as_written(tables: list[Any], root: str) -> list[Any]:
    """Each table as it is in the lake: published by manifest (its slices are its partitions) or a plain folder."""
    from dea_etl.io import manifest

    return [t.on_runs() if manifest.latest(t.table_folder(root)) else t for t in tables]


def _slices(table: Any, root: str) -> list[tuple[str, ...]]:
    from dea_etl.io import manifest

    current = manifest.latest(table.table_folder(root))
    return [s.values() for s in current.slices] if current else []


def _register(ns: argparse.Namespace) -> int:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from dea_etl.catalog import local_partitions, register_tables, s3_partitions
    from dea_etl.errors import DeaEtlError

    try:
        root = _root(ns.lake)
        # --partition names the partitions of plain folders: nothing is read from the lake
        tables = _tables(ns) if ns.partition else _as_written(_tables(ns), root)
        s3 = boto3.client("s3", region_name=ns.region) if root.startswith("s3://") else None

        def partitions_of(table: Any) -> list[tuple[str, ...]]:
            keys = tuple(n for n, _ in table.partition_keys)
            if table.by_manifest:
                return _slices(table, root)
            if ns.partition:
                return _given(ns.partition, keys)
            if s3 is not None:
                return s3_partitions(s3, table.location(root), keys)
            return local_partitions(table.location(root).removeprefix("file://"), keys)

        glue = boto3.client("glue", region_name=ns.region)
        result = register_tables(glue, ns.database, root, tables, partitions_of)
    except (KeyError, DeaEtlError, BotoCoreError, ClientError) as exc:
        error(f"catalog register: {str(exc).strip(chr(34) + chr(39))}")
        return 1
    out = Console(soft_wrap=True)
    if result.database_created:
        out.print(f"database {ns.database}: created", highlight=False)
    for label, names in (
        ("created", result.tables_created),
        ("updated", result.tables_updated),
        ("unchanged", result.tables_unchanged),
    ):
        for name in names:
            added = result.partitions_added.get(name)
            extra = f", {added} partitions added" if added is not None else ""
            removed = result.partitions_removed.get(name)
            extra += f", {removed} removed" if removed else ""
            out.print(f"{ns.database}.{name}: {label}{extra}", highlight=False)
    return 0


def _read_lake(tables: list[Any], root: str) -> tuple[list[Any], dict[str, list[tuple[str, ...]]]]:
    """The tables as written in the lake, and the slices of those published by manifest. An S3 lake that
    cannot be read (no credentials, no access) gives the tables as plain folders, with a note."""
    from botocore.exceptions import BotoCoreError, ClientError

    from dea_etl.errors import first_line

    try:
        written = _as_written(tables, root)
        return written, {t.name: _slices(t, root) for t in written if t.by_manifest}
    except (BotoCoreError, ClientError) as exc:
        if not root.startswith("s3://"):
            raise
        note(f"cannot read {root} ({first_line(exc)}): the DDL is for plain Parquet folders with partition "
             "projection; with AWS credentials, a table dea-etl published gets its manifest's partitions")
        return tables, {}


def _ddl(ns: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from dea_etl.catalog import ProjectionRanges, create_table_ddl
    from dea_etl.catalog.athena import add_partitions_ddl, create_iceberg_table_ddl
    from dea_etl.errors import DeaEtlError

    try:
        low, high = (int(y) for y in ns.year_range.split(","))
        root = _root(ns.lake)
        tables, slices = _read_lake(_tables(ns), root)
    except (KeyError, ValueError) as exc:
        error(f"catalog ddl: {exc}")
        return 2
    except (DeaEtlError, BotoCoreError, ClientError) as exc:
        error(f"catalog ddl: {exc}")
        return 1
    statements = [f"CREATE DATABASE IF NOT EXISTS `{ns.database}`;"] if ns.database else []
    if ns.table_format == "iceberg":
        statements += [create_iceberg_table_ddl(t, root, ns.database) for t in tables]
    else:
        for t in tables:
            statements.append(create_table_ddl(t, root, ns.database, ProjectionRanges(year=(low, high))))
            added = add_partitions_ddl(t, root, slices.get(t.name, []), ns.database)
            statements += [added] if added else []
    print("\n\n".join(statements))
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("catalog", help="Glue Data Catalog tables and Athena DDL for the lake")
    csub = p.add_subparsers(dest="catalog_command", required=True, metavar="COMMAND")

    r = csub.add_parser("register", help="create/update the Glue database, tables and partitions")
    r.add_argument("--database", required=True, help="the Glue database (created when missing)")
    r.add_argument(
        "--lake", required=True, help="s3://BUCKET/processedData/ (or a lake root, or a local folder)"
    )
    r.add_argument("--region", default=None, help="AWS region (default: the SDK's)")
    r.add_argument("--tables", default="", help="comma-separated tables or table files (.json) (default: all)")
    r.add_argument(
        "--partition",
        action="append",
        default=[],
        help="year=YYYY/month=M to add instead of listing the lake (repeatable; plain Parquet folders)",
    )
    r.set_defaults(handler=_register)

    d = csub.add_parser("ddl", help="print Athena CREATE EXTERNAL TABLE statements (partition projection; a "
                                    "table published by manifest: its newest version's slices as partitions)")
    d.add_argument("--lake", required=True, help="s3://BUCKET/processedData/ (or a lake root)")
    d.add_argument("--database", default=None, help="the database the tables go in (and a CREATE DATABASE)")
    d.add_argument("--tables", default="", help="comma-separated tables (default: all)")
    d.add_argument("--year-range", default="2011,2030", help="projected years: FIRST,LAST")
    d.add_argument("--table-format", choices=["parquet", "iceberg"], default="parquet",
                   help="parquet: external tables with partition projection; iceberg: Athena Iceberg tables")
    d.set_defaults(handler=_ddl)
