"""Athena ``CREATE EXTERNAL TABLE`` statements for the lake's tables, with partition projection.

With partition projection Athena computes a table's partitions from the ``TBLPROPERTIES`` (integer
ranges for ``year`` and ``month``, and the folder template), so no ``MSCK REPAIR TABLE`` or partition
registration is needed when a month is added.
"""

from __future__ import annotations

from dataclasses import dataclass

from dea_etl.catalog.tables import CatalogTable


@dataclass(frozen=True)
class ProjectionRanges:
    """The integer range Athena projects for each partition key (``projection.<key>.range``)."""

    year: tuple[int, int] = (2011, 2030)
    month: tuple[int, int] = (1, 12)
    day: tuple[int, int] = (1, 31)

    def of(self, key: str) -> tuple[int, int]:
        return getattr(self, key)  # type: ignore[no-any-return]


def _quoted(name: str) -> str:
    return f"`{name}`"


def _properties(table: CatalogTable, location: str, ranges: ProjectionRanges) -> list[tuple[str, str]]:
    props = [("classification", "parquet"), ("parquet.compression", "SNAPPY")]
    if table.partition_keys:
        props.append(("projection.enabled", "true"))
        for key, _ in table.partition_keys:
            low, high = ranges.of(key)
            props += [(f"projection.{key}.type", "integer"), (f"projection.{key}.range", f"{low},{high}")]
        template = "/".join(f"{k}=${{{k}}}" for k, _ in table.partition_keys)
        props.append(("storage.location.template", f"{location}{template}/"))
    return props


def create_table_ddl(
    table: CatalogTable,
    processed_root: str,
    database: str | None = None,
    ranges: ProjectionRanges | None = None,
) -> str:
    """One ``CREATE EXTERNAL TABLE IF NOT EXISTS`` statement (Athena's Hive DDL), ending with ``;``."""
    ranges = ranges or ProjectionRanges()
    location = table.location(processed_root)
    name = f"{_quoted(database)}.{_quoted(table.name)}" if database else _quoted(table.name)
    lines = [f"CREATE EXTERNAL TABLE IF NOT EXISTS {name} ("]
    lines.append(",\n".join(f"  {_quoted(n)} {t}" for n, t in table.columns))
    lines.append(")")
    if table.partition_keys:
        lines.append(
            "PARTITIONED BY (" + ", ".join(f"{_quoted(n)} {t}" for n, t in table.partition_keys) + ")"
        )
    lines.append("STORED AS PARQUET")
    lines.append(f"LOCATION '{location}'")
    props = _properties(table, location, ranges)
    lines.append("TBLPROPERTIES (\n" + ",\n".join(f"  '{k}'='{v}'" for k, v in props) + "\n);")
    return "\n".join(lines)


def create_iceberg_table_ddl(table: CatalogTable, processed_root: str, database: str | None = None) -> str:
    """Athena's ``CREATE TABLE ... TBLPROPERTIES ('table_type'='ICEBERG')`` for the table (partition columns
    among the columns, identity-partitioned by them), ending with ``;``.

    Athena creates the table (in the Glue Data Catalog, at the table's folder); the jobs then write to it
    through the ``glue_catalog`` Spark catalog (``--table-format iceberg`` on AWS).
    """
    location = table.table_folder(processed_root)
    name = f"{_quoted(database)}.{_quoted(table.name)}" if database else _quoted(table.name)
    columns = [*table.columns, *table.partition_keys]
    lines = [f"CREATE TABLE IF NOT EXISTS {name} ("]
    lines.append(",\n".join(f"  {_quoted(n)} {t}" for n, t in columns))
    lines.append(")")
    if table.partition_keys:
        lines.append("PARTITIONED BY (" + ", ".join(_quoted(n) for n, _ in table.partition_keys) + ")")
    lines.append(f"LOCATION '{location}'")
    props = [("table_type", "ICEBERG"), ("format", "parquet"), ("write_compression", "snappy")]
    lines.append("TBLPROPERTIES (\n" + ",\n".join(f"  '{k}'='{v}'" for k, v in props) + "\n);")
    return "\n".join(lines)
