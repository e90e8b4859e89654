"""The catalog's view of the lake's tables, derived from the schema modules (one source of truth).

Every processed seed table (:mod:`dea_etl.schemas`) and every mart (:mod:`dea_etl.mart_schemas`) becomes a
:class:`CatalogTable`: data columns and partition keys with their Hive/Glue type names, and its folder
under ``processedData/``. So do the data-quality tables under ``processedData/_dq/``
(:func:`dea_etl.catalog.dq.dq_tables`): the metric history ``dq_metrics`` and, for every table with a
ruleset, its outcomes ``<table>_dq_outcomes`` and quarantined rows ``<table>_dq_quarantine``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyspark.sql.types import StructType

from dea_etl.io.lake import PROCESSED
from dea_etl.mart_schemas import MARTS
from dea_etl.schemas import TABLES


@dataclass(frozen=True)
class CatalogTable:
    name: str
    columns: tuple[tuple[str, str], ...]
    partition_keys: tuple[tuple[str, str], ...]
    schema: StructType
    description: str = ""
    #: the folder under processedData/ when it is not the table's name (``_dq/orders/outcomes``)
    folder: str | None = None

    def location(self, processed_root: str) -> str:
        """The table's folder (with a trailing slash, as Glue and Athena write it)."""
        return f"{processed_root.rstrip('/')}/{self.folder or self.name}/"


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
    """The processed tables, marts and data-quality tables (all, or those named), in a stable order."""
    from dea_etl.catalog.dq import dq_tables

    tables = [
        catalog_table(t.name, t.processed_schema, t.partition_by, f"processed {t.name} (dea-etl)")
        for t in TABLES.values()
    ] + [catalog_table(m.name, m.schema, m.partition_by, m.description) for m in MARTS.values()] + dq_tables()
    if names is None:
        return tables
    wanted = list(names)
    known = {t.name for t in tables}
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise KeyError(f"unknown tables {unknown}; known: {sorted(known)}")
    return [t for t in tables if t.name in wanted]


def processed_root(lake: str) -> str:
    """``lake`` if it already ends in processedData/, else its processedData/ folder."""
    lake = lake.rstrip("/")
    return lake if lake.rsplit("/", 1)[-1] == PROCESSED else f"{lake}/{PROCESSED}"
