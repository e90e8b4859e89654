"""The user's own tables of a lake, as catalog tables: columns and types read from the files themselves.

dea-etl's tables (the course's, the marts, the data-quality tables) have declared schemas
(:func:`dea_etl.catalog.tables.catalog_tables`). Any other plain Parquet table found in the lake
(:func:`dea_etl.io.discover.lake_tables`) gets the schema its data files carry (one file's footer, read with
pyarrow: no JVM) and its partition keys from its ``key=value`` folders, so ``catalog register`` puts it in
the Glue Data Catalog beside them. Iceberg tables are in their catalog already and are not listed here.
"""

from __future__ import annotations

from typing import Any

from pyspark.sql.types import (
    BooleanType,
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from dea_etl.catalog.tables import CatalogTable, catalog_table, catalog_tables
from dea_etl.io import storage
from dea_etl.io.discover import PARQUET, is_data_file, lake_tables, view_name
from dea_etl.io.lake import processed_root


def _spark_type(arrow_type: Any) -> DataType:
    import pyarrow as pa

    for check, spark in ((pa.types.is_boolean, BooleanType()), (pa.types.is_int8, IntegerType()),
                         (pa.types.is_int16, IntegerType()), (pa.types.is_int32, IntegerType()),
                         (pa.types.is_int64, LongType()), (pa.types.is_float32, FloatType()),
                         (pa.types.is_float64, DoubleType()), (pa.types.is_date32, DateType()),
                         (pa.types.is_timestamp, TimestampType())):
        if check(arrow_type):
            return spark
    if pa.types.is_decimal(arrow_type):
        return DecimalType(arrow_type.precision, arrow_type.scale)
    return StringType()


def _filesystem(location: str) -> tuple[Any, str]:
    """pyarrow's file system for ``location`` (S3 at the environment's endpoint) and the path in it."""
    import pyarrow.fs as pafs

    if not storage.is_s3(location):
        return pafs.LocalFileSystem(), storage.local_path(location)
    url = storage.endpoint()
    options: dict[str, Any] = {"region": storage.region() or "us-east-1"}
    if url:
        scheme, host = url.split("://", 1)
        options |= {"endpoint_override": host, "scheme": scheme}
    return pafs.S3FileSystem(**options), storage.canonical(location).split("://", 1)[1]


def found_table(lake: str, folder: str) -> CatalogTable | None:
    """The plain Parquet table at ``folder`` of the lake as a catalog table, None when it holds no data file."""
    import pyarrow.parquet as pq

    location = storage.join(processed_root(lake), folder)
    files = [rel for rel, _ in storage.list_tree(location) if is_data_file(rel.rsplit("/", 1)[-1])
             and not any(storage.is_hidden_name(p) for p in rel.split("/")[:-1])]
    if not files:
        return None
    keys = [p.split("=", 1) for p in files[0].split("/")[:-1]]
    fs, path = _filesystem(storage.join(location, files[0]))
    schema = pq.read_schema(path, filesystem=fs)
    fields = [StructField(f.name, _spark_type(f.type), True) for f in schema if f.name not in dict(keys)]
    fields += [StructField(k, IntegerType() if v.lstrip("-").isdigit() else StringType(), True) for k, v in keys]
    return catalog_table(view_name(folder), StructType(fields), [k for k, _ in keys],
                         f"{folder} (found in the lake by dea-etl)", folder)


def lake_catalog_tables(lake: str) -> list[CatalogTable]:
    """dea-etl's tables, then every other plain Parquet table of the lake (the user's own)."""
    known = catalog_tables()
    folders = {t.folder or t.name for t in known}
    found = [found_table(lake, folder) for folder, fmt in lake_tables(lake).items()
             if fmt == PARQUET and folder not in folders]
    return known + [t for t in found if t is not None]
