"""Readers we did not write, and one fingerprint to compare what each sees with what `dea-etl sql` sees.

A table's fingerprint is one SQL aggregate over it that every engine computes the same way: the row count,
each column's count of non-null values, the sum of each numeric column (rounded) and the number of
distinct values of every other scalar column. It is run by `dea-etl sql`, by DuckDB (over the files, or over the
Arrow table pyarrow or pyiceberg read) and by a Spark process that never imports dea-etl
(``tests/bare_spark.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
from pyspark.sql.types import ArrayType, DecimalType, MapType, NumericType, StructType

from dea_etl.cli import main as cli_main

Columns = list[tuple[str, str]]  # (name, "number" | "value" | "nested")
BARE_SPARK = Path(__file__).with_name("bare_spark.py")


def columns_of(schema: StructType) -> Columns:
    def kind(t: object) -> str:
        if isinstance(t, NumericType | DecimalType):
            return "number"
        return "nested" if isinstance(t, ArrayType | MapType | StructType) else "value"

    return [(f.name, kind(f.dataType)) for f in schema.fields]


def fingerprint_sql(columns: Columns, relation: str, quote: str) -> str:
    """The fingerprint query over ``relation`` (identifiers quoted with ``quote``: ` for Spark, " for DuckDB)."""
    parts = ["COUNT(*) AS n"]
    for i, (name, kind) in enumerate(columns):
        col = f"{quote}{name}{quote}"
        parts.append(f"COUNT({col}) AS c{i}")
        if kind == "number":
            parts.append(f"ROUND(SUM(CAST({col} AS DOUBLE)), 2) AS s{i}")
        elif kind == "value":
            parts.append(f"COUNT(DISTINCT {col}) AS d{i}")
    return f"SELECT {', '.join(parts)} FROM {relation}"


def normalized(row: dict[str, Any]) -> dict[str, Any]:
    return {k: None if v is None else round(float(v), 1) for k, v in row.items()}


def with_dea_etl_sql(capsys: Any, lake: str, view: str, columns: Columns) -> dict[str, Any]:
    """The fingerprint as `dea-etl sql` computes it over the lake's view ``view``."""
    capsys.readouterr()
    assert cli_main(["sql", fingerprint_sql(columns, view, "`"), "--lake", lake, "--output-format", "json"]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    return normalized(row)


def with_duckdb_files(path: str | Path, columns: Columns) -> dict[str, Any]:
    """DuckDB over a local plain Parquet table's files, Hive partition folders as columns."""
    relation = f"read_parquet('{path}/**/*.parquet', hive_partitioning = true)"
    return _duckdb(fingerprint_sql(columns, relation, '"'), {})


def with_duckdb_arrow(arrow_table: Any, columns: Columns) -> dict[str, Any]:
    """DuckDB over an Arrow table (what pyarrow or pyiceberg read)."""
    return _duckdb(fingerprint_sql(columns, "arrow_table", '"'), {"arrow_table": arrow_table})


def _duckdb(sql: str, tables: dict[str, Any]) -> dict[str, Any]:
    con = duckdb.connect()
    for name, table in tables.items():
        con.register(name, table)
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return normalized(dict(zip(names, cursor.fetchone(), strict=True)))


def pyarrow_s3_table(endpoint: str, uri: str) -> Any:
    """A plain Parquet table on S3 read by pyarrow's own S3 client (Hive partitioning)."""
    import pyarrow.dataset as pads
    import pyarrow.fs as pafs

    scheme, host = endpoint.split("://", 1)
    fs = pafs.S3FileSystem(endpoint_override=host, scheme=scheme, access_key=os.environ["AWS_ACCESS_KEY_ID"],
                           secret_key=os.environ["AWS_SECRET_ACCESS_KEY"], region=os.environ.get("AWS_DEFAULT_REGION"))
    return pads.dataset(uri.split("://", 1)[1], filesystem=fs, format="parquet", partitioning="hive").to_table()


def pyiceberg_sqlite_table(catalog_file: Path, name: str) -> Any:
    """An Iceberg table of a local lake read by pyiceberg's SQL catalog on the lake's SQLite file."""
    from pyiceberg.catalog.sql import SqlCatalog

    catalog = SqlCatalog("lake", uri=f"sqlite:///{catalog_file}", warehouse=f"file://{catalog_file.parent}")
    return catalog.load_table(name).scan().to_arrow()


def pyiceberg_glue_table(endpoint: str, name: str) -> Any:
    """An Iceberg table of an S3 lake read by pyiceberg's Glue catalog (both at the moto_server)."""
    from pyiceberg.catalog.glue import GlueCatalog

    keys = {"access-key-id": os.environ["AWS_ACCESS_KEY_ID"], "secret-access-key": os.environ["AWS_SECRET_ACCESS_KEY"],
            "region": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}
    props = {"glue.endpoint": endpoint, "s3.endpoint": endpoint, **{f"glue.{k}": v for k, v in keys.items()},
             **{f"s3.{k}": v for k, v in keys.items()}}
    return GlueCatalog("glue", **props).load_table(name).scan().to_arrow()


def with_bare_spark(spec: dict[str, Any], jars: Sequence[str] = ()) -> dict[str, dict[str, Any]]:
    """Fingerprints computed by a Spark process that does not import dea-etl (``tests/bare_spark.py``).

    ``spec``: {"conf": {...}, "tables": {name: {"read": "parquet" | "table", "path": ..., "columns": ...}}}."""
    spec = {**spec, "jars": list(jars)}
    proc = subprocess.run([sys.executable, str(BARE_SPARK)], input=json.dumps(spec), capture_output=True, text=True,
                          timeout=600, env={**os.environ, "PYTHONPATH": ""})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {k: normalized(v) for k, v in json.loads(proc.stdout.splitlines()[-1]).items()}
