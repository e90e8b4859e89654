"""csv_to_parquet on real-world and hostile input (issue 14): each case a tiny file built here.

RFC 4180 records spanning lines, encodings, non-finite numbers, empty inputs, odd file names, and
outputs that would harm their input. Every record is written or quarantined with its file, first line
and exact text; rows in = written + quarantined.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from chispa import assert_df_equality
from jobs import csv_to_parquet, nyc_taxi
from pyspark.sql import DataFrame, SparkSession

from dea_etl.io import read_table
from dea_etl.tables.seed import TABLES
from dea_etl.transforms.parsing import UNBALANCED_QUOTES

ORDER = "43659,{id},5/31/2011,6/12/2011,6/7/2011,279,29825,20565.6206,1971.5149,616.0984,23153.2339,776,1,2024.994,0,{total}"


def order(i: int, total: str = "2024.994") -> str:
    return ORDER.format(id=i, total=total)


def run(table: str, src: Path, out: Path, *extra: str, summary: Path | None = None) -> tuple[int, dict[str, Any]]:
    summary = summary or out.parent / f"{out.name}-summary.json"
    code = csv_to_parquet.main(
        ["--table", table, "--input", str(src), "--output", str(out), "--summary-json", str(summary), *extra]
    )
    return code, json.loads(summary.read_text())


def counts(summary: dict[str, Any]) -> tuple[int, int, int]:
    t = summary["tables"][0]
    return t["rows_in"], t["rows_written"], t["rows_quarantined"]


def quarantine(spark: SparkSession, out: Path) -> DataFrame:
    return read_table(spark, str(out) + "_quarantine").select("source_file", "line_number", "raw_line", "reason")


def expected_quarantine(spark: SparkSession, src: Path, rows: list[tuple[int, str, str]]) -> DataFrame:
    return spark.createDataFrame(
        [(src.as_uri(), n, text, reason) for n, text, reason in rows],
        "source_file string, line_number long, raw_line string, reason string",
    )


def run_and_check_quarantine(
    spark: SparkSession, table: str, src: Path, out: Path, expected_counts: tuple[int, int, int],
    quarantined: list[tuple[int, str, str]],
) -> None:
    """Run the job; check rows in / written / quarantined and the quarantine's (line, text, reason) rows."""
    code, summary = run(table, src, out)
    assert code == 0 and counts(summary) == expected_counts
    expected = expected_quarantine(spark, src, quarantined)
    assert_df_equality(quarantine(spark, out), expected, ignore_row_order=True, ignore_nullable=True)


# --- 1. RFC 4180 records -------------------------------------------------------------------------------


def test_a_quoted_field_may_hold_line_breaks_in_any_field(spark: SparkSession, tmp_path: Path) -> None:
    src = tmp_path / "in" / "customers.csv"
    src.parent.mkdir()
    src.write_bytes(
        b'1,"Line1\nLine2",Abel,"Cat ""the cat"", Abel"\r\n'
        b'2,Ann,Bo,"Line1\r\nLine2"\r\n'
        b'3,"a\n\nb",,\n'
        b"4,x,y,z\n"
    )
    out = tmp_path / "out"
    code, summary = run("customers", src, out)
    assert code == 0 and counts(summary) == (4, 4, 0)
    assert "records_spanning_lines" in summary["tables"][0]["metrics"]  # read again, lines joined
    expected = spark.createDataFrame(
        [
            (1, "Line1\nLine2", "Abel", 'Cat "the cat", Abel'),
            (2, "Ann", "Bo", "Line1\nLine2"),
            (3, "a\n\nb", None, None),
            (4, "x", "y", "z"),
        ],
        "customerid int, firstname string, lastname string, fullname string",
    )
    assert_df_equality(read_table(spark, str(out)), expected, ignore_row_order=True, ignore_nullable=True)


def test_a_line_break_in_the_last_field_is_never_written_truncated(spark: SparkSession, tmp_path: Path) -> None:
    src = tmp_path / "in" / "orders.csv"
    src.parent.mkdir()
    lines = [order(1), order(2, '"89.\n982"'), order(3, '"89.982"'), order(4, "oops")]
    src.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    run_and_check_quarantine(
        spark, "orders", src, out, (4, 2, 2),
        [
            (2, order(2, '"89.\n982"'), "field 'linetotal': expected a finite DOUBLE, found '89.\n982'"),
            (5, order(4, "oops"), "field 'linetotal': expected a finite DOUBLE, found 'oops'"),
        ],
    )
    written = {r.salesorderdetailid: r.linetotal for r in read_table(spark, str(out)).collect()}
    assert written == {1: 2024.994, 3: 89.982}


def test_records_after_a_spanning_record_keep_their_own_line_numbers(spark: SparkSession, tmp_path: Path) -> None:
    src = tmp_path / "customers.csv"
    src.write_text('1,"a\nb\nc",x,y\n2,ok,ok,ok\nbad,1,2,3\n4,"d\ne",f,g\n5,only,three\n')
    run_and_check_quarantine(
        spark, "customers", src, tmp_path / "out", (5, 3, 2),
        [
            (5, "bad,1,2,3", "field 'customerid': expected INT, found 'bad'"),
            (8, "5,only,three", "malformed CSV record: expected 4 fields, found 3"),
        ],
    )


def test_a_quoted_field_left_open_is_quarantined_with_every_line_it_took(spark: SparkSession, tmp_path: Path) -> None:
    src = tmp_path / "customers.csv"
    src.write_text('1,a,b,c\n2,"never closed,b,c\n3,x,y,z\n')
    run_and_check_quarantine(
        spark, "customers", src, tmp_path / "out", (2, 1, 1), [(2, '2,"never closed,b,c\n3,x,y,z', UNBALANCED_QUOTES)]
    )


def test_a_stray_quote_is_one_bad_record_and_does_not_swallow_the_next_lines(
    spark: SparkSession, tmp_path: Path
) -> None:
    src = tmp_path / "customers.csv"
    src.write_text('1,a 5" screen,b,c\n2,x,y,z\n3,"p\nq",r,s\n')
    out = tmp_path / "out"
    run_and_check_quarantine(spark, "customers", src, out, (3, 2, 1), [(1, '1,a 5" screen,b,c', UNBALANCED_QUOTES)])
    assert sorted(r.customerid for r in read_table(spark, str(out)).collect()) == [2, 3]


# --- 2. Encodings ---------------------------------------------------------------------------------------


def test_bytes_not_valid_utf8_are_quarantined_not_replaced(spark: SparkSession, tmp_path: Path) -> None:
    src = tmp_path / "customers.csv"
    src.write_bytes(b"1,Jos\xe9,Abel,Jos\xe9 Abel\n2,Jos\xc3\xa9,Abel,ok\n3,a\x80,b,c\n4\xff,a,b,c\n")
    out = tmp_path / "out"
    code, summary = run("customers", src, out)
    assert code == 0 and counts(summary) == (4, 1, 3)
    assert [tuple(r) for r in read_table(spark, str(out)).collect()] == [(2, "José", "Abel", "ok")]
    reasons = {r.line_number: r.reason for r in quarantine(spark, out).collect()}
    assert reasons == {1: "bytes not valid in UTF-8", 3: "bytes not valid in UTF-8", 4: "bytes not valid in UTF-8"}
    # The quarantine keeps the bytes exactly as read (raw_bytes), beside valid text (raw_line).
    raw = read_table(spark, str(out) + "_quarantine").select("line_number", "raw_line", "raw_bytes")
    found = {r.line_number: (r.raw_line, bytes(r.raw_bytes)) for r in raw.collect()}
    assert found[1] == ("1,Jos\ufffd,Abel,Jos\ufffd Abel", b"1,Jos\xe9,Abel,Jos\xe9 Abel")


def test_encoding_option_reads_latin1_and_rejects_bytes_undefined_in_windows_1252(
    spark: SparkSession, tmp_path: Path
) -> None:
    src = tmp_path / "customers.csv"
    src.write_bytes(b"1,Jos\xe9,M\xfcller,\x80 sign\n")
    code, summary = run("customers", src, tmp_path / "latin1", "--encoding", "ISO-8859-1")
    assert code == 0 and counts(summary) == (1, 1, 0)
    assert [tuple(r) for r in read_table(spark, str(tmp_path / "latin1")).collect()] == [
        (1, "José", "Müller", "\x80 sign")
    ]
    src.write_bytes(b"1,Jos\xe9,M\xfcller,\x80 sign\n2,\x81,b,c\n")
    code, summary = run("customers", src, tmp_path / "cp1252", "--encoding", "windows-1252")
    assert code == 0 and counts(summary) == (2, 1, 1)
    assert [tuple(r) for r in read_table(spark, str(tmp_path / "cp1252")).collect()] == [
        (1, "José", "Müller", "€ sign")
    ]
    assert [r.reason for r in quarantine(spark, tmp_path / "cp1252").collect()] == ["bytes not valid in windows-1252"]


@pytest.mark.parametrize("encoding", ["UTF-16", "no-such-codec"])
def test_an_encoding_that_cannot_be_read_line_by_line_is_refused(
    tmp_path: Path, encoding: str, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "customers.csv"
    src.write_text("1,a,b,c\n")
    assert run("customers", src, tmp_path / "out", "--encoding", encoding)[0] == 2  # a bad argument
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and encoding in err
    assert not (tmp_path / "out").exists()


# --- 3. Values --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1e400", "-1e400", "NaN", "Infinity", "-Infinity", "inf"])
def test_non_finite_doubles_are_quarantined(spark: SparkSession, tmp_path: Path, value: str) -> None:
    src = tmp_path / "orders.csv"
    src.write_text(order(1) + "\n" + order(2, value) + "\n")
    out = tmp_path / "out"
    code, summary = run("orders", src, out)
    assert code == 0 and counts(summary) == (2, 1, 1)
    assert all(math.isfinite(r.linetotal) for r in read_table(spark, str(out)).collect())
    assert "records_spanning_lines" not in summary["tables"][0]["metrics"]  # one read: no line opens a record
    assert [r.reason for r in quarantine(spark, out).collect()] == [
        f"field 'linetotal': expected a finite DOUBLE, found '{value}'"
    ]


# --- 4. Empty inputs, no valid row, odd file names -------------------------------------------------------


@pytest.mark.parametrize("table", sorted(TABLES))
@pytest.mark.parametrize("content", ["", "\n\n", "not,a,valid,row\n"])
def test_empty_input_or_no_valid_row_works_for_every_table(
    spark: SparkSession, tmp_path: Path, table: str, content: str
) -> None:
    spec = TABLES[table]
    header = spec.header_line + "\n" if spec.header else ""
    src = tmp_path / "in" / f"{table}.csv"
    src.parent.mkdir()
    src.write_text(header + content)
    out = tmp_path / "out"
    code, summary = run(table, src, out)
    bad_rows = 1 if content.strip() else 0
    assert code == 0 and counts(summary) == (bad_rows, 0, bad_rows)
    assert spark.read.schema(spec.processed_schema).parquet(str(out)).count() == 0
    if bad_rows:
        assert quarantine(spark, out).count() == 1


@pytest.mark.parametrize("table", ["customers", "orders"])
def test_file_names_with_brackets_braces_spaces_and_percent_are_read(
    spark: SparkSession, tmp_path: Path, table: str
) -> None:
    folder = tmp_path / "in dir [x]"
    folder.mkdir()
    names = ["data[1].csv", "{x}.csv", "a b.csv", "100%.csv", "50%25 *.csv", "q?.csv"]
    for i, name in enumerate(names, start=1):
        row = order(i) if table == "orders" else f"{i},a,b,c"
        (folder / name).write_text(row + "\nbad\n")
    out = tmp_path / "out"
    code, summary = run(table, folder, out)
    assert code == 0 and counts(summary) == (12, 6, 6)
    assert summary["tables"][0]["files_read"] == 6
    sources = {unquote(r.source_file) for r in quarantine(spark, out).collect()}
    assert sources == {f"file://{folder / n}" for n in names}


# --- 5. Outputs that would harm the input -------------------------------------------------------------


def _input_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "raw" / "customers"
    folder.mkdir(parents=True)
    (folder / "part1.csv").write_text("1,a,b,c\n")
    return folder


@pytest.mark.parametrize(
    ("output", "cause"),
    [
        ("raw/customers", "is the input"),
        ("raw/customers/", "is the input"),
        ("raw", "contains the input"),
        ("raw/customers/processed", "lies inside the input"),
        ("raw/customers/part1.csv", "lies inside the input"),
    ],
)
def test_an_output_that_is_contains_or_lies_inside_the_input_is_refused(
    tmp_path: Path, output: str, cause: str, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _input_folder(tmp_path)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    code, summary = run("customers", src, tmp_path / output)
    err = capsys.readouterr().err.strip()
    assert code == 2 and summary["status"] == "failed"
    assert len(err.splitlines()) == 1 and cause in err and str(tmp_path / output).rstrip("/") in err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if "summary" not in p.name) == before


def test_an_input_folder_given_through_a_symlink_is_still_the_input(tmp_path: Path) -> None:
    src = _input_folder(tmp_path)
    (tmp_path / "link").symlink_to(src)
    code, summary = run("customers", tmp_path / "link", src / "out")
    assert code == 2 and "lies inside the input" in summary["error"]


def test_a_quarantine_inside_the_input_is_refused(tmp_path: Path) -> None:
    src = _input_folder(tmp_path)
    code, summary = run("customers", src, tmp_path / "out", "--quarantine", str(src / "q"))
    assert code == 2 and "lies inside the input" in summary["error"] and not (src / "q").exists()


def test_an_output_that_is_an_existing_file_is_refused(tmp_path: Path) -> None:
    src = _input_folder(tmp_path)
    target = tmp_path / "report.txt"
    target.write_text("keep me")
    code, summary = run("customers", src, target)
    assert code == 2 and "is an existing file" in summary["error"]
    assert target.read_text() == "keep me"


def test_nyc_taxi_refuses_an_output_inside_its_input(tmp_path: Path) -> None:
    src = tmp_path / "trips"
    src.mkdir()
    (src / "t.csv").write_text("x\n")
    code = nyc_taxi.main(["--input", str(src), "--output", str(src / "out"), "--summary-json", str(tmp_path / "s.json")])
    assert code == 2 and "lies inside the input" in json.loads((tmp_path / "s.json").read_text())["error"]


def test_an_unwritable_output_fails_with_the_path_and_the_cause(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _input_folder(tmp_path)
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "afile" / "customers"  # its parent is a file: no folder can be made there
    code, _summary = run("customers", src, out, summary=tmp_path / "summary.json")
    err = "\n".join(line for line in capsys.readouterr().err.splitlines() if not line.startswith("  stage "))
    assert code == 1 and len(err.splitlines()) == 1
    assert f"writing {out} failed:" in err
    assert "Py4J" not in err and "calling o" not in err


def test_s3_outputs_are_checked_against_s3_inputs_with_any_scheme(spark: SparkSession, aws: str) -> None:
    import boto3

    from dea_etl.errors import JobArgumentError
    from dea_etl.io.paths import check_outputs
    from dea_etl.runtime.session import apply_s3a

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="lake")
    s3.put_object(Bucket="lake", Key="rawData/customers/part1.csv", Body=b"1,a,b,c\n")
    s3.put_object(Bucket="lake", Key="processedData/report", Body=b"a file")
    apply_s3a(spark)
    src = "s3://lake/rawData/customers"
    for output, cause in [
        ("s3a://lake/rawData/customers/", "is the input"),
        ("s3://lake/rawData", "contains the input"),
        ("s3n://lake/rawData/customers/out", "lies inside the input"),
        ("s3://lake/processedData/report", "is an existing file"),
    ]:
        with pytest.raises(JobArgumentError, match=cause):
            check_outputs(spark, [src], [output])
    check_outputs(spark, [src], ["s3://lake/rawData/customers2", "s3://lake/processedData/customers"])
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="lake")["Contents"])
    assert keys == ["processedData/report", "rawData/customers/part1.csv"]
