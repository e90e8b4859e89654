"""csv_to_parquet end to end through ``main(argv)``: accounting, quarantine, idempotence, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from chispa import assert_df_equality
from jobs import csv_to_parquet, nyc_taxi
from pyspark.sql import SparkSession

from dea_etl.io import read_table

CRLF = "\r\n"


def write(path: Path, lines: list[str], *, end: str = CRLF, final_newline: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = end.join(lines) + (end if final_newline else "")
    path.write_bytes(body.encode())
    return path


def customers_lines(n: int) -> list[str]:
    return [f"{i},First{i},Last{i},First{i} Last{i}" for i in range(1, n + 1)]


def run_job(src: Path, out: Path, summary: Path, table: str = "customers") -> int:
    return csv_to_parquet.main(
        ["--table", table, "--input", str(src), "--output", str(out), "--summary-json", str(summary)]
    )


def test_1000_customers_with_3_malformed_lines(spark: SparkSession, tmp_path: Path) -> None:
    lines = customers_lines(1000)
    lines[9] = "10,First10,Last10"  # a field missing (line 10)
    lines[499] = "abc,First500,Last500,First500 Last500"  # text in the integer key (line 500)
    lines[999] = "1000,First1000,Last1000,First1000 Last1000,extra"  # a field too many (line 1000)
    src = write(tmp_path / "in" / "customers.csv", lines)
    out, summary = tmp_path / "out" / "customers", tmp_path / "summary.json"

    assert run_job(src, out, summary) == 0

    result = json.loads(summary.read_text())["tables"][0]
    assert (result["rows_in"], result["rows_written"], result["rows_quarantined"]) == (1000, 997, 3)
    assert read_table(spark, str(out)).count() == 997
    quarantined = read_table(spark, str(out) + "_quarantine").select("source_file", "line_number", "raw_line", "reason")
    expected = spark.createDataFrame(
        [
            (src.as_uri(), 10, "10,First10,Last10", "malformed CSV record: expected 4 fields, found 3"),
            (src.as_uri(), 500, lines[499], "field 'customerid': expected INT, found 'abc'"),
            (src.as_uri(), 1000, lines[999], "malformed CSV record: expected 4 fields, found 5"),
        ],
        "source_file string, line_number long, raw_line string, reason string",
    )
    expected = expected.withColumn("source_file", expected.source_file.substr(1, 10_000))
    assert_df_equality(
        quarantined.withColumn("source_file", quarantined.source_file.substr(1, 10_000)),
        expected,
        ignore_row_order=True,
        ignore_nullable=True,
    )


def test_rerun_with_same_input_gives_the_same_table(spark: SparkSession, tmp_path: Path) -> None:
    src = write(tmp_path / "customers.csv", [*customers_lines(50), "bad"])
    out = tmp_path / "out"
    assert run_job(src, out, tmp_path / "s1.json") == 0
    first = read_table(spark, str(out)).localCheckpoint()
    assert run_job(src, out, tmp_path / "s2.json") == 0
    assert_df_equality(read_table(spark, str(out)), first, ignore_row_order=True)
    assert read_table(spark, str(out) + "_quarantine").count() == 1
    assert json.loads((tmp_path / "s2.json").read_text())["tables"][0]["rows_in"] == 51


def test_header_crlf_and_no_final_newline(spark: SparkSession, tmp_path: Path, data_dir: Path) -> None:
    header = (data_dir / "tripdata.csv").read_text().splitlines()[0]
    rows = (data_dir / "tripdata.csv").read_text().splitlines()[1:4]
    src = write(tmp_path / "trips.csv", [header, *rows], final_newline=False)
    out = tmp_path / "trips"
    assert nyc_taxi.main(["--input", str(src), "--output", str(out), "--summary-json", str(tmp_path / "s.json")]) == 0
    result = json.loads((tmp_path / "s.json").read_text())["tables"][0]
    assert (result["rows_in"], result["rows_written"], result["lines_skipped"]) == (3, 3, 1)
    df = read_table(spark, str(out))
    assert df.where("lpep_pickup_datetime is null or store_and_fwd_flag like '%\r%'").count() == 0
    assert df.where("ehail_fee is null").count() == 3


def test_missing_input_fails_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run_job(tmp_path / "nope.csv", tmp_path / "out", tmp_path / "s.json")
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert len(err.splitlines()) == 1 and "does not exist" in err and "nope.csv" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--input", "x", "--output", "y"], "required: --table"),
        (["--table", "nope", "--input", "x", "--output", "y"], "unknown table 'nope'"),
        (["--table", "customers", "--input", "x", "--output", "y", "--bogus", "1"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert csv_to_parquet.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


def test_run_failing_while_writing_leaves_the_previous_table(spark: SparkSession, tmp_path: Path) -> None:
    good = write(tmp_path / "in" / "good.csv", customers_lines(5))
    out = tmp_path / "out"
    assert run_job(good, out, tmp_path / "s1.json") == 0
    before = read_table(spark, str(out)).localCheckpoint()
    # Second run: one good file and one corrupt gzip file; the Spark job fails in the middle of writing.
    write(tmp_path / "in" / "more.csv", customers_lines(3))
    (tmp_path / "in" / "broken.csv.gz").write_bytes(b"\x1f\x8b\x08\x00 this is not gzip data")
    assert run_job(tmp_path / "in", out, tmp_path / "s2.json") == 1
    assert json.loads((tmp_path / "s2.json").read_text())["status"] == "failed"
    assert_df_equality(read_table(spark, str(out)), before, ignore_row_order=True)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_summary_that_cannot_be_written_to_s3_is_one_line_and_exit_1(
    spark: SparkSession, aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dea_etl.runtime.session import apply_s3a

    apply_s3a(spark)
    src = write(tmp_path / "in" / "customers.csv", customers_lines(3))
    summary = "s3://no-such-bucket/summary.json"
    assert csv_to_parquet.main(["--table", "customers", "--input", str(src), "--output", str(tmp_path / "out"),
                                "--summary-json", summary]) == 1
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if not line.startswith("  stage ")]  # progress lines aside
    assert len(errors) == 1 and errors[0].startswith("error: cannot write the run summary: cannot write s3://no-such-bucket/")
    assert read_table(spark, str(tmp_path / "out")).count() == 3
    assert not Path("s3:").exists()
