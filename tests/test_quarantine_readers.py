"""A quarantine every tool reads (issue 22): bytes that are not valid in the file's encoding are kept exactly
in ``raw_bytes`` (binary) while ``raw_line`` stays valid UTF-8 text; DuckDB and pyarrow read the quarantine
as Spark wrote it (both refused it when ``raw_line`` held invalid UTF-8)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
from jobs import csv_to_parquet
from pyspark.sql import SparkSession

LINES = b"1,Jos\xe9,Abel,Jos\xe9 Abel\n2,ok,ok,ok\n3,a\x80\xff,b,c\nx,plain,bad,row\n"
EXPECTED = [
    (1, "1,Jos\ufffd,Abel,Jos\ufffd Abel", b"1,Jos\xe9,Abel,Jos\xe9 Abel", "bytes not valid in UTF-8"),
    (3, "3,a\ufffd\ufffd,b,c", b"3,a\x80\xff,b,c", "bytes not valid in UTF-8"),
    (4, "x,plain,bad,row", None, "field 'customerid': expected INT, found 'x'"),
]


def _quarantine_files(out: Path) -> list[str]:
    found = sorted(str(p) for p in Path(f"{out}_quarantine").rglob("*.parquet"))
    assert found
    return found


def _convert(tmp_path: Path, data: bytes, *extra: str) -> Path:
    src, out = tmp_path / "customers.csv", tmp_path / "out"
    src.write_bytes(data)
    assert csv_to_parquet.main(["--table", "customers", "--input", str(src), "--output", str(out), *extra]) == 0
    return out


def test_duckdb_and_pyarrow_read_a_quarantine_of_invalid_utf8(spark: SparkSession, tmp_path: Path) -> None:
    out = _convert(tmp_path, LINES)
    files = _quarantine_files(out)
    rows = duckdb.sql(f"SELECT line_number, raw_line, raw_bytes, reason FROM read_parquet({files}) "
                      "ORDER BY line_number").fetchall()
    assert [(n, line, bytes(b) if b is not None else None, r) for n, line, b, r in rows] == EXPECTED
    table = pq.ParquetDataset(files).read().sort_by("line_number")
    assert list(zip(*(table.column(c).to_pylist() for c in ("line_number", "raw_line", "raw_bytes", "reason")),
                    strict=True)) == EXPECTED


def test_bytes_undefined_in_another_encoding_are_kept_too(spark: SparkSession, tmp_path: Path) -> None:
    out = _convert(tmp_path, b"1,Jos\xe9,ok,ok\n2,\x81,b,c\n", "--encoding", "windows-1252")
    rows = duckdb.sql(f"SELECT line_number, raw_line, raw_bytes, reason FROM read_parquet({_quarantine_files(out)})"
                      ).fetchall()
    assert [(n, line, bytes(b), r) for n, line, b, r in rows] == [
        (2, "2,\ufffd,b,c", b"2,\x81,b,c", "bytes not valid in windows-1252")]
