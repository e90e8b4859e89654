"""Ten typical mistakes, each refused before a JVM starts: how long until the one-line error.

``make bench ONLY=mistakes`` (or ``python -m benchmarks --only mistakes``). Each mistake runs as a user runs
it, ``.venv/bin/dea-etl ...`` in a folder with the sample data and a small lake, and is timed as a whole
process; the target is under 2 s each. ``tests/test_preflight.py`` runs the same list and checks the exit
code, the single line, and that no pyspark was imported on the way (:data:`Mistake.pyspark`).
"""

from __future__ import annotations

import os
import shlex
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import REPO, BenchContext, Ratio, Section, Timing

#: A ruleset with a syntax error on line 3.
BAD_RULESET = 'Rules = [\n  IsComplete "customerid",\n  RowCount >\n]\n'
TARGET_SECONDS = 2.0


@dataclass(frozen=True)
class Mistake:
    name: str
    argv: tuple[str, ...]
    exit_code: int
    #: Why this path imports pyspark (no JVM), or "" when it does not.
    pyspark: str = ""


MISTAKES: tuple[Mistake, ...] = (
    Mistake("unknown table", ("run", "csv_to_parquet", "--table", "custmers", "--input", "data/customers.csv",
                              "--output", "out/customers"), 2),
    Mistake("missing input", ("run", "csv_to_parquet", "--table", "customers", "--input", "data/custmers.csv",
                              "--output", "out/customers"), 1),
    Mistake("SQL typo", ("sql", "SELEC * FROM orders", "--lake", "lake"), 1),
    Mistake("bad ruleset", ("dq", "--ruleset", "bad.dqdl", "--table", "orders", "--lake", "lake"), 2,
            pyspark="the DQDL parser is imported through dea_etl.quality, whose package imports the evaluator"),
    Mistake("unknown option", ("run", "raw_to_processed", "--lake", "lake", "--tabels", "orders"), 2),
    Mistake("bad value", ("run", "csv_to_parquet", "--table", "customers", "--input", "data/customers.csv",
                          "--output", "out/customers", "--write-mode", "replace"), 2),
    Mistake("output = input", ("run", "csv_to_parquet", "--table", "customers", "--input", "data/customers.csv",
                               "--output", "data"), 2),
    Mistake("unknown job", ("run", "raw_to_procesed", "--lake", "lake"), 2),
    Mistake("table history of a missing table", ("table", "history", "--table", "ordres", "--lake", "lake"), 2),
    Mistake("bad --months", ("run", "sales_mart", "--lake", "lake", "--months", "2014-13"), 2),
)


def lay_out(folder: Path) -> Path:
    """A working folder as after ``make run``, as far as the mistakes need: the sample data, a lake whose
    processedData/ holds the tables' folders, and a ruleset with an error."""
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "data"
    if not data.exists():
        data.symlink_to(REPO / "data")
    for table in ("customers", "employees", "orders", "_dq/orders/outcomes"):  # a data file makes a table
        (folder / "lake" / "processedData" / table).mkdir(parents=True, exist_ok=True)
        (folder / "lake" / "processedData" / table / "part-00000.parquet").write_bytes(b"PAR1")
    (folder / "bad.dqdl").write_text(BAD_RULESET, encoding="utf-8")
    return folder


def dea_etl() -> str:
    return str(Path(sys.executable).with_name("dea-etl"))


def attempt(mistake: Mistake, folder: Path, prefix: tuple[str, ...] = ()) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run the mistake in ``folder``: its wall time and the finished process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    started = time.perf_counter()
    proc = subprocess.run([*(prefix or (dea_etl(),)), *mistake.argv], cwd=folder, env=env, capture_output=True,
                          text=True, check=False)
    return time.perf_counter() - started, proc


def run(ctx: BenchContext) -> Section:
    folder = lay_out(ctx.workdir / "mistakes")
    section = Section("Mistakes refused before Spark starts")
    for mistake in MISTAKES:
        seconds = []
        for _ in range(ctx.runs):
            took, proc = attempt(mistake, folder)
            seconds.append(round(took, 3))
            if proc.returncode != mistake.exit_code or len(proc.stderr.strip().splitlines()) != 1:
                section.notes.append(f"{mistake.name}: exit {proc.returncode}, stderr {proc.stderr.strip()!r}")
        command = shlex.join(["dea-etl", *mistake.argv])
        section.timings.append(Timing(mistake.name, command, seconds))
        section.ratios.append(Ratio(f"{mistake.name}: median seconds", statistics.median(seconds), TARGET_SECONDS))
    section.notes.append(f"Each is `.venv/bin/dea-etl ...` as a whole process (Python start included), in a folder "
                         f"with data/ and a lake; target under {TARGET_SECONDS:.0f} s, exit code and one line each.")
    return section
