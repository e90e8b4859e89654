"""A local command's start: the same commands with and without the JVM class-data archive.

``make bench ONLY=startup``. Setup (``make``) records which classes a local Spark session loads into
``build/jvm/`` (:mod:`dea_etl.jvm.cds`); every later local session maps them instead of loading and
verifying them again. Two everyday commands on the sample lake (``make run``'s) are timed as whole
processes, as a user runs them, once as they are and once with ``DEA_ETL_JVM_ARCHIVE=off``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from benchmarks import REPO, BenchContext, Ratio, Section, Timing
from benchmarks import run as run_process

QUERY = ("SELECT territory, COUNT(*) AS orders FROM orders o JOIN employees e ON o.employeeid = e.employeeid "
         "GROUP BY territory")


def _commands(lake: Path) -> dict[str, list[str]]:
    cli = str(Path(sys.executable).with_name("dea-etl"))
    return {
        "dea-etl sql (a join over the sample lake)": [cli, "sql", QUERY, "--lake", str(lake)],
        "dea-etl dq (rules/orders.dqdl on the sample lake)": [cli, "dq", "--ruleset", str(REPO / "rules/orders.dqdl"),
                                                              "--table", "orders", "--lake", str(lake)],
    }


def run(ctx: BenchContext) -> Section:
    from dea_etl.jvm import cds

    archive = cds.archive_path()
    if archive is None or not archive.is_file():
        raise RuntimeError("no class-data archive: run `make` (python -m dea_etl.jvm.cds --data data) first")
    lake = ctx.workdir / "startup" / "lake"
    shutil.rmtree(lake, ignore_errors=True)
    run_process([str(Path(sys.executable).with_name("dea-etl")), "pipeline", "--lake", str(lake), "--data", str(REPO / "data")])
    timings: list[Timing] = []
    ratios: list[Ratio] = []
    for i, (name, cmd) in enumerate(_commands(lake).items()):
        label = "ab"[i]
        with_archive = ctx.time(f"{label}1: {name}, with the archive", cmd)
        without = ctx.time(f"{label}2: {name}, DEA_ETL_JVM_ARCHIVE=off", ["env", f"{cds.SWITCH_ENV}=off", *cmd])
        timings += [with_archive, without]
        ratios.append(Ratio(f"{label}1 / {label}2 ({name}: with / without the archive)",
                            with_archive.median / without.median, 1.0))
    section = Section("Starting a local command: the JVM class-data archive", timings, ratios)
    section.notes = [
        f"The archive ({archive.stat().st_size / 2**20:.0f} MB in build/jvm/) is written once by setup from a run "
        "of the sample pipeline in both table formats (`python -m dea_etl.jvm.cds --data data`, about a minute). "
        "Each time is a whole process, Python and JVM start to exit; .bench/startup/lake is the sample lake, laid "
        "out by `dea-etl pipeline` in the bench's work folder."
    ]
    return section
