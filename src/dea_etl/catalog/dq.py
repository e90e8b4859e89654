"""The data-quality tables as catalog tables: the metric history, and each checked table's outcomes and
quarantined rows (folders under ``processedData/_dq/``, written by the ``data_quality`` job)."""

from __future__ import annotations

from pyspark.sql.types import ArrayType, StringType, StructField, StructType

from dea_etl.catalog.tables import CatalogTable, catalog_table
from dea_etl.quality.gate import REASON, RULES_FAILED
from dea_etl.quality.history import METRICS_SCHEMA, METRICS_TABLE, outcomes_table_schema
from dea_etl.quality.rulesets import packaged_tables
from dea_etl.tables import lake_table, lake_tables

DQ_FOLDER = "_dq"


def quarantine_schema(table: str) -> StructType:
    """The checked table's columns + ``reason``, ``dq_rules_failed`` and ``run_id``."""
    base = lake_table(table).schema
    return StructType([
        *base.fields,
        StructField(REASON, StringType(), True),
        StructField(RULES_FAILED, ArrayType(StringType(), True), True),
        StructField("run_id", StringType(), True),
    ])


def dq_tables() -> list[CatalogTable]:
    """``dq_metrics``, then ``<t>_dq_outcomes`` and ``<t>_dq_quarantine`` for every table with a ruleset."""
    out = [catalog_table(METRICS_TABLE, METRICS_SCHEMA, (), "data-quality metric history (dea-etl)",
                         f"{DQ_FOLDER}/metrics")]
    for t in packaged_tables():
        if t not in lake_tables():
            continue
        out.append(catalog_table(f"{t}_dq_outcomes", outcomes_table_schema(), (),
                                 f"data-quality outcomes of {t} (dea-etl)", f"{DQ_FOLDER}/{t}/outcomes"))
        out.append(catalog_table(f"{t}_dq_quarantine", quarantine_schema(t), (),
                                 f"rows of {t} quarantined by data quality (dea-etl)", f"{DQ_FOLDER}/{t}/quarantine"))
    return out
