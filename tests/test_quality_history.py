"""The metric history in the lake (local and S3 on moto_server), queryable with ``dea-etl sql`` and
registered by ``catalog register`` / ``catalog ddl``, with the outcomes and quarantine tables."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from chispa import assert_df_equality

from dea_etl.catalog import catalog_tables, create_table_ddl
from dea_etl.cli import main
from dea_etl.io import read_table
from dea_etl.io.lake import Lake
from dea_etl.pipelines import data_quality
from dea_etl.quality.history import history_from_rows, load_history, metrics_path
from dea_etl.quality.rulesets import ruleset_from_text
from dea_etl.tables.seed import CUSTOMERS

RULES = """# mode: fail
Rules = [
    RowCount > 0,
    Completeness "firstname" > 0.1
]"""


def _customers(spark, lake: Lake, rows: int) -> None:
    data = [(i, f"F{i}" if i % 2 else None, "L", "F L") for i in range(rows)]
    spark.createDataFrame(data, CUSTOMERS.processed_schema).write.mode("overwrite").parquet(
        lake.processed("customers"))


def _three_runs(spark, lake: Lake) -> None:
    ruleset = ruleset_from_text("customers", RULES)
    for run, rows in (("run-1", 10), ("run-2", 12), ("run-3", 8)):
        _customers(spark, lake, rows)
        data_quality.check_table(spark, lake, ruleset, run, {})


def test_every_evaluation_appends_its_metrics_per_table_ruleset_rule_and_run(spark, tmp_path, capsys):
    lake = Lake(str(tmp_path / "lake"))
    _three_runs(spark, lake)
    assert main(["sql", "SELECT run_id, ruleset, rule, outcome, value FROM dq_metrics "
                 "WHERE metric = 'Dataset.*.RowCount' ORDER BY run_id", "--lake", lake.root,
                 "--output-format", "json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows == [
        {"run_id": f"run-{i}", "ruleset": "customers", "rule": "RowCount > 0", "outcome": "Passed", "value": v}
        for i, v in ((1, 10.0), (2, 12.0), (3, 8.0))
    ]
    history = load_history(spark, lake.root, "customers", before_run="run-3")
    assert history.values("Dataset.*.RowCount") == [10.0, 12.0]
    assert history.values("Column.firstname.Completeness") == [0.5, 0.5]
    assert load_history(spark, lake.root, "orders").series == {}


def test_history_keeps_one_point_per_run_and_skips_missing_values() -> None:
    t1, t2 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    history = history_from_rows([
        ("m", "r2", t2, 2.0), ("m", "r1", t1, 1.0), ("m", "r1", t1, 1.5),  # r1 recorded twice: the later wins
        ("m", "r3", t2, None), ("m", "r4", t2, float("nan")), ("n", "r1", t1, 7.0),
    ])
    assert history.values("m") in ([1.0, 2.0], [1.5, 2.0])
    assert [p.run_id for p in history.points("m")] == ["r1", "r2"]
    assert history.values("n") == [7.0] and history.values("absent") == []


QUARANTINE = """# mode: quarantine
Rules = [ IsComplete "firstname" ]"""


def test_outcomes_and_quarantine_are_tables_in_dea_etl_sql(spark, tmp_path, capsys):
    lake = Lake(str(tmp_path / "lake"))
    _customers(spark, lake, 4)
    data_quality.check_table(spark, lake, ruleset_from_text("customers", QUARANTINE), "run-q", {})
    assert main(["sql", "SELECT customerid, reason, run_id FROM customers_dq_quarantine ORDER BY customerid",
                 "--lake", lake.root, "--output-format", "json"]) == 0
    quarantined = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert quarantined == [{"customerid": i, "reason": 'data quality: IsComplete "firstname"', "run_id": "run-q"}
                           for i in (0, 2)]
    assert main(["sql", "SELECT `table`, mode, Rule, Outcome FROM customers_dq_outcomes", "--lake", lake.root,
                 "--output-format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "table": "customers", "mode": "quarantine", "Rule": 'IsComplete "firstname"', "Outcome": "Failed"}


def test_the_dq_tables_are_in_the_catalog_and_their_ddl_parses(spark):
    tables = {t.name: t for t in catalog_tables()}
    assert tables["dq_metrics"].location("s3://b/processedData") == "s3://b/processedData/_dq/metrics/"
    assert tables["orders_dq_quarantine"].location("s3://b/processedData/") == \
        "s3://b/processedData/_dq/orders/quarantine/"
    assert ("reason", "string") in tables["orders_dq_quarantine"].columns
    assert ("EvaluatedMetrics", "map<string,double>") in tables["manager_sales_dq_outcomes"].columns
    ddl = create_table_ddl(tables["dq_metrics"], "s3://b/processedData", "sales")
    assert "LOCATION 's3://b/processedData/_dq/metrics/'" in ddl and "`value` double" in ddl
    parser = spark._jsparkSession.sessionState().sqlParser()
    assert "CreateTable" in str(parser.parsePlan(ddl.rstrip(";")).nodeName())


def test_history_on_s3_is_read_back_and_registered_in_glue(spark, aws, capsys):
    import boto3

    from dea_etl.runtime.session import apply_s3a

    boto3.client("s3").create_bucket(Bucket="dq-lake")
    apply_s3a(spark)
    lake = Lake("s3://dq-lake")
    _three_runs(spark, lake)
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket="dq-lake", Prefix="processedData/_dq/metrics/")
            ["Contents"]]
    assert any(k.endswith(".parquet") for k in keys)
    history = load_history(spark, lake.root, "customers")
    assert history.values("Dataset.*.RowCount") == [10.0, 12.0, 8.0]
    assert_df_equality(
        read_table(spark, metrics_path(lake.root)).where("metric = 'Dataset.*.RowCount'").select("run_id"),
        spark.createDataFrame([("run-1",), ("run-2",), ("run-3",)], "run_id string"),
        ignore_row_order=True, ignore_nullable=True,
    )
    assert main(["catalog", "register", "--database", "lake", "--lake", "s3://dq-lake/processedData/",
                 "--tables", "dq_metrics,customers_dq_outcomes"]) == 0
    glue = boto3.client("glue")
    table = glue.get_table(DatabaseName="lake", Name="dq_metrics")["Table"]
    # plain Parquet: registered at its folder, unpartitioned
    assert table["StorageDescriptor"]["Location"] == "s3://dq-lake/processedData/_dq/metrics/"
    assert table["PartitionKeys"] == []
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]][:4] == ["table", "ruleset", "kind", "rule"]
    assert "lake.customers_dq_outcomes: created" in capsys.readouterr().out


@pytest.mark.parametrize("bad", ["x' OR 1=1 --", "../../etc"])
def test_a_hostile_table_name_only_filters_the_history(spark, tmp_path, bad):
    lake = Lake(str(tmp_path / "lake"))
    _three_runs(spark, lake)
    assert load_history(spark, lake.root, bad).series == {}
