"""Where a lake's Iceberg tables are registered: catalogs that commit atomically and other tools open.

A table is named by its path, as a Parquet table is; :func:`table_ref` finds its catalog entry:

- a **local** lake (a folder): Iceberg's JDBC catalog on a SQLite file in the lake,
  ``<lake>/iceberg_catalog.db`` (the lake is the folder holding ``processedData/``; for a path outside a
  lake, the table's parent folder). A commit is one SQL ``UPDATE ... WHERE metadata_location = <the one it
  read>`` in a SQLite transaction: of two writers one wins, the other retries on the new metadata or fails;
  none is lost. The catalog's rows carry the name :data:`LAKE_CATALOG_NAME`, so pyiceberg's SQL catalog and
  a Spark session configured as Iceberg's documentation says open the same file
  (``spark.sql.catalog.lake=org.apache.iceberg.spark.SparkCatalog``, ``...lake.type=jdbc``,
  ``...lake.uri=jdbc:sqlite:<lake>/iceberg_catalog.db``), while one Spark session may hold several lakes
  (each is a Spark catalog of its own, ``lake_<hash>``, through ``dea_etl.spark.LakeJdbcCatalog``).
- an **S3** lake: the AWS Glue Data Catalog (Iceberg's ``GlueCatalog`` with ``S3FileIO``). Locally both
  go to the endpoint in ``AWS_ENDPOINT_URL`` (a moto_server); moto's ``UpdateTable`` ignores the
  ``VersionId`` that gives Glue's optimistic locking, so with a local endpoint commits also take Iceberg's
  DynamoDB lock (on the same endpoint). On AWS, Glue's ``VersionId`` check makes a commit atomic.
- a configured Spark catalog (``--iceberg-catalog NAME``, e.g. ``glue_catalog`` on Glue and EMR, set up by
  ``dea-etl deploy``): the table ``NAME.<namespace>.<name>`` created at the path.

The namespace (a Glue database) is :data:`DEFAULT_NAMESPACE` unless told; a table's name in a catalog is
its path under ``processedData/`` joined by ``_`` (:func:`catalog_table_name`).
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from dataclasses import dataclass

from pyspark.sql import SparkSession

from dea_etl.io import storage
from dea_etl.io.lake import PROCESSED

#: ``--iceberg-catalog lake`` (the default locally): the lake's own catalog (SQLite locally, Glue on S3).
LAKE_CATALOG = "lake"
#: The Spark catalog name the AWS targets configure for the Glue Data Catalog.
GLUE_CATALOG = "glue_catalog"
DEFAULT_NAMESPACE = "dea_etl"
#: The name a local lake's JDBC catalog stores its rows under (pyiceberg: ``SqlCatalog("lake", ...)``).
LAKE_CATALOG_NAME = "lake"
#: The SQLite file of a local lake's catalog, in the lake's root folder.
CATALOG_FILE = "iceberg_catalog.db"
#: The DynamoDB table of Iceberg's lock manager when the Glue endpoint is a local one (moto_server).
LOCK_TABLE = "dea_etl_iceberg_locks"


@dataclass(frozen=True)
class IcebergCatalog:
    """Which catalog Iceberg tables go to: :data:`LAKE_CATALOG` (the lake's own) or a configured Spark catalog,
    and the namespace (Glue database) in it."""

    name: str = LAKE_CATALOG
    namespace: str = DEFAULT_NAMESPACE


#: The lake's own catalog, :data:`DEFAULT_NAMESPACE`: the default everywhere a catalog is optional.
DEFAULT_CATALOG = IcebergCatalog()


def catalog_table_name(path: str) -> str:
    """The name of the table at ``path`` in a catalog: the parts after ``processedData/`` (or the folder
    name), lower case, joined by ``_``: ``.../processedData/_dq/orders/outcomes`` -> ``dq_orders_outcomes``."""
    parts = [p for p in path.rstrip("/").split("/") if p]
    if PROCESSED in parts:
        parts = parts[len(parts) - parts[::-1].index(PROCESSED):]
    else:
        parts = parts[-1:]
    name = re.sub(r"[^a-z0-9_]+", "_", "_".join(parts).lower()).strip("_")
    if not name:
        raise ValueError(f"no table name in {path!r}")
    return name


def lake_root(path: str) -> str:
    """The lake a table path belongs to: the folder holding its ``processedData/``, else its parent folder
    (canonical: an absolute local path, or ``s3://bucket[/prefix]``)."""
    where = storage.canonical(path)
    parts = where.split("/")
    if PROCESSED in parts[:-1] or (parts and parts[-1] == PROCESSED):
        at = len(parts) - 1 - parts[::-1].index(PROCESSED)
        return "/".join(parts[:at]) or "/"
    return where.rpartition("/")[0] or "/"


def catalog_file(root: str) -> str:
    """The SQLite file of the local lake at ``root``."""
    return os.path.join(storage.local_path(root), CATALOG_FILE)


#: Iceberg's JDBC catalog tables (its schema version V0), created here so that two processes opening a new
#: lake at once do not race to create them (Iceberg's own creation checks, then creates).
_CATALOG_DDL = (
    "CREATE TABLE IF NOT EXISTS iceberg_tables (catalog_name VARCHAR(255) NOT NULL, "
    "table_namespace VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), "
    "previous_metadata_location VARCHAR(1000), PRIMARY KEY (catalog_name, table_namespace, table_name))",
    "CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (catalog_name VARCHAR(255) NOT NULL, "
    "namespace VARCHAR(255) NOT NULL, property_key VARCHAR(255), property_value VARCHAR(1000), "
    "PRIMARY KEY (catalog_name, namespace, property_key))",
)
#: How long a SQLite connection waits for another writer's transaction before it fails (ms).
BUSY_TIMEOUT_MS = 60_000


def ensure_catalog_file(root: str) -> str:
    """Create the local lake's catalog file with Iceberg's tables when missing; returns its path."""
    path = catalog_file(root)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000) as db:
        for ddl in _CATALOG_DDL:
            db.execute(ddl)
    return path


@dataclass(frozen=True)
class CatalogEntry:
    """An Iceberg table registered in a lake's catalog, read without a JVM."""

    namespace: str
    name: str
    metadata_location: str


def local_catalog_tables(root: str) -> list[CatalogEntry]:
    """The Iceberg tables in the local lake's catalog file (none when the lake has none); without a JVM."""
    path = catalog_file(root)
    if not os.path.isfile(path):
        return []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000) as db:
        rows = db.execute(
            "SELECT table_namespace, table_name, metadata_location FROM iceberg_tables WHERE catalog_name = ? "
            "ORDER BY table_namespace, table_name", (LAKE_CATALOG_NAME,)).fetchall()
    return [CatalogEntry(str(ns), str(name), str(loc or "")) for ns, name, loc in rows]


def glue_catalog_tables(database: str) -> list[CatalogEntry]:
    """The Iceberg tables of a Glue database (none when it does not exist); boto3, no JVM."""
    from botocore.exceptions import ClientError

    glue = storage.aws_client("glue")
    found = []
    try:
        for page in glue.get_paginator("get_tables").paginate(DatabaseName=database):
            for table in page.get("TableList", []):
                params = table.get("Parameters", {})
                if str(params.get("table_type", "")).upper() == "ICEBERG":
                    found.append(CatalogEntry(database, table["Name"], str(params.get("metadata_location", ""))))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "EntityNotFoundException":
            raise
    return found


def _set_catalog(spark: SparkSession, name: str, settings: dict[str, str]) -> None:
    """Register a Spark catalog in the session (once: Spark keeps the catalog it loaded under a name)."""
    prefix = f"spark.sql.catalog.{name}"
    if spark.conf.get(prefix, None) is not None:
        return
    for key, value in settings.items():
        spark.conf.set(f"{prefix}.{key}", value)
    spark.conf.set(prefix, "org.apache.iceberg.spark.SparkCatalog")


def jdbc_catalog_settings(root: str) -> dict[str, str]:
    """The Spark catalog settings of a local lake's JDBC catalog (a SQLite file in the lake)."""
    return {
        "catalog-impl": "dea_etl.spark.LakeJdbcCatalog",
        "catalog-name": LAKE_CATALOG_NAME,
        "uri": f"jdbc:sqlite:{catalog_file(root)}",
        "warehouse": "file:" + storage.local_path(root),
        "jdbc.init-catalog-tables": "false",
        "jdbc.busy_timeout": str(BUSY_TIMEOUT_MS),
        # Every load reads the catalog: another process's commit is seen at once (Iceberg's CachingCatalog
        # would keep a loaded table for 30 s).
        "cache-enabled": "false",
    }


def _local_lake_catalog(spark: SparkSession, root: str) -> str:
    name = "lake_" + hashlib.sha1(root.encode()).hexdigest()[:12]
    if spark.conf.get(f"spark.sql.catalog.{name}", None) is None:
        ensure_catalog_file(root)
        _set_catalog(spark, name, jdbc_catalog_settings(root))
    return name


def glue_catalog_settings(warehouse: str, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The Spark catalog settings of the Glue Data Catalog with S3FileIO (``warehouse``: an s3:// folder).

    With a local endpoint (``AWS_ENDPOINT_URL``: a moto_server) Glue, S3 and DynamoDB go there, S3
    path-style, and commits take Iceberg's DynamoDB lock (moto does not check Glue's ``VersionId``).
    """
    env = dict(os.environ) if environ is None else environ
    settings = {
        "catalog-impl": "org.apache.iceberg.aws.glue.GlueCatalog",
        "io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        "warehouse": warehouse,
        "cache-enabled": "false",
    }
    url = env.get("AWS_ENDPOINT_URL")
    if url:
        settings |= {
            "glue.endpoint": env.get("AWS_ENDPOINT_URL_GLUE") or url,
            "s3.endpoint": storage.endpoint(env) or url,
            "s3.path-style-access": "true",
            "dynamodb.endpoint": env.get("AWS_ENDPOINT_URL_DYNAMODB") or url,
            "lock-impl": "org.apache.iceberg.aws.dynamodb.DynamoDbLockManager",
            "lock.table": LOCK_TABLE,
        }
    where = storage.region(env)
    if where:
        settings["client.region"] = where
    return settings


def _glue_catalog(spark: SparkSession, path: str) -> str:
    """The session's Glue catalog (:data:`GLUE_CATALOG`), registered here when the session has none."""
    if spark.conf.get(f"spark.sql.catalog.{GLUE_CATALOG}", None) is None:
        apply_aws_credentials(spark)
        bucket, _ = storage.split_s3(path)
        _set_catalog(spark, GLUE_CATALOG, glue_catalog_settings(f"s3://{bucket}/{PROCESSED}"))
    if os.environ.get("AWS_ENDPOINT_URL"):
        ensure_lock_table()
    return GLUE_CATALOG


_JVM_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "aws.accessKeyId",
    "AWS_SECRET_ACCESS_KEY": "aws.secretAccessKey",
    "AWS_SESSION_TOKEN": "aws.sessionToken",
    "AWS_REGION": "aws.region",
}


def apply_aws_credentials(spark: SparkSession) -> None:
    """Copy the ``AWS_*`` credentials of this process into the JVM's system properties, where the AWS SDK v2
    clients of Iceberg's Glue catalog and S3FileIO find them (the JVM's own environment was fixed when it
    started; a test or a CLI may point at another endpoint since)."""
    system = spark.sparkContext._jvm.java.lang.System  # type: ignore[union-attr]
    for variable, prop in _JVM_CREDENTIALS.items():
        value = os.environ.get(variable) or (storage.region() if variable == "AWS_REGION" else None)
        if value:
            system.setProperty(prop, value)
        else:
            system.clearProperty(prop)


def ensure_lock_table() -> None:
    """Create the DynamoDB table of Iceberg's lock manager at the local endpoint when it is missing (a
    moto_server starts empty, and a reset empties it)."""
    from botocore.exceptions import ClientError

    dynamodb = storage.aws_client("dynamodb")
    try:
        dynamodb.describe_table(TableName=LOCK_TABLE)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
        try:
            dynamodb.create_table(
                TableName=LOCK_TABLE, BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "entityId", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "entityId", "AttributeType": "S"}],
            )
        except ClientError as again:
            if again.response.get("Error", {}).get("Code") != "ResourceInUseException":
                raise


def _quote(part: str) -> str:
    return "`" + part.replace("`", "``") + "`"


@dataclass(frozen=True)
class TableRef:
    """An Iceberg table: its Spark identifier and the location it is created at."""

    ident: str
    location: str

    def branch(self, name: str) -> str:
        return f"{self.ident}.{_quote('branch_' + name)}"

    @property
    def catalog(self) -> str:
        return self.ident.split(".", 1)[0].strip("`")

    @property
    def namespace_ident(self) -> str:
        return self.ident.rsplit(".", 1)[0]


def table_ref(spark: SparkSession, path: str, catalog: IcebergCatalog = DEFAULT_CATALOG) -> TableRef:
    """The Iceberg table for ``path`` in ``catalog`` (see the module doc)."""
    location = storage.canonical(path)
    if catalog.name == LAKE_CATALOG:
        spark_catalog = _glue_catalog(spark, location) if storage.is_s3(location) else \
            _local_lake_catalog(spark, lake_root(location))
    else:
        spark_catalog = catalog.name
    if storage.is_local(location):
        location = "file:" + location
    ident = ".".join([_quote(spark_catalog), _quote(catalog.namespace), _quote(catalog_table_name(path))])
    return TableRef(ident, location)
