"""Explicit inputs are never ignored (issue 22): a file named on the command line is read whatever its name
(``_meta.csv``, ``.hidden.csv``, ``colon:x.csv``); what a folder scan skips as hidden is counted and named in
the run summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from jobs import csv_to_parquet
from pyspark.sql import SparkSession

from dea_etl.io import read_table


def run(src: Path, out: Path) -> tuple[int, dict[str, Any]]:
    summary = out.parent / "summary.json"
    code = csv_to_parquet.main(["--table", "customers", "--input", str(src), "--output", str(out),
                                "--summary-json", str(summary)])
    return code, json.loads(summary.read_text())["tables"][0]


def sources(spark: SparkSession, out: Path) -> set[str]:
    rows = read_table(spark, str(out) + "_quarantine").select("source_file").collect()
    return {unquote(r.source_file) for r in rows}


@pytest.mark.parametrize("name", ["_meta.csv", ".hidden.csv", "colon:x.csv", "_x:y.csv"])
def test_a_file_named_itself_is_read_whatever_its_name(spark: SparkSession, tmp_path: Path, name: str) -> None:
    src = tmp_path / "in" / name
    src.parent.mkdir()
    src.write_text("1,Ann,Able,Ann Able\n2,Bob,Best,Bob Best\nnot a row\n")
    out = tmp_path / "out"
    code, table = run(src, out)
    assert code == 0
    assert (table["rows_in"], table["rows_written"], table["rows_quarantined"]) == (3, 2, 1)
    assert sorted(r.customerid for r in read_table(spark, str(out)).collect()) == [1, 2]
    assert sources(spark, out) == {f"file://{src}"}  # its own name, not the name it was read under


def test_a_folder_scan_counts_and_names_what_it_skips_as_hidden(
    spark: SparkSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in"
    (src / "_tmp").mkdir(parents=True)
    (src / "sub" / ".cache").mkdir(parents=True)
    (src / "a.csv").write_text("1,Ann,Able,Ann Able\n")
    (src / "colon:b.csv").write_text("2,Bob,Best,Bob Best\n")
    for hidden in ("_meta.csv", ".hidden.csv", "_tmp/x.csv", "sub/.cache/y.csv", "sub/_SUCCESS"):
        (src / hidden).write_text("9,Not,Read,Not Read\n")
    out = tmp_path / "out"
    code, table = run(src, out)
    assert code == 0
    assert (table["files_read"], table["files_skipped"], table["rows_in"]) == (2, 5, 2)
    assert table["metrics"]["skipped as hidden"] == ".hidden.csv, _meta.csv, _tmp/, sub/.cache/, sub/_SUCCESS"
    assert "customers: skipped as hidden: .hidden.csv, _meta.csv, _tmp/, sub/.cache/, sub/_SUCCESS" in (
        capsys.readouterr().out)


def test_a_folder_of_hidden_files_only_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "_meta.csv").write_text("1,Ann,Able,Ann Able\n")
    assert csv_to_parquet.main(["--table", "customers", "--input", str(src), "--output", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: csv_to_parquet: no input files under {src} (skipped as hidden: _meta.csv)"]
