"""DQ bench driver, run by ``benchmarks/dq.py`` through spark-submit.

``dq_job.py PARQUET RUNS RULES_JSON GROUPED_JSON ROW_LEVEL_RULES_JSON SAMPLE_ROWS GROUPED_RULES_JSON`` prints
``BENCH_JSON {...}``: seconds of a count() scan, of one evaluate() of every rule, of one evaluate() per rule, of a
scan reading every column, of the fused aggregation alone and of Deequ's EvaluateDataQuality on every rule
(``engine="deequ"``), then of both engines on the row-level CustomSql rules over the first SAMPLE_ROWS rows and
on the second, group-by heavy ruleset; the jobs/stages of one evaluation; the rules that failed, ours and
Deequ's.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

from pyspark.sql import functions as F

from dea_etl.io import read_table
from dea_etl.quality import evaluate
from dea_etl.runtime import get_spark


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return round(time.perf_counter() - t0, 3)


def main(argv: list[str]) -> None:
    spark, _ = get_spark("bench-dq")  # the session dea-etl's own jobs and `dea-etl dq` run in (both engines)
    spark.sparkContext.setLogLevel("ERROR")
    path, runs, rules = argv[0], int(argv[1]), json.loads(argv[2])
    grouped = tuple(json.loads(argv[3]))
    row_level = "Rules = [\n" + ",\n".join(json.loads(argv[4])) + "\n]"
    sample_rows = int(argv[5])
    grouped_ruleset = "Rules = [\n" + ",\n".join(json.loads(argv[6])) + "\n]"
    ruleset = "Rules = [\n" + ",\n".join(rules) + "\n]"
    fused_only = "Rules = [\n" + ",\n".join(r for r in rules if not r.startswith(grouped)) + "\n]"
    df = read_table(spark, path)
    sample = df.limit(sample_rows).localCheckpoint()  # the same rows for both engines, read once

    def naive() -> None:
        for rule in rules:
            evaluate(df, "Rules = [ " + rule + " ]").collect()

    def scan() -> None:
        df.agg(*[F.max(c) for c in df.columns]).collect()

    out: dict[str, Any] = {"count": [], "evaluate": [], "naive": [], "scan": [], "fused": [], "deequ": [], "rowlevel": [],
                           "rowlevel_deequ": [], "grouped": [], "grouped_deequ": []}
    for i in range(runs + 1):  # the first round warms the JVM and the page cache and is not kept
        measured = {
            "count": timed(df.count),
            "evaluate": timed(lambda: evaluate(df, ruleset).collect()),
            "naive": timed(naive),
            "scan": timed(scan),
            "fused": timed(lambda: evaluate(df, fused_only).collect()),
            "deequ": timed(lambda: evaluate(df, ruleset, engine="deequ").collect()),
            "rowlevel": timed(lambda: evaluate(sample, row_level).collect()),
            "rowlevel_deequ": timed(lambda: evaluate(sample, row_level, engine="deequ").collect()),
            "grouped": timed(lambda: evaluate(df, grouped_ruleset).collect()),
            "grouped_deequ": timed(lambda: evaluate(df, grouped_ruleset, engine="deequ").collect()),
        }
        if i:
            for key, seconds in measured.items():
                out[key].append(seconds)
    sc = spark.sparkContext
    sc.setJobGroup("dq-bench-jobs", "one evaluation")
    outcomes = evaluate(df, ruleset).collect()
    tracker = sc.statusTracker()
    job_ids = tracker.getJobIdsForGroup("dq-bench-jobs")
    infos = [tracker.getJobInfo(j) for j in job_ids]
    out["jobs"] = [len(job_ids), sum(len(info.stageIds) for info in infos if info is not None)]
    out["failed"] = [r["Rule"] for r in outcomes if r["Outcome"] != "Passed"]
    theirs = evaluate(df, ruleset, engine="deequ").collect()
    out["deequ_failed"] = [r["Rule"] for r in theirs if r["Outcome"] != "Passed"]
    sc.setJobGroup("dq-bench-grouped", "one evaluation of the grouped ruleset")
    grouped_outcomes = evaluate(df, grouped_ruleset).collect()
    out["grouped_jobs"] = len(tracker.getJobIdsForGroup("dq-bench-grouped"))
    out["grouped_failed"] = [r["Rule"] for r in grouped_outcomes if r["Outcome"] != "Passed"]
    out["grouped_deequ_failed"] = [
        r["Rule"] for r in evaluate(df, grouped_ruleset, engine="deequ").collect() if r["Outcome"] != "Passed"
    ]
    print("BENCH_JSON " + json.dumps(out))
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
