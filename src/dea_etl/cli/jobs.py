"""``dea-etl run JOB ...`` and ``dea-etl pipeline``."""

from __future__ import annotations

import argparse

from dea_etl.cli.output import error


def _run(ns: argparse.Namespace) -> int:
    from dea_etl.errors import DeaEtlError
    from dea_etl.pipelines import JOBS
    from dea_etl.runtime import run_job
    from dea_etl.runtime.userjobs import is_job_file, load_job

    if is_job_file(ns.job):  # a job of the user's own: the same arguments, checks, summary and bookmarks
        try:
            job = load_job(ns.job)
        except DeaEtlError as exc:
            error(f"run: {exc}")
            return exc.exit_code
        return run_job(job, ns.job_args)
    if ns.job not in JOBS:
        error(f"unknown job {ns.job!r}; jobs: {', '.join(sorted(JOBS))}, or a job file path/to/job.py")
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
        description=f"Run a job as spark-submit would run jobs/JOB.py: one of dea-etl's, or a job file of your "
                    f"own (path/to/job.py, declaring JOB = JobSpec(...)).\n\njobs:\n{jobs}",
        epilog="dea-etl run JOB --help lists every argument of JOB.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("job", help="the job to run: a name above, or a job file path/to/job.py", metavar="JOB")
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
