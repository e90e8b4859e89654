"""Register the lake's tables in the Glue Data Catalog with boto3, idempotently.

The database is created when missing; each table is created, or updated when its definition changed
(columns, partition keys, location, SerDe), or left alone; partitions not yet in the catalog are added
with ``BatchCreatePartition``, 100 per call (the API's limit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dea_etl.catalog.partitions import Partition, partition_path
from dea_etl.catalog.tables import CatalogTable
from dea_etl.errors import OutputError

PARQUET_INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
BATCH_CREATE_PARTITION_MAX = 100


@dataclass
class RegisterResult:
    database_created: bool = False
    tables_created: list[str] = field(default_factory=list)
    tables_updated: list[str] = field(default_factory=list)
    tables_unchanged: list[str] = field(default_factory=list)
    partitions_added: dict[str, int] = field(default_factory=dict)


def storage_descriptor(columns: Iterable[tuple[str, str]], location: str) -> dict[str, Any]:
    return {
        "Columns": [{"Name": n, "Type": t} for n, t in columns],
        "Location": location,
        "InputFormat": PARQUET_INPUT_FORMAT,
        "OutputFormat": PARQUET_OUTPUT_FORMAT,
        "Compressed": True,
        "SerdeInfo": {"SerializationLibrary": PARQUET_SERDE, "Parameters": {"serialization.format": "1"}},
    }


def table_input(table: CatalogTable, processed_root: str) -> dict[str, Any]:
    """Glue's ``TableInput`` for a table: an external Parquet table at its folder."""
    return {
        "Name": table.name,
        "Description": table.description,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE", "parquet.compression": "SNAPPY"},
        "PartitionKeys": [{"Name": n, "Type": t} for n, t in table.partition_keys],
        "StorageDescriptor": storage_descriptor(table.columns, table.location(processed_root)),
    }


def _same_definition(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    sd, wsd = current.get("StorageDescriptor", {}), wanted["StorageDescriptor"]

    def cols(items: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
        return [(c["Name"], c["Type"]) for c in items]

    return (
        cols(sd.get("Columns", [])) == cols(wsd["Columns"])
        and cols(current.get("PartitionKeys", [])) == cols(wanted["PartitionKeys"])
        and sd.get("Location") == wsd["Location"]
        and sd.get("SerdeInfo", {}).get("SerializationLibrary") == PARQUET_SERDE
        and sd.get("InputFormat") == PARQUET_INPUT_FORMAT
    )


def ensure_database(glue: Any, database: str) -> bool:
    """Create the database when missing; True when it was created."""
    try:
        glue.get_database(Name=database)
        return False
    except glue.exceptions.EntityNotFoundException:
        glue.create_database(DatabaseInput={"Name": database, "Description": "dea-etl lake tables"})
        return True


def ensure_table(glue: Any, database: str, wanted: dict[str, Any]) -> str:
    """Create or update a table; returns "created", "updated" or "unchanged"."""
    try:
        current = glue.get_table(DatabaseName=database, Name=wanted["Name"])["Table"]
    except glue.exceptions.EntityNotFoundException:
        glue.create_table(DatabaseName=database, TableInput=wanted)
        return "created"
    if _same_definition(current, wanted):
        return "unchanged"
    glue.update_table(DatabaseName=database, TableInput=wanted)
    return "updated"


def existing_partitions(glue: Any, database: str, table: str) -> set[Partition]:
    pages = glue.get_paginator("get_partitions").paginate(DatabaseName=database, TableName=table)
    return {tuple(p["Values"]) for page in pages for p in page.get("Partitions", [])}


def add_partitions(
    glue: Any, database: str, table: CatalogTable, processed_root: str, partitions: Iterable[Partition]
) -> int:
    """Add the partitions the catalog does not hold yet, in batches of 100; returns how many were added."""
    keys = tuple(n for n, _ in table.partition_keys)
    new = sorted(set(partitions) - existing_partitions(glue, database, table.name))
    location = table.location(processed_root)
    for start in range(0, len(new), BATCH_CREATE_PARTITION_MAX):
        batch = [
            {
                "Values": list(v),
                "StorageDescriptor": storage_descriptor(table.columns, partition_path(location, keys, v)),
            }
            for v in new[start : start + BATCH_CREATE_PARTITION_MAX]
        ]
        errors = glue.batch_create_partition(
            DatabaseName=database, TableName=table.name, PartitionInputList=batch
        ).get("Errors", [])
        real = [e for e in errors if e.get("ErrorDetail", {}).get("ErrorCode") != "AlreadyExistsException"]
        if real:
            detail = real[0].get("ErrorDetail", {})
            raise OutputError(
                f"{database}.{table.name}: {len(real)} partitions not created, first: "
                f"{real[0].get('PartitionValues')}: {detail.get('ErrorCode')}: {detail.get('ErrorMessage')}"
            )
    return len(new)


def register_tables(
    glue: Any,
    database: str,
    processed_root: str,
    tables: Sequence[CatalogTable],
    partitions_of: Callable[[CatalogTable], list[Partition]],
) -> RegisterResult:
    """Create/update ``database`` and ``tables`` and add each table's new partitions."""
    result = RegisterResult(database_created=ensure_database(glue, database))
    for table in tables:
        outcome = ensure_table(glue, database, table_input(table, processed_root))
        {"created": result.tables_created, "updated": result.tables_updated}.get(
            outcome, result.tables_unchanged
        ).append(table.name)
        if table.partition_keys:
            wanted = partitions_of(table)
            result.partitions_added[table.name] = add_partitions(glue, database, table, processed_root, wanted)
    return result
