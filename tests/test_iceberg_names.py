"""Iceberg's session settings and table names (no Spark needed)."""

from __future__ import annotations

import pytest

from dea_etl.io.iceberg import EXTENSIONS, catalog_conf, catalog_table_name, session_conf


def test_the_extensions_are_added_to_those_given_once() -> None:
    assert session_conf() == {"spark.sql.extensions": EXTENSIONS}
    delta = "io.delta.sql.DeltaSparkSessionExtension"
    assert session_conf(delta) == {"spark.sql.extensions": f"{delta},{EXTENSIONS}"}
    assert session_conf(f"{EXTENSIONS}, {delta}") == {"spark.sql.extensions": f"{EXTENSIONS},{delta}"}


def test_names_in_a_shared_catalog_come_from_the_path_under_processed_data() -> None:
    assert catalog_table_name("s3://b/processedData/orders/") == "orders"
    assert catalog_table_name("s3://b/processedData/orders_quarantine") == "orders_quarantine"
    assert catalog_table_name("s3://b/processedData/_dq/orders/outcomes") == "dq_orders_outcomes"
    assert catalog_table_name("s3://b/out/Trips-2024") == "trips_2024"
    with pytest.raises(ValueError, match="no table name"):
        catalog_table_name("s3://b/processedData/")


def test_the_glue_catalog_settings() -> None:
    assert catalog_conf("s3://b/processedData/") == {
        "spark.sql.catalog.glue_catalog": "org.apache.iceberg.spark.SparkCatalog",
        "spark.sql.catalog.glue_catalog.catalog-impl": "org.apache.iceberg.aws.glue.GlueCatalog",
        "spark.sql.catalog.glue_catalog.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        "spark.sql.catalog.glue_catalog.warehouse": "s3://b/processedData/",
        "spark.sql.catalog.glue_catalog.cache-enabled": "false",
    }
