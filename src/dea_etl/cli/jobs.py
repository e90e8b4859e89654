"""``dea-etl run JOB ...`` and ``dea-etl pipeline``."""

from __future__ import annotations

import argparse

from dea_etl.cli.output import error


def _run(ns: argparse.Namespace) -> int:
    from dea_etl.pipelines import JOBS
    from dea_etl.runtime import run_job

    if ns.job not in JOBS:
        error(f"unknown job {ns.job!r}; jobs: {', '.join(sorted(JOBS))}")
        return 2
    return run_job(JOBS[ns.job], ns.job_args)


def _pipeline(ns: argparse.Namespace) -> int:
    from dea_etl.pipelines import JOBS
    from dea_etl.runtime import run_job

    return run_job(JOBS["pipeline"], ns.job_args)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from dea_etl.pipelines import JOBS

    jobs = "\n".join(f"  {name:<18} {spec.description}" for name, spec in JOBS.items())
    p = sub.add_parser(
        "run", help="run a job: dea-etl run JOB --arg value ... (dea-etl run JOB --help lists its arguments)",
        description=f"Run a job as spark-submit would run jobs/JOB.py.\n\njobs:\n{jobs}",
        epilog="dea-etl run JOB --help lists every argument of JOB.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("job", help="the job to run", metavar="JOB")
    p.add_argument("job_args", nargs=argparse.REMAINDER, help="the job's arguments", metavar="ARGS")
    p.set_defaults(handler=_run)

    p = sub.add_parser(
        "pipeline",
        help="lay out a lake (a folder or s3://BUCKET) from the sample data and run the pipeline (dea-etl pipeline --help)",
        prefix_chars="\0",  # every argument, --help included, goes to the job's own parser
        add_help=False,
    )
    p.add_argument("job_args", nargs=argparse.REMAINDER, help="the pipeline job's arguments (dea-etl pipeline --help)")
    p.set_defaults(handler=_pipeline)
