"""Mistakes are refused before a Spark session starts: arguments, tables, inputs, outputs, SQL and rulesets
are checked with the local disk, boto3 (on a moto_server over HTTP) and sqlglot only.

The ten mistakes of :mod:`benchmarks.mistakes` run as a user runs them, in a process where importing pyspark
is impossible (except where the mistake says why it needs it): each ends with its exit code and one line.
Their times are ``make bench ONLY=mistakes``'s business, not a test's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from benchmarks.mistakes import MISTAKES, Mistake, attempt, lay_out

from dea_etl.errors import InputError, JobArgumentError, UnknownTableError
from dea_etl.pipelines import checks, formats, specs
from dea_etl.preflight import (
    LakeLookupError,
    check_input,
    check_lake_table,
    check_outputs,
    exists,
    folders,
    is_file,
    normalized,
    sql_name,
    tables_in_lake,
)
from dea_etl.preflight import (
    processed_root as preflight_root,
)
from dea_etl.preflight.sql import SqlSyntaxError, SqlTableError, check_query, named_tables, parse_query

#: A Python that cannot import pyspark (nor py4j) and runs ``dea-etl`` with its arguments.
NO_SPARK = (sys.executable, "-c", "import sys; sys.modules['pyspark'] = sys.modules['py4j'] = None; "
            "from dea_etl.cli import main; sys.exit(main(sys.argv[1:]))")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return lay_out(tmp_path_factory.mktemp("mistakes"))


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.name for m in MISTAKES])
def test_a_typical_mistake_ends_with_one_line_before_spark_starts(mistake: Mistake, folder: Path) -> None:
    _, proc = attempt(mistake, folder, () if mistake.pyspark else NO_SPARK)
    assert (proc.returncode, proc.stdout) == (mistake.exit_code, ""), proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr


def test_the_jobs_and_the_command_line_load_without_pyspark() -> None:
    code = ("import sys; sys.modules['pyspark'] = None; from dea_etl.pipelines import JOBS; "
            "from dea_etl.cli import build_parser; build_parser(); print(sorted(JOBS))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(sorted(specs.JOBS))


def test_the_light_copies_of_names_are_the_library_s() -> None:
    from dea_etl.catalog import processed_root
    from dea_etl.io import iceberg, parquet, tables
    from dea_etl.quality.rulesets import packaged_tables
    from dea_etl.tables import TABLE_HELP
    from dea_etl.tables.seed import NAMES
    from dea_etl.transforms.joins import DEFAULT_BROADCAST_MAX_BYTES

    assert (formats.PARQUET, formats.FORMATS) == (tables.PARQUET, tables.FORMATS)
    assert (formats.LAKE_CATALOG, formats.GLUE_CATALOG, formats.DEFAULT_NAMESPACE) == (
        iceberg.LAKE_CATALOG, iceberg.GLUE_CATALOG, iceberg.DEFAULT_NAMESPACE)
    assert specs.WRITE_MODES == parquet.MODES and specs.BROADCAST_MAX_BYTES == DEFAULT_BROADCAST_MAX_BYTES
    assert specs.TABLE_HELP == TABLE_HELP and checks.seed_tables() == sorted(NAMES)
    assert checks.ruleset_tables() == packaged_tables()
    for root in ("lake", "s3://b/x/", "lake/processedData", "s3://b/processedData/"):
        assert preflight_root(root) == processed_root(root)


def test_the_dq_tables_keep_the_catalog_s_names() -> None:
    from dea_etl.catalog.dq import dq_tables

    assert {sql_name(t.folder or t.name): t.name for t in dq_tables()} == {t.name: t.name for t in dq_tables()}


# --- paths: local and S3 ----------------------------------------------------------------------------------


def test_local_paths(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.csv").write_text("1\n")
    assert (exists(str(tmp_path / "in")), exists(f"file://{tmp_path}/in/a.csv"), exists(str(tmp_path / "no"))) == (
        True, True, False)
    assert (is_file(str(tmp_path / "in" / "a.csv")), is_file(str(tmp_path / "in"))) == (True, False)
    assert folders(str(tmp_path)) == ["in"] and folders(str(tmp_path / "no")) == []
    assert exists("hdfs://nn/x") is None and folders("hdfs://nn/x") is None  # not known: let through
    (tmp_path / "link").symlink_to(tmp_path / "in")
    assert normalized(str(tmp_path / "link") + "/") == f"file:{tmp_path}/in"
    assert normalized("s3a://b/k/") == normalized("s3n://b/k") == "s3://b/k"
    with pytest.raises(InputError, match=r"^input path .*/no does not exist$"):
        check_input(str(tmp_path / "no"))


@pytest.mark.parametrize(
    ("output", "cause"),
    [("in", "is the input"), ("in/", "is the input"), (".", "contains the input"), ("in/out", "lies inside the input"),
     ("link/out", "lies inside the input"), ("report.txt", "is an existing file")],
)
def test_outputs_that_would_harm_the_input_are_refused(tmp_path: Path, output: str, cause: str) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "in")
    (tmp_path / "report.txt").write_text("keep me")
    with pytest.raises(JobArgumentError, match=cause):
        check_outputs([str(tmp_path / "in")], [str(tmp_path / output)])
    check_outputs([str(tmp_path / "in")], [str(tmp_path / "input2"), str(tmp_path / "input2_quarantine")])


def test_s3_paths_and_tables_on_a_moto_server(aws: str) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="lake")
    for key in ("rawData/customers/part1.csv", "processedData/orders/_dea_manifest/0000000001.json",
                "processedData/customers/year=2014/part-0.parquet", "processedData/_dq/metrics/metadata/v1.json",
                "processedData/_dq/orders/outcomes/part-0.parquet", "processedData/.orders.staging-1/x"):
        s3.put_object(Bucket="lake", Key=key, Body=b"x")
    assert [exists(p) for p in ("s3://lake/rawData/customers", "s3a://lake/rawData/customers/part1.csv",
                                "s3://lake/rawData/cust", "s3://nobucket/x", "s3://lake")] == [
        True, True, False, False, True]
    assert [is_file(p) for p in ("s3://lake/rawData/customers/part1.csv", "s3://lake/rawData/customers")] == [
        True, False]
    assert tables_in_lake("s3://lake") == tables_in_lake("s3n://lake/processedData/") == [
        "_dq/metrics", "_dq/orders/outcomes", "customers", "orders"]
    assert tables_in_lake("s3://nobucket") == []
    with pytest.raises(JobArgumentError, match="is the input"):
        check_outputs(["s3://lake/rawData/customers"], ["s3a://lake/rawData/customers/"])


def test_tables_in_a_local_lake(tmp_path: Path) -> None:
    for table in ("orders", "customer_sales", "_dq/metrics", "_dq/orders/outcomes", "_dq/orders/quarantine",
                  ".orders.staging-1", "_dea_runs"):
        (tmp_path / "processedData" / table).mkdir(parents=True)
        (tmp_path / "processedData" / table / "part-0.parquet").write_bytes(b"PAR1")  # a data file: a table
    (tmp_path / "processedData" / "empty").mkdir()  # a folder without data is no table
    assert tables_in_lake(str(tmp_path)) == [
        "_dq/metrics", "_dq/orders/outcomes", "_dq/orders/quarantine", "customer_sales", "orders"]
    assert [sql_name(t) for t in tables_in_lake(str(tmp_path))] == [
        "dq_metrics", "orders_dq_outcomes", "orders_dq_quarantine", "customer_sales", "orders"]
    assert tables_in_lake(str(tmp_path / "nolake")) == []
    with pytest.raises(UnknownTableError, match=r"no table 'ordres' in .*processedData; its tables: _dq/metrics, "):
        check_lake_table(str(tmp_path), "ordres")
    with pytest.raises(LakeLookupError):
        tables_in_lake("hdfs://nn/lake")
    check_lake_table("hdfs://nn/lake", "anything")  # cannot be listed: let through


# --- job checks ------------------------------------------------------------------------------------------


def test_job_checks(tmp_path: Path) -> None:
    with pytest.raises(UnknownTableError, match="unknown table 'nope'; give a seed table"):
        checks.table_name("nope")
    assert checks.table_name("glue://db/t") is None and checks.table_name("orders") == "orders"
    assert checks.table_name(str(Path(__file__).parent.parent / "examples" / "sensors.json")) == "sensors"
    with pytest.raises(UnknownTableError, match="unknown table 'nope'"):  # the names before the inputs
        checks.raw_to_processed({"lake": str(tmp_path), "tables": "customers,nope"})
    with pytest.raises(InputError, match="rawData/customers does not exist"):
        checks.raw_to_processed({"lake": str(tmp_path), "tables": "customers"})
    with pytest.raises(JobArgumentError, match="expected YYYY-MM, found '2014/05'"):
        checks.sales_mart({"lake": str(tmp_path), "months": "2014-04,2014/05"})
    with pytest.raises(JobArgumentError, match="--broadcast-max-bytes"):
        checks.sales_mart({"lake": str(tmp_path), "broadcast_max_bytes": "10MB"})
    with pytest.raises(InputError, match="no processed orders, customers, employees in "):
        checks.sales_mart({"lake": str(tmp_path)})
    with pytest.raises(UnknownTableError, match="no ruleset for table 'nope'"):
        checks.data_quality({"lake": str(tmp_path), "tables": "orders,nope"})
    with pytest.raises(InputError, match=r"sample file .*/customers.csv not found"):
        checks.pipeline({"data": str(tmp_path)})  # the first one missing
    assert checks.parse_months("2014-05, 2014-06") == (checks.Month(2014, 5), checks.Month(2014, 6))


def test_the_pipeline_over_small_sample_files_is_a_short_run(tmp_path: Path) -> None:
    """A short run's session starts its JVM for it (quick compiler only): the sample data, not a large one."""
    assert checks.short_pipeline({"data": str(Path(__file__).parent.parent / "data")})
    assert specs.PIPELINE.short_run is checks.short_pipeline
    with open(tmp_path / "orders.csv", "wb") as large:  # a sparse file: its size, not its bytes on disk
        large.truncate(checks.SHORT_RUN_BYTES + 1)
    assert not checks.short_pipeline({"data": str(tmp_path)})


def test_every_job_and_command_over_small_local_data_is_a_short_run(tmp_path: Path) -> None:
    """Small local inputs (the sample data, a test's lake) make a short run; a large one, or one on S3 (not
    listed for this), does not."""
    data = Path(__file__).parent.parent / "data"
    assert {name for name, job in specs.JOBS.items() if job.short_run is None} == set()
    lake = tmp_path / "lake"
    for folder in ("rawData/orders", "processedData/orders"):
        (lake / folder).mkdir(parents=True)
        (lake / folder / "part-0").write_bytes(b"x" * 1000)
    small = {"input": str(data / "customers.csv"), "lake": str(lake), "data": str(data)}
    assert [n for n, job in specs.JOBS.items() if job.short_run and not job.short_run(small)] == []
    assert checks.short_lake({"lake": str(lake / "processedData")})  # the lake given by its processed folder
    for folder in ("rawData/orders", "processedData/orders"):
        with open(lake / folder / "big", "wb") as big:
            big.truncate(checks.SHORT_RUN_BYTES)  # with the 1,000 bytes already there: just over
        assert not (checks.short_raw if folder.startswith("raw") else checks.short_lake)({"lake": str(lake)})
    assert not checks.short_input({"input": str(lake)})
    assert not checks.short_input({"input": "s3://bucket/orders.csv"}) and not checks.short_lake({"lake": "s3://b"})
    assert checks.short_input({"input": str(tmp_path / "not-there.csv")})  # nothing to read (the job says so)


def test_at_most_bytes_stops_counting_once_over(tmp_path: Path) -> None:
    from dea_etl.io.paths import at_most_bytes

    for i in range(3):
        (tmp_path / f"f{i}").write_bytes(b"x" * 10)
    assert at_most_bytes(30, str(tmp_path)) and not at_most_bytes(29, str(tmp_path))
    assert at_most_bytes(20, str(tmp_path / "f0"), str(tmp_path / "f1"))
    assert at_most_bytes(10, f"file:{tmp_path / 'f0'}") and not at_most_bytes(10**12, "s3://b/k")


# --- SQL ---------------------------------------------------------------------------------------------------


def _readme_queries() -> list[str]:
    import re
    import shlex

    text = "\n".join(p.read_text(encoding="utf-8") for p in [Path("README.md"), *Path("docs").glob("*.md")])
    return [shlex.split(m)[0] for m in re.findall(r"dea-etl sql (\"[^\"]+\")", text)]


def test_valid_queries_parse(tmp_path: Path) -> None:
    from tests.test_sql import COURSE_EXAMPLES

    queries = [q for _, q, _ in COURSE_EXAMPLES] + _readme_queries() + [
        "SELECT snapshot_id, summary['dea-etl.run-id'] FROM orders.snapshots",
        "SELECT * FROM orders LATERAL VIEW explode(array(1, 2)) t AS x",
        "SELECT transform(array(1, 2), x -> x + 1), current_date() - INTERVAL 3 DAYS",
        "SELECT * FROM orders TABLESAMPLE (10 PERCENT)",
        "SELECT * FROM orders PIVOT (sum(totaldue) FOR year IN (2013, 2014))",
        "SELECT count(*) FROM range(10)",
    ]
    assert len(queries) > len(COURSE_EXAMPLES) + 2
    for query in queries:
        parse_query(query)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELEC * FROM orders", "Syntax error at or near 'SELEC' (line 1, column 1)"),
        ("SELECT * FRM orders", "Syntax error at or near 'orders' (line 1, column 19)"),
        ("SELECT a FROM orders WHERE", "Syntax error at or near 'WHERE' (line 1, column 26)"),
        ("SELECT 'abc FROM orders", "Syntax error:"),
    ],
)
def test_syntax_errors(query: str, message: str) -> None:
    with pytest.raises(SqlSyntaxError) as caught:
        parse_query(query)
    assert str(caught.value).startswith("[PARSE_SYNTAX_ERROR] " + message)


def test_the_query_s_tables_are_the_lake_s(tmp_path: Path) -> None:
    for table in ("orders", "customers", "_dq/metrics"):
        (tmp_path / "processedData" / table).mkdir(parents=True)
        (tmp_path / "processedData" / table / "part-0.parquet").write_bytes(b"PAR1")
    query = ("WITH t AS (SELECT * FROM orders) SELECT * FROM t JOIN customers USING (customerid) "
             "JOIN dq_metrics ON true JOIN orders.snapshots ON true")
    assert sorted(named_tables(parse_query(query))) == ["customers", "dq_metrics", "orders"]
    check_query(query, str(tmp_path))
    with pytest.raises(SqlTableError, match=r"no table 'ordres' in .*processedData; its tables: dq_metrics, customers, orders"):
        check_query("SELECT * FROM ordres", str(tmp_path))
