"""``dea-etl submit SCRIPT [JOB ARGS...]``: spark-submit a job script locally, as the README shows."""

from __future__ import annotations

import argparse
import subprocess

from dea_etl.cli.output import error


def _submit(ns: argparse.Namespace) -> int:
    from dea_etl.jvm import JarsUnavailableError, jar_paths
    from dea_etl.runtime.submit import spark_submit_command, submit_env

    try:
        jars = jar_paths()
    except JarsUnavailableError as exc:
        error(str(exc))
        return 1
    cmd = spark_submit_command(ns.script, ns.job_args, master=ns.master, jars=jars, conf=ns.conf,
                               quiet=not ns.verbose)
    if ns.print_command:
        print(" ".join(cmd))
        return 0
    return subprocess.run(cmd, env=submit_env(script=ns.script), check=False).returncode


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "submit", help="spark-submit a job script locally with the JVM jars and a quiet log",
        description="Run SCRIPT with the venv's spark-submit: SPARK_HOME and PYSPARK_PYTHON set (no need to "
        "activate the venv), --jars from `dea-etl jars`, dea_etl's quiet log4j2 configuration. Options of "
        "submit come before SCRIPT; everything after SCRIPT goes to the job.",
    )
    p.add_argument("--master", default="local[2]", help="Spark master (default: local[2])")
    p.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                   help="a Spark setting for spark-submit (repeatable)")
    p.add_argument("--verbose", action="store_true", help="keep Spark's own INFO log (no quiet log4j2 file)")
    p.add_argument("--print-command", action="store_true", help="print the spark-submit command; run nothing")
    p.add_argument("script", help="the job script, e.g. jobs/csv_to_parquet.py")
    p.add_argument("job_args", nargs=argparse.REMAINDER, help="the job's arguments", metavar="ARGS")
    p.set_defaults(handler=_submit)
