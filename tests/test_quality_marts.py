"""The marts' rulesets in the pipeline: sales_mart builds the marts from a small lake, then the
mart_quality step (data_quality.run_marts) checks them; a broken mart row fails the rule it breaks."""

from __future__ import annotations

import datetime as dt

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from tests.marts_data import LINES, customers_df, employees_df, orders_rows

from dea_etl.io import read_table
from dea_etl.io.lake import Lake
from dea_etl.io.parquet import write_parquet
from dea_etl.pipelines import data_quality, sales_mart
from dea_etl.pipelines.pipeline import PIPELINE_ORDER
from dea_etl.quality import evaluate
from dea_etl.quality.gate import DataQualityError
from dea_etl.quality.rulesets import packaged_ruleset
from dea_etl.runtime import JobContext, Platform
from dea_etl.runtime.context import TableResult
from dea_etl.tables.marts import MARTS
from dea_etl.tables.seed import ORDERS

# Orders whose customer and employee are known (the orders gate quarantines the others before the marts
# are built), plus one sold by a manager: his manager is null, so manager_sales has a null-manager row.
GOOD_LINES = [*LINES[:3], (16, 9, dt.date(2014, 6, 5), 274, 2, 8.0, 0.75, 0.25, 9.0, 8.0)]


@pytest.fixture(scope="module")
def lake(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Lake:
    lake = Lake(str(tmp_path_factory.mktemp("lake")))
    orders = spark.createDataFrame(orders_rows(GOOD_LINES), ORDERS.processed_schema)
    write_parquet(orders, lake.processed("orders"), run_id="setup", partition_by=("year", "month"))
    write_parquet(customers_df(spark), lake.processed("customers"), run_id="setup")
    write_parquet(employees_df(spark), lake.processed("employees"), run_id="setup")
    return lake


@pytest.fixture(scope="module")
def checked(spark: SparkSession, lake: Lake) -> list[TableResult]:
    ctx = JobContext(spark, "pipeline", "run-1", Platform.LOCAL, {"lake": lake.root})
    sales_mart.run(ctx)
    return data_quality.run_marts(ctx)


def _references(spark: SparkSession, lake: Lake) -> dict[str, DataFrame]:
    return {t: read_table(spark, lake.processed(t)) for t in ("orders", "customers", "employees")}


def _failed(spark: SparkSession, lake: Lake, mart: DataFrame, table: str) -> list[str]:
    outcomes = evaluate(mart, packaged_ruleset(table).text, _references(spark, lake))
    return [r["Rule"] for r in outcomes.where("Outcome = 'Failed'").collect()]


def test_pipeline_checks_the_marts_after_building_them():
    names = list(PIPELINE_ORDER)
    assert names.index("mart_quality") == names.index("sales_mart") + 1


def test_mart_rulesets_pass_on_marts_built_from_good_data(spark, lake, checked):
    assert [r.table for r in checked] == [f"dq:{m}" for m in sorted(MARTS)]
    for r in checked:
        ruleset = packaged_ruleset(r.table.removeprefix("dq:"))
        count = len(ruleset.text.split("Rules = [", 1)[1].strip().splitlines()) - 1
        assert r.metrics["dq"].startswith(f"{count}/{count} rules passed (mode fail)"), r.metrics
        assert "dq failed" not in r.metrics
    outcomes = read_table(spark, data_quality.dq_path(lake, "manager_sales", "outcomes"))
    assert {(r.Outcome, r.run_id) for r in outcomes.select("Outcome", "run_id").collect()} == {("Passed", "run-1")}


def _customer_sales(spark: SparkSession, lake: Lake, row: int, changes: dict[str, object]) -> DataFrame:
    """The built customer_sales with ``changes`` made to customer ``row``'s row."""
    mart = read_table(spark, lake.processed("customer_sales"))
    one = F.col("customerid") == row
    return mart.select(*[F.when(one, F.lit(changes[c])).otherwise(F.col(c)).cast(mart.schema[c].dataType)
                         .alias(c) if c in changes else F.col(c) for c in mart.columns])


@pytest.mark.usefixtures("checked")
@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"customerid": 2}, 'IsPrimaryKey "customerid"'),  # customer 1's row now says customer 2
        ({"customerid": 77}, 'ReferentialIntegrity "customerid" "customers.customerid" = 1.0'),
        ({"first_order_date": dt.date(2015, 1, 1)},
         'CustomSql "select customerid from primary where first_order_date <= last_order_date" '
         "with threshold = 1.0"),
        ({"totaldue": 99.0},
         'CustomSql "select customerid from primary where abs(totaldue - (subtotal + taxamt + freight)) '
         '<= 0.01 * orders" with threshold = 1.0'),
    ],
)
def test_a_broken_customer_sales_row_fails_its_rule(spark, lake, changes, rule):
    assert _failed(spark, lake, _customer_sales(spark, lake, 1, changes), "customer_sales") == [rule]


@pytest.mark.usefixtures("checked")
def test_a_mart_that_breaks_a_fail_mode_ruleset_fails_the_step(spark, lake, tmp_path):
    broken = Lake(str(tmp_path / "lake"))
    negative = _customer_sales(spark, lake, 2, {"revenue": -1.0})
    write_parquet(negative, broken.processed("customer_sales"), run_id="broken")
    refs = _references(spark, lake)
    with pytest.raises(DataQualityError, match="customer_sales: 2 of 15 data-quality rules failed") as exc:
        data_quality.check_table(spark, broken, packaged_ruleset("customer_sales"), "run-2", refs)
    assert exc.value.result.failed_rules == [
        'ColumnValues "revenue" >= 0', 'AggregateMatch "sum(revenue)" "sum(orders.linetotal)" = 1.0']
