"""The growth bench's memory figure: the peak resident set of each process of a command, sampled from /proc."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from benchmarks.growth import sampled, sampled_on, with_driver_memory

GROW = "import time; block = bytearray(300 * 2**20); time.sleep(0.5)"
SMALL = "import time; time.sleep(0.5)"


def test_a_child_process_peak_is_seen_after_it_freed_its_memory() -> None:
    # The parent Python allocates nothing; its child holds 300 MiB for half a second, then exits.
    child = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {GROW!r}], check=True)"
    grown = sampled([sys.executable, "-c", child])
    small = sampled([sys.executable, "-c", SMALL])
    assert grown.python_mib >= 300 > small.python_mib
    assert grown.jvm_mib == small.jvm_mib == 0


def test_a_failing_command_is_measured_with_its_exit_status_when_not_checked() -> None:
    failed = sampled([sys.executable, "-c", "raise SystemExit(52)"], check=False)
    assert failed.returncode == 52
    with pytest.raises(RuntimeError, match=r"command failed \(52\)"):
        sampled([sys.executable, "-c", "raise SystemExit(52)"])


def test_the_bounded_runs_replace_the_driver_memory_or_add_it() -> None:
    cmd = ["spark-submit", "--master", "local[2]", "--driver-memory", "4g", "job.py", "--lake", "x"]
    assert with_driver_memory(cmd, "1g") == ["spark-submit", "--master", "local[2]", "--driver-memory", "1g",
                                             "job.py", "--lake", "x"]
    assert with_driver_memory(["spark-submit", "job.py"], "1g") == ["spark-submit", "--driver-memory", "1g", "job.py"]
    assert cmd[4] == "4g"  # the bench's own command is left as it was


def test_each_data_quality_run_starts_from_the_lake_as_it_was(tmp_path: Path) -> None:
    # The job moves rows out of its table; every measured run must find them back.
    lake, kept = tmp_path / "lake", tmp_path / "kept"
    (lake / "t").mkdir(parents=True)
    (lake / "t" / "part-0.parquet").write_text("all rows")
    shutil.copytree(lake, kept)
    job = ("import pathlib, sys; t = pathlib.Path(sys.argv[1]) / 't'; "
           "assert (t / 'part-0.parquet').read_text() == 'all rows', 'not put back'; "
           "(t / 'part-0.parquet').write_text('kept rows'); (t / 'moved.parquet').write_text('quarantined')")
    for _ in range(2):
        assert sampled_on(lake, kept, [sys.executable, "-c", job, str(lake)]).returncode == 0
    assert sorted(p.name for p in (lake / "t").iterdir()) == ["moved.parquet", "part-0.parquet"]
    assert (kept / "t" / "part-0.parquet").read_text() == "all rows"
    # without a kept copy the lake is left as the last run left it
    failed = sampled_on(lake, None, [sys.executable, "-c", job, str(lake)], check=False)
    assert failed.returncode == 1
