"""The catalog's view of the lake's tables, derived from the schema modules (one source of truth).

Every table of :func:`dea_etl.tables.lake_tables` (seed tables and marts), and a user's table files, becomes
a :class:`CatalogTable`: data columns and partition keys with their Hive/Glue type names, and its folder
under ``processedData/``. So do the data-quality tables under ``processedData/_dq/``
(:func:`dea_etl.catalog.dq.dq_tables`): the metric history ``dq_metrics`` and, for every table with a
ruleset, its outcomes ``<table>_dq_outcomes`` and quarantined rows ``<table>_dq_quarantine``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from pyspark.sql.types import StructType

from dea_etl.errors import UnknownTableError
from dea_etl.io.lake import PROCESSED
from dea_etl.io.manifest import RUN_COLUMN, RUNS
from dea_etl.tables import is_table_file, lake_tables, source_table


@dataclass(frozen=True)
class CatalogTable:
    name: str
    columns: tuple[tuple[str, str], ...]
    partition_keys: tuple[tuple[str, str], ...]
    schema: StructType
    description: str = ""
    #: the folder under processedData/ when it is not the table's name (``_dq/orders/outcomes``)
    folder: str | None = None
    #: Published by manifest (dea-etl's own writes): the catalog's partitions are the manifest's slices.
    by_manifest: bool = False

    def table_folder(self, processed_root: str) -> str:
        """The table's folder (with a trailing slash, as Glue and Athena write it)."""
        return f"{processed_root.rstrip('/')}/{self.folder or self.name}/"

    def location(self, processed_root: str) -> str:
        """Where the catalog points the table: its folder, or (by manifest) its runs' folder."""
        return self.table_folder(processed_root) + (f"{RUNS}/" if self.by_manifest else "")

    def on_runs(self) -> CatalogTable:
        """The table as published by manifest: ``dea_run`` (the run's prefix) is its first partition key, so
        that each partition, one (run, partition) slice of the manifest, sits at its own prefix."""
        keys = ((RUN_COLUMN, "string"), *self.partition_keys)
        return replace(self, partition_keys=keys, by_manifest=True)


def catalog_table(
    name: str, schema: StructType, partition_by: Iterable[str], description: str, folder: str | None = None
) -> CatalogTable:
    keys = tuple(partition_by)
    typed = [(f.name, f.dataType.simpleString()) for f in schema.fields]
    return CatalogTable(
        name=name,
        columns=tuple(c for c in typed if c[0] not in keys),
        partition_keys=tuple(c for c in typed if c[0] in keys),
        schema=schema,
        description=description,
        folder=folder,
    )


def catalog_tables(names: Iterable[str] | None = None) -> list[CatalogTable]:
    """The processed tables, marts and data-quality tables (all, or those named; a name may be a table
    file), in a stable order."""
    from dea_etl.catalog.dq import dq_tables

    tables = [
        catalog_table(t.name, t.schema, t.partition_by, t.description or f"processed {t.name} (dea-etl)")
        for t in lake_tables().values()
    ] + dq_tables()
    if names is None:
        return tables
    wanted = list(names)
    for ref in [n for n in wanted if is_table_file(n)]:
        spec = source_table(ref)
        tables.append(catalog_table(spec.name, spec.schema, spec.partition_by, spec.description))
        wanted[wanted.index(ref)] = spec.name
    known = {t.name for t in tables}
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise UnknownTableError(f"unknown tables {unknown}; known: {sorted(known)}")
    return [t for t in tables if t.name in wanted]


def processed_root(lake: str) -> str:
    """``lake`` if it already ends in processedData/, else its processedData/ folder."""
    lake = lake.rstrip("/")
    return lake if lake.rsplit("/", 1)[-1] == PROCESSED else f"{lake}/{PROCESSED}"
