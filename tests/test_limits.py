"""Bounded work (issue 22): a CSV line, a record joined from lines or a field over its limit goes to the
quarantine with a reason naming the limit, instead of filling the executor's memory (a 50 MB field did).
The limits are set low here so that the inputs stay small."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jobs import csv_to_parquet
from pyspark.sql import SparkSession

from dea_etl.io import read_table
from dea_etl.transforms.limits import DEFAULT_MAX_FIELD_BYTES, DEFAULT_MAX_LINE_BYTES, PREFIX_CHARS


def run(tmp_path: Path, text: str, *limits: str) -> tuple[int, dict[str, Any]]:
    src, out, summary = tmp_path / "in.csv", tmp_path / "out", tmp_path / "summary.json"
    src.write_text(text)
    code = csv_to_parquet.main(["--table", "customers", "--input", str(src), "--output", str(out),
                                "--summary-json", str(summary), *limits])
    tables = json.loads(summary.read_text())["tables"] if summary.exists() else []
    return code, tables[0] if tables else {}


def quarantined(spark: SparkSession, tmp_path: Path) -> list[tuple[int, str, str]]:
    rows = read_table(spark, str(tmp_path / "out_quarantine")).orderBy("line_number").collect()
    return [(r.line_number, r.raw_line, r.reason) for r in rows]


def test_the_defaults_are_documented_sizes() -> None:
    assert (DEFAULT_MAX_LINE_BYTES, DEFAULT_MAX_FIELD_BYTES, PREFIX_CHARS) == (8 * 1024 * 1024, 1024 * 1024, 1024)


def test_a_line_over_the_limit_is_quarantined_with_its_first_characters(spark: SparkSession, tmp_path: Path) -> None:
    long_line = "2," + "x" * 3000 + ",Best,Bob Best"
    code, table = run(tmp_path, f"1,Ann,Able,Ann Able\n{long_line}\n3,Kim,A,Kim A\n", "--max-line-bytes", "2000")
    assert code == 0 and (table["rows_in"], table["rows_written"], table["rows_quarantined"]) == (3, 2, 1)
    assert quarantined(spark, tmp_path) == [
        (2, long_line[:PREFIX_CHARS], "record of 3016 bytes is over the limit of 2000 bytes (--max-line-bytes); "
                                      "raw_line keeps its first 1024 characters")]


def test_a_quoted_field_spanning_lines_is_held_to_the_limit_before_its_lines_are_joined(
    spark: SparkSession, tmp_path: Path
) -> None:
    spanning = '2,"' + "\n".join(["y" * 40] * 5) + '",Best,Bob'  # one record of 5 lines: 213 bytes without the line breaks
    text = f'1,"a\nb",Able,Ann\n{spanning}\n8,Kim,A,Kim A\n'
    code, table = run(tmp_path, text, "--max-line-bytes", "100")
    assert code == 0 and (table["rows_in"], table["rows_written"], table["rows_quarantined"]) == (3, 2, 1)
    assert quarantined(spark, tmp_path) == [
        (3, '2,"' + "y" * 40, "record of 213 bytes is over the limit of 100 bytes (--max-line-bytes); "
                             "raw_line keeps its first 1024 characters")]
    written = read_table(spark, str(tmp_path / "out")).orderBy("customerid").collect()
    assert [(r.customerid, r.firstname) for r in written] == [(1, "a\nb"), (8, "Kim")]


def test_a_field_over_the_limit_is_quarantined(spark: SparkSession, tmp_path: Path) -> None:
    code, table = run(tmp_path, "1,Ann,Able,Ann Able\n2,Bartholomew-Maximilian,Best,Bob\n", "--max-field-bytes", "12")
    assert code == 0 and (table["rows_written"], table["rows_quarantined"]) == (1, 1)
    assert quarantined(spark, tmp_path) == [
        (2, "2,Bartholomew-Maximilian,Best,Bob",
         "field 'firstname': 22 bytes, over the limit of 12 bytes (--max-field-bytes)")]


@pytest.mark.parametrize(("flag", "value"), [("--max-line-bytes", "0"), ("--max-line-bytes", "8MB"),
                                             ("--max-field-bytes", "-1")])
def test_a_limit_that_is_not_a_size_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, value: str
) -> None:
    code, _ = run(tmp_path, "1,Ann,Able,Ann Able\n", flag, value)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and flag in err[0]
