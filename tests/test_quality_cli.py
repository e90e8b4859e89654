"""``dea-etl dq`` exit codes and the pipeline's data_quality step on a small lake (both gate modes)."""

from __future__ import annotations

import datetime as dt

import pytest
from chispa import assert_df_equality

from dea_etl.cli import main
from dea_etl.io import read_table
from dea_etl.io.lake import Lake
from dea_etl.pipelines import data_quality
from dea_etl.quality import parse_ruleset
from dea_etl.quality.gate import DataQualityError
from dea_etl.quality.rulesets import packaged_ruleset, packaged_tables, ruleset_from_text
from dea_etl.runtime import JobContext, Platform
from dea_etl.tables.seed import CUSTOMERS, EMPLOYEES, ORDERS


@pytest.fixture(scope="module")
def parquet_input(spark, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("dq_cli") / "people")
    spark.createDataFrame([(1, "a"), (2, None)], "id int, name string").write.parquet(path)
    return path


def _ruleset(tmp_path, text):
    path = tmp_path / "r.dqdl"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_cli_exit_0_when_every_rule_passes(spark, parquet_input, tmp_path, capsys):
    rules = _ruleset(tmp_path, 'Rules = [ RowCount = 2, IsComplete "id" ]')
    code = main(
        ["dq", "--ruleset", rules, "--input", parquet_input, "--format", "parquet", "--lake", str(tmp_path)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Dataset.*.RowCount = 2" in out and "2 of 2 rules passed" in out


def test_cli_exit_1_when_a_rule_fails(spark, parquet_input, tmp_path, capsys):
    rules = _ruleset(tmp_path, 'Rules = [ IsComplete "name" ]')
    code = main(
        ["dq", "--ruleset", rules, "--input", parquet_input, "--format", "parquet", "--lake", str(tmp_path)]
    )
    assert code == 1
    assert "0 of 1 rules passed" in capsys.readouterr().out


def test_cli_prints_rules_and_reasons_as_text_not_markup(spark, parquet_input, tmp_path, capsys):
    rules = _ruleset(tmp_path, 'Rules = [ ColumnValues "name" in ["[bold]B[/bold]", "[/x]"] ]')
    code = main(
        ["dq", "--ruleset", rules, "--input", parquet_input, "--format", "parquet", "--lake", str(tmp_path)]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert '"[bold]B[/bold]"' in out and '"[/x]"' in out


def test_cli_exit_2_on_invalid_ruleset_with_position(tmp_path, capsys):
    rules = _ruleset(tmp_path, 'Rules = [\n  IsComplete "x",\n  RowCount >\n]\n')
    assert main(["dq", "--ruleset", rules, "--table", "orders"]) == 2
    assert "line 4, column 1: unexpected ']'" in capsys.readouterr().err


def test_cli_exit_2_for_csv_without_a_table_schema(tmp_path, capsys):
    rules = _ruleset(tmp_path, "Rules = [ RowCount > 0 ]")
    assert main(["dq", "--ruleset", rules, "--input", "data/customers.csv", "--format", "csv"]) == 2
    assert "--format csv needs --table" in capsys.readouterr().err


def test_cli_reads_csv_with_the_seed_schema(spark, tmp_path, capsys):
    csv = tmp_path / "customers.csv"
    csv.write_text("293,Catherine,Abel,Catherine Abel\r\n295,,,\r\n", encoding="utf-8")
    rules = _ruleset(
        tmp_path, 'Rules = [ RowCount = 2, ColumnDataType "customerid" = "INTEGER", IsComplete "lastname" ]'
    )
    code = main(
        [
            "dq",
            "--ruleset",
            rules,
            "--input",
            str(csv),
            "--format",
            "csv",
            "--table",
            "customers",
            "--lake",
            str(tmp_path),
        ]
    )
    assert code == 1
    assert "2 of 3 rules passed" in capsys.readouterr().out


ORDER = (
    1,
    10,
    dt.date(2024, 1, 1),
    dt.date(2024, 1, 13),
    dt.date(2024, 1, 8),
    276,
    293,
    100.0,
    10.0,
    5.0,
    115.0,
    700,
    1,
    100.0,
    0.0,
    100.0,
    2024,
    1,
)


@pytest.fixture()
def small_lake(spark, tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    bad = (*ORDER[:1], 11, *ORDER[2:9], -5.0, 105.0, *ORDER[11:])  # negative freight
    spark.createDataFrame([ORDER, (2, 12, *ORDER[2:]), bad], ORDERS.processed_schema).write.partitionBy(
        "year", "month"
    ).parquet(lake.processed("orders"))
    spark.createDataFrame(
        [(293, "Catherine", "Abel", "Catherine Abel"), (295, None, "Abercrombie", "Abercrombie")],
        CUSTOMERS.processed_schema,
    ).write.parquet(lake.processed("customers"))
    spark.createDataFrame(
        [
            (274, None, "S", "J", "S J", "Manager", 2, "M", "M", None, None, None),
            (276, 274, "L", "M", "L M", "Sales Rep", 3, "S", "F", "Southwest", "US", "North America"),
        ],
        EMPLOYEES.processed_schema,
    ).write.parquet(lake.processed("employees"))
    return lake


def _ctx(spark, lake, tables=None):
    return JobContext(spark, "data_quality", "run-1", Platform.LOCAL, {"lake": lake.root, "tables": tables})


QUARANTINE_RULES = """# mode: quarantine
Rules = [
    RowCount > 0,
    ColumnValues "freight" >= 0,
    ReferentialIntegrity "customerid" "customers.customerid" = 1.0
]"""


def test_shipped_rulesets_parse_and_declare_their_mode():
    assert {t: packaged_ruleset(t).mode for t in packaged_tables()} == {
        "customers": "fail",
        "employees": "fail",
        "orders": "quarantine",
        "customer_sales": "fail",
        "employee_sales_monthly": "fail",
        "manager_sales": "fail",
        "territory_sales_monthly": "fail",
    }
    assert all(parse_ruleset(packaged_ruleset(t).text).rules for t in packaged_tables())


def test_pipeline_step_quarantines_failing_orders_and_reports(spark, small_lake):
    ruleset = ruleset_from_text("orders", QUARANTINE_RULES)
    refs = {"customers": read_table(spark, small_lake.processed("customers"))}
    orders = data_quality.check_table(spark, small_lake, ruleset, "run-1", refs)
    assert orders.table == "dq:orders"
    assert (orders.rows_in, orders.rows_written, orders.rows_quarantined) == (3, 2, 1)
    assert orders.metrics["dq failed"] == 'ColumnValues "freight" >= 0'
    kept = read_table(spark, small_lake.processed("orders")).select("salesorderdetailid")
    assert_df_equality(
        kept,
        spark.createDataFrame([(10,), (12,)], "salesorderdetailid int"),
        ignore_row_order=True,
        ignore_nullable=True,
    )
    quarantine = read_table(spark, data_quality.dq_path(small_lake, "orders", "quarantine"))
    assert [(r.salesorderdetailid, r.reason, r.run_id) for r in quarantine.collect()] == [
        (11, 'data quality: ColumnValues "freight" >= 0', "run-1")
    ]
    outcomes = read_table(spark, data_quality.dq_path(small_lake, "orders", "outcomes"))
    assert outcomes.count() == 3
    assert {r.run_id for r in outcomes.select("run_id").collect()} == {"run-1"}


def test_pipeline_step_fails_the_job_in_fail_mode_and_keeps_outcomes(spark, small_lake):
    spark.createDataFrame(
        [(1, "A", "B", "A B"), (1, "C", "D", "C D")], CUSTOMERS.processed_schema
    ).write.mode("overwrite").parquet(small_lake.processed("customers"))
    with pytest.raises(
        DataQualityError, match='customers: 1 of 7 data-quality rules failed: IsUnique "customerid"'
    ):
        data_quality.run(_ctx(spark, small_lake, "customers"))
    outcomes = read_table(spark, data_quality.dq_path(small_lake, "customers", "outcomes"))
    assert outcomes.where("Outcome = 'Failed'").select("Rule").collect()[0].Rule == 'IsUnique "customerid"'


def test_cli_csv_accounts_for_rows_that_do_not_parse(spark, tmp_path, capsys):
    csv = tmp_path / "customers.csv"
    csv.write_text("293,Catherine,Abel,Catherine Abel\r\nnot-a-number,A,B,A B\r\n295,,,\r\n", encoding="utf-8")
    rules = _ruleset(tmp_path, "Rules = [ RowCount = 2 ]")
    args = ["dq", "--ruleset", rules, "--input", str(csv), "--format", "csv", "--table", "customers",
            "--lake", str(tmp_path)]
    assert main(args) == 1  # rows in (3) = evaluated (2) + quarantined (1): the quarantine fails the check
    out = capsys.readouterr().out
    assert "1 of 1 rules passed" in out
    assert "rows in 3 = evaluated 2 + quarantined 1" in out
    assert "1 of 3 rows quarantined, not evaluated: customers.csv line 2: " in out


def test_cli_csv_reads_a_quoted_field_spanning_lines_as_one_row(spark, tmp_path, capsys):
    csv = tmp_path / "customers.csv"
    csv.write_text('293,Catherine,Abel,"Catherine\r\nAbel"\r\nnot-a-number,A,B,A B\r\n295,Kim,,\r\n', encoding="utf-8")
    rules = _ruleset(tmp_path, "Rules = [ RowCount = 2 ]")
    args = ["dq", "--ruleset", rules, "--input", str(csv), "--format", "csv", "--table", "customers",
            "--lake", str(tmp_path)]
    assert main(args) == 1  # the record on lines 1-2 is one row; the one on line 3 is quarantined
    out = capsys.readouterr().out
    assert "1 of 1 rules passed" in out
    assert "rows in 3 = evaluated 2 + quarantined 1" in out
    assert "customers.csv line 3: " in out
