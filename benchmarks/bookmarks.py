"""Job bookmarks: 1,000 already-processed files plus 1 new one; the incremental run vs a full run.

Both runs are timed inside one Spark application (JVM start excluded, the same for both), since the point
is what the bookmark's state check costs: it lists the files and compares modification times, and must
not read old data.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from benchmarks import DRIVERS, BenchContext, Ratio, Section, Timing
from dea_etl.runtime.submit import submit_env

OLD_FILES = 1000

DRIVER = DRIVERS / "bookmarks_job.py"


def _split(csv: Path, folder: Path) -> tuple[int, Path]:
    """Split ``csv`` into OLD_FILES files (aged one hour) and a new file beside the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    lines = csv.read_text().splitlines(keepends=True)
    per_file = max(1, len(lines) // (OLD_FILES + 1))
    aged = time.time() - 3600
    for i in range(OLD_FILES):
        path = folder / f"part-{i:04d}.csv"
        path.write_text("".join(lines[i * per_file:(i + 1) * per_file]))
        os.utime(path, (aged, aged))
    new = folder.parent / "new-0000.csv"
    new.write_text("".join(lines[OLD_FILES * per_file:(OLD_FILES + 1) * per_file]))
    return per_file, new


def run(ctx: BenchContext) -> Section:
    import shutil
    import subprocess

    work = ctx.workdir / "bookmarks"
    shutil.rmtree(work / "out", ignore_errors=True)
    shutil.rmtree(work / "store", ignore_errors=True)
    per_file, new = _split(ctx.orders_csv(), work / "input")
    cmd = ctx.submit_cmd(DRIVER, str(work / "input"), str(new), str(work / "out"), str(work / "store"),
                         str(ctx.runs))
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", check=False, env=submit_env())
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr)[-3000:]
        raise RuntimeError(f"bookmark bench failed ({proc.returncode}):\n{tail}")
    measured = json.loads(proc.stdout.strip().splitlines()[-1])
    command = " ".join(cmd)
    full = Timing(f"a: csv_to_parquet, full run over {OLD_FILES + 1:,} files (in-process)", command,
                  measured["full"])
    incremental = Timing(f"b: csv_to_parquet, bookmarks on, 1 new file of {OLD_FILES + 1:,} (in-process)",
                         command, measured["incremental"])
    section = Section("Job bookmarks: incremental run vs full run", [full, incremental])
    section.ratios = [Ratio("b / a (incremental vs full)", incremental.median / full.median, 0.10)]
    section.notes.append(
        f"Input: the orders CSV split into {OLD_FILES:,} files of {per_file:,} rows, already processed "
        "(bookmark committed), plus 1 new file. Both runs are timed inside one Spark application; "
        "between rounds the bookmark is rewound so that the new file is new again."
    )
    return section
