"""One line, always (issue 22): a failure the user meets is one line on stderr, whatever Spark or Java
said on the way (a lost bucket, a full disk, a damaged bookmark, a query too deep for the parser); the
traceback and Spark's own log only with ``--debug``. ``capfd`` reads the process's stderr itself, so the
JVM's log would show here too."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from jobs import csv_to_parquet
from pyspark.sql import SparkSession

from dea_etl.bookmarks import BookmarkEntry, open_store
from dea_etl.cli import main
from dea_etl.errors import DEBUG_ENV
from dea_etl.pipelines import JOBS
from dea_etl.runtime import run_job

CUSTOMERS = "".join(f"{i},Ann,Able,Ann Able\n" for i in range(1, 4))


@pytest.fixture(autouse=True)
def no_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DEBUG_ENV, raising=False)


def _stderr_lines(capfd: pytest.CaptureFixture[str]) -> list[str]:
    """stderr's lines but the progress lines a slow stage prints off a TTY (``  stage 0 (parquet): ...``)."""
    return [line for line in capfd.readouterr().err.splitlines() if line.strip() and not line.startswith("  stage ")]


def _input(tmp_path: Path) -> Path:
    src = tmp_path / "in" / "customers.csv"
    src.parent.mkdir(parents=True)
    src.write_text(CUSTOMERS)
    return src


def test_an_s3_output_whose_bucket_is_gone_is_one_line(
    spark: SparkSession, aws: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    argv = ["--table", "customers", "--input", str(_input(tmp_path)), "--output", "s3://lost-bucket/processed/customers"]
    assert csv_to_parquet.main(argv) == 1
    err = _stderr_lines(capfd)
    assert len(err) == 1, err
    assert err[0].startswith("error: csv_to_parquet: ") and "bucket does not exist" in err[0]


def test_with_debug_the_traceback_and_spark_log_show(
    spark: SparkSession, aws: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    argv = ["--table", "customers", "--input", str(_input(tmp_path)), "--output", "s3://lost-bucket/x", "--debug"]
    assert csv_to_parquet.main(argv) == 1
    err = _stderr_lines(capfd)
    assert any(line.startswith("Traceback") for line in err) and len(err) > 20
    assert err[-1].startswith("error: csv_to_parquet: ") and "bucket does not exist" in err[-1]


@pytest.fixture()
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KB file system: what a full disk looks like to a job."""
    if os.geteuid() != 0:
        pytest.skip("a full disk is a small tmpfs here, and mounting one needs root")
    folder = tmp_path / "full"
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)  # the failed write may hold a file open


def test_a_full_disk_is_one_line(
    spark: SparkSession, tmp_path: Path, full_disk: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "big.csv"
    # ~7 MB of text that does not compress: it cannot fit in 256 KB
    src.write_text("".join(f"{i},{os.urandom(20).hex()},{os.urandom(20).hex()},{os.urandom(40).hex()}\n"
                           for i in range(40_000)))
    assert csv_to_parquet.main(["--table", "customers", "--input", str(src), "--output", str(full_disk / "out")]) == 1
    err = _stderr_lines(capfd)
    assert err == [f"error: csv_to_parquet: writing {full_disk / 'out'} failed: No space left on device"]


def test_a_damaged_bookmark_entry_names_the_file_and_the_previous_good_version(
    spark: SparkSession, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    lake, store = tmp_path / "lake", tmp_path / "store"
    (lake / "rawData" / "customers").mkdir(parents=True)
    (lake / "rawData" / "customers" / "c1.csv").write_text(CUSTOMERS)
    argv = ["--lake", str(lake), "--tables", "customers", "--job-bookmark-option", "job-bookmark-enable",
            "--bookmark-store", str(store), "--JOB_NAME", "nightly"]
    for run in ("run-1", "run-2"):
        assert run_job(JOBS["raw_to_processed"], [*argv, "--run-id", run]) == 0
    capfd.readouterr()
    second = store / "nightly" / "0000000002.json"
    second.write_text(second.read_text()[:40])  # truncated
    damaged = f"bookmark file {second} is damaged (JSONDecodeError: "
    previous = (f"); the previous good version is 1 ({store / 'nightly' / '0000000001.json'}, run run-1). "
                "Move the damaged file aside to go on from there")
    assert run_job(JOBS["raw_to_processed"], [*argv, "--run-id", "run-3"]) == 1
    err = _stderr_lines(capfd)
    assert len(err) == 1 and err[0].startswith(f"error: raw_to_processed: {damaged}") and err[0].endswith(previous)
    assert main(["bookmark", "show", "--job", "nightly", "--bookmark-store", str(store)]) == 1
    err = _stderr_lines(capfd)
    assert len(err) == 1 and err[0].startswith(f"error: {damaged}") and err[0].endswith(previous)


def test_a_query_too_deep_for_the_parser_is_one_line(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    query = "SELECT " + " + ".join(["1"] * 3000)
    assert main(["sql", query, "--lake", str(tmp_path)]) == 1
    assert _stderr_lines(capfd) == [
        "error: does not parse: the query is nested too deeply for Spark (java.lang.StackOverflowError); split it up"]


def test_an_unexpected_failure_of_a_command_is_one_line_and_debug_shows_its_traceback(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    open_store(str(store)).create(BookmarkEntry("job", version=1, run=1, run_id="r1"))
    (store / "job" / "0000000002.claim").write_text("{not json")
    argv = ["bookmark", "show", "--job", "job", "--bookmark-store", str(store)]
    assert main(argv) == 1
    err = _stderr_lines(capfd)
    assert len(err) == 1 and err[0].startswith(f"error: bookmark: bookmark file {store / 'job' / '0000000002.claim'} "
                                               "is damaged (JSONDecodeError: ")
    assert main([*argv, "--debug"]) == 1
    err = _stderr_lines(capfd)
    assert err[0].startswith("Traceback") and err[-1].startswith("error: bookmark: bookmark file")


def test_with_debug_a_failure_a_command_handles_shows_its_traceback_too(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    unknown = (f"error: [TABLE_OR_VIEW_NOT_FOUND] no table 'nope' in {tmp_path}/processedData; its tables: none: "
               "run the pipeline first (make run)")
    assert main(["sql", "SELECT * FROM nope", "--lake", str(tmp_path)]) == 1
    assert _stderr_lines(capfd) == [unknown]
    assert main(["--debug", "sql", "SELECT * FROM nope", "--lake", str(tmp_path)]) == 1
    err = _stderr_lines(capfd)
    assert err[0].startswith("Traceback") and err[-1] == unknown
