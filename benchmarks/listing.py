"""Bookmarked runs over a prefix holding many already-processed files: what listing costs per new file.

Glue users keep years of daily drops under one prefix. A bookmarked run must find the new files among
them; like Glue's own job bookmarks (which compare each listed object's last-modified time with the
bookmark's), dea-etl lists the prefix and reads nothing old. The listing grows with the prefix (S3 returns
at most 1,000 keys per ListObjectsV2 page); everything else a run does should depend on the new files
only. For 10,000 and 100,000 old files in a local folder and in a bucket on a moto_server, the driver
(``drivers/listing_job.py``, one Spark process) times the listing alone and a whole bookmarked
csv_to_parquet run that reads the new files, and counts the run's S3 requests by operation.
"""

from __future__ import annotations

from statistics import median
from typing import Any

from benchmarks import DRIVERS, REPO, BenchContext, Ratio, Section, Timing, driver_json

COUNTS = (10_000, 100_000)
NEW = 10
SCRIPT = DRIVERS / "listing_job.py"
#: The largest prefix's run against the smallest's, per new file and beyond the listing's pages.
TARGET = 1.15


def _others(ops: dict[str, int]) -> int:
    """The requests of a run that are not listing pages."""
    return sum(v for k, v in ops.items() if k != "ListObjects")


def run(ctx: BenchContext) -> Section:
    work = ctx.workdir / "listing"
    cmd = ctx.submit_cmd(SCRIPT, str(work), str(ctx.runs), ",".join(map(str, COUNTS)), str(NEW),
                         str(REPO / "data" / "orders.csv"))
    results = driver_json(cmd)
    where = f"{SCRIPT} (timed in-process)"
    section = Section(f"Bookmarked runs over {', '.join(f'{c:,}' for c in COUNTS)} processed files: listing cost")
    table = ["| store | old files | listing s | run s | run s beyond its listing | S3 requests of the listing | "
             "S3 requests of the run (by operation) | moto ms per ListObjects | requests per new file, listing "
             "pages apart |", "|---|---:|---:|---:|---:|---:|---|---:|---:|"]
    by_store: dict[str, dict[int, dict[str, Any]]] = {}
    for r in results:
        by_store.setdefault(r["store"], {})[r["old"]] = r
        section.timings.append(Timing(f"{r['store']}: listing {r['old'] + r['new']:,} files", where, r["listing_s"]))
        section.timings.append(Timing(f"{r['store']}: bookmarked csv_to_parquet, {r['new']} new of "
                                      f"{r['old'] + r['new']:,} files", where, r["run_s"]))
        ops = r["run_ops"]
        per_new = f"{_others(ops) / r['new']:.1f}" if ops else "-"
        by_op = ", ".join(f"{k} {v}" for k, v in sorted(ops.items())) or "-"
        table.append(
            f"| {r['store']} | {r['old']:,} | {median(r['listing_s']):.2f} | {median(r['run_s']):.2f} | "
            f"{_beyond(r):.2f} | {sum(r['listing_ops'].values()) or '-'} | {by_op} | {r['list_ms'] or '-'} | "
            f"{per_new} |"
        )
    small, large = min(COUNTS), max(COUNTS)
    for store, found in by_store.items():
        a, b = found[small], found[large]
        section.ratios.append(Ratio(f"{store}: run seconds with {large:,} old files / with {small:,}",
                                    median(b["run_s"]) / median(a["run_s"]), TARGET))
        beyond = "beyond its listing and moto's per-listing cost" if b["run_ops"] else "beyond its listing"
        section.ratios.append(Ratio(f"{store}: run seconds {beyond}, {large:,} / {small:,}",
                                    _beyond(b) / _beyond(a), TARGET))
        if b["run_ops"]:
            section.ratios.append(Ratio(f"{store}: requests per new file beyond listing pages, {large:,} / {small:,}",
                                        _others(b["run_ops"]) / max(1, _others(a["run_ops"])), TARGET))
    section.notes.append("\n".join(table))
    section.notes.append(
        f"Each file holds 3 orders lines; the {NEW} new files land after the bookmark's "
        "time. The bookmark is written as the run that processed the old files would have left it (Glue's "
        "`HadoopDataSourceJobBookmarkState`, CURR_RUN_START_TIME after the last old file, maxBand 0) instead of "
        "reading them all first, and is rewound to it after each run; each run checks that it wrote exactly the "
        "new files' rows. Glue's bookmarks list the whole prefix too: to bound the listing itself, lay drops out "
        "in partitions (`.../year=2026/month=12/`) and point the job at the partitions that can hold new files."
    )
    return section


def _beyond(r: dict[str, Any]) -> float:
    """A run's seconds beyond its listing and, on moto, beyond what moto's listings cost more in a larger bucket
    (moto scans the whole bucket for every ListObjects; S3 serves a page in the same time whatever the bucket
    holds): the run's ListObjects requests times moto's measured cost of one."""
    lists = r["run_ops"].get("ListObjects", 0) - sum(r["listing_ops"].values())
    return float(median(r["run_s"]) - median(r["listing_s"]) - max(0, lists) * r["list_ms"] / 1000)
