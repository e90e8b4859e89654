"""The catalog's view of the lake's tables, derived from the schema modules (one source of truth).

Every table of :func:`dea_etl.tables.lake_tables` (seed tables and marts), and a user's table files, becomes
a :class:`CatalogTable`: data columns and partition keys with their Hive/Glue type names, and its folder
under ``processedData/``. So do the data-quality tables under ``processedData/_dq/``
(:func:`dea_etl.catalog.dq.dq_tables`): the metric history ``dq_metrics`` and, for every table with a
ruleset, its outcomes ``<table>_dq_outcomes`` and quarantined rows ``<table>_dq_quarantine``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyspark.sql.types import StructType

from dea_etl.errors import UnknownTableError
from dea_etl.io.discover import view_name
from dea_etl.io.lake import processed_root
from dea_etl.tables import is_table_file, lake_tables, source_table

__all__ = ["CatalogTable", "catalog_table", "catalog_tables", "processed_root", "view_name"]


@dataclass(frozen=True)
class CatalogTable:
    name: str
    columns: tuple[tuple[str, str], ...]
    partition_keys: tuple[tuple[str, str], ...]
    schema: StructType
    description: str = ""
    #: the folder under processedData/ when it is not the table's name (``_dq/orders/outcomes``)
    folder: str | None = None

    def table_folder(self, processed_root: str) -> str:
        """The table's folder (with a trailing slash, as Glue and Athena write it)."""
        return f"{processed_root.rstrip('/')}/{self.folder or self.name}/"

    def location(self, processed_root: str) -> str:
        """Where the catalog points the table: its folder (plain Hive layout)."""
        return self.table_folder(processed_root)


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
