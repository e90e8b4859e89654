"""JobContext and ``run_job``: the one way every job starts, runs, commits and reports."""

from __future__ import annotations

import importlib
import logging
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console

from dea_etl.errors import DeaEtlError, JobArgumentError, debug_mode, debugging, first_line, one_line
from dea_etl.names import check_name
from dea_etl.runtime.args import Arg, job_help, parse_job_args, wants_help
from dea_etl.runtime.glue import GlueJob, GlueJobFactory, run_arguments, start_glue_job
from dea_etl.runtime.platform import Platform, detect_platform
from dea_etl.runtime.progress import Display, StageWatcher, StepReporter, no_progress
from dea_etl.runtime.summary import RunSummary, TableResult

#: ``--debug`` among a job's arguments: a failure shows its traceback and Spark's own log.
DEBUG_FLAG = "--debug"

if TYPE_CHECKING:  # pyspark loads when a job runs, not when its declaration is read
    from pyspark.sql import SparkSession

log = logging.getLogger("dea_etl")


@dataclass
class JobContext:
    """Everything a job's library call needs: session, arguments, identity, and hooks run on commit."""

    spark: SparkSession
    job_name: str
    run_id: str
    platform: Platform
    args: Mapping[str, str | None]
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: Called in order after the job's work succeeded (bookmark commits, catalog updates).
    on_commit: list[Callable[[], None]] = field(default_factory=list)
    #: On Glue: awsglue's ``GlueContext`` (its readers keep Glue's native job bookmarks); else None.
    glue_context: Any = None
    #: Shows the progress of the job's steps (``run_job`` gives one that prints; by default nothing shows).
    progress: StepReporter = no_progress
    #: What the job's library calls work out once per run (e.g. the table format), by name.
    memo: dict[str, Any] = field(default_factory=dict)

    def arg(self, key: str) -> str:
        value = self.args.get(key)
        if value is None:
            raise JobArgumentError(f"{self.job_name}: missing argument --{key}")
        return value

    def step(self, name: str, index: int, total: int) -> AbstractContextManager[None]:
        """``with ctx.step("sales_mart", 3, 4): ...``: one step of the job, as its progress shows it."""
        return self.progress(name, index, total)

    def commit(self) -> None:
        for hook in self.on_commit:
            hook()
        self.on_commit.clear()


#: A job's checks of its parsed arguments before Spark starts (inputs exist, outputs apart from them, values
#: that parse, ...): raise a :class:`~dea_etl.errors.DeaEtlError`; without a JVM they answer in a moment.
Check = Callable[[Mapping[str, "str | None"]], None]


@dataclass(frozen=True)
class JobSpec:
    """A job: its name, its own arguments, the library function that does the work, and the checks made
    before the Spark session starts (``check``, optional)."""

    name: str
    args: tuple[Arg, ...]
    run: Callable[[JobContext], list[TableResult]]
    description: str = ""
    check: Check | None = None
    #: Whether a run with these arguments is a short one (small inputs): a local session is then built for it
    #: (:data:`dea_etl.runtime.session.SHORT_RUN_JAVA_OPTIONS`). Looked at before Spark starts, without a JVM.
    short_run: Callable[[Mapping[str, str | None]], bool] | None = None

    def help(self, prog: str | None = None) -> str:
        """The job's ``--help``: every argument it takes, generated from its :class:`Arg` specs."""
        return job_help(self.args, prog=prog or self.name, description=self.description)


@dataclass(frozen=True)
class Deferred:
    """A job's work named ``"module:function"``, imported when the job runs: the job's declaration (its
    arguments and checks) then loads without pyspark, so that a bad call is refused without starting it."""

    target: str

    def __call__(self, ctx: JobContext) -> list[TableResult]:
        module, _, name = self.target.partition(":")
        run: Callable[[JobContext], list[TableResult]] = getattr(importlib.import_module(module), name)
        return run(ctx)


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


def _write_summary(summary: RunSummary, spark: SparkSession | None, path: str, err: Console) -> bool:
    """Write ``--summary-json``; a failure is one line on stderr (and the run's exit code), never a traceback."""
    try:
        summary.write_json(spark, path)
    except Exception as exc:
        err.print(f"error: cannot write the run summary: {first_line(exc)}", highlight=False, markup=False)
        return False
    return True


def run_job(
    job: JobSpec, argv: Sequence[str] | None = None, *, console: Console | None = None,
    glue_job_factory: GlueJobFactory | None = None,
) -> int:
    """Parse args, build the context, run the job, commit, print the summary; return the exit code.

    0 on success (rows may have been quarantined), else the error's exit code (:mod:`dea_etl.errors`: 2 on
    bad arguments, 1 on any other failure); failures print one line to stderr and commit nothing. The
    arguments and the job's ``check`` are looked at before the Spark session starts: such a mistake ends
    without starting a JVM. On Glue, awsglue's ``Job.init`` runs before the work and
    ``job.commit()`` after it succeeded (``glue_job_factory`` replaces awsglue's Job, for tests).
    """
    out = console or Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
    argv = list(sys.argv[1:] if argv is None else argv)
    with debug_mode(DEBUG_FLAG in argv):  # not one of the job's arguments: how its failures are shown
        return _run_job(job, [a for a in argv if a != DEBUG_FLAG], out, glue_job_factory)


def _run_job(job: JobSpec, argv: list[str], out: Console, glue_job_factory: GlueJobFactory | None) -> int:
    err = Console(stderr=True, soft_wrap=True)
    started = time.monotonic()
    if wants_help(argv):
        out.print(job.help(), markup=False, highlight=False)
        return 0
    try:
        args = parse_job_args(argv, job.args, prog=job.name)
    except DeaEtlError as exc:
        err.print(f"error: {exc}", highlight=False, markup=False)
        return 2
    run_ids = run_arguments(argv)
    platform = detect_platform(args=run_ids)
    run_id = args.get("run_id") or run_ids.get("JOB_RUN_ID") or new_run_id()
    try:  # both become paths (bookmark entries, a table's run prefix): names only, checked before Spark starts
        job_name = check_name("--JOB_NAME", args.get("JOB_NAME") or job.name)
        check_name("the run id", run_id)
    except DeaEtlError as exc:
        err.print(f"error: {exc}", highlight=False, markup=False)
        return exc.exit_code
    summary = RunSummary(job=job_name, run_id=run_id, platform=platform.value)
    spark = None
    created = False
    status = 1
    glue_job: GlueJob | None = None
    try:
        if job.check is not None:
            job.check(args)
        from dea_etl.runtime.session import get_spark

        short = job.short_run is not None and job.short_run(args)
        spark, created = get_spark(summary.job, local_defaults=platform is Platform.LOCAL, short_run=short)
        if platform is Platform.LOCAL:  # the session's settings can still tell (spark.emr-serverless.*)
            conf_keys = [key for key, _ in spark.sparkContext.getConf().getAll()]
            platform = detect_platform(args=run_ids, spark_conf_keys=conf_keys)
            summary.platform = platform.value
        if platform is Platform.GLUE:
            glue_job = start_glue_job(spark, argv, summary.job, glue_job_factory)
        with Display(err) as display, StageWatcher(spark.sparkContext.statusTracker(), display):
            ctx = JobContext(spark, summary.job, run_id, platform, args,
                             glue_context=glue_job.handle.glue_context if glue_job else None, progress=display.step)
            summary.tables = job.run(ctx)
        ctx.commit()
        if glue_job is not None:
            glue_job.commit()
        summary.status = "succeeded"
        status = 0
    except DeaEtlError as exc:
        summary.status, summary.error = "failed", str(exc)
        status = exc.exit_code
        if debugging():
            traceback.print_exc()
        err.print(f"error: {job.name}: {exc}", highlight=False, markup=False)
    except Exception as exc:
        summary.status, summary.error = "failed", one_line(exc)
        if debugging():
            traceback.print_exc()
        err.print(f"error: {job.name}: {summary.error}", highlight=False, markup=False)
    finally:
        summary.seconds = round(time.monotonic() - started, 3)
        if summary.tables or status == 0:
            summary.render(out)
        if args.get("summary_json") and not _write_summary(summary, spark, str(args["summary_json"]), err):
            status = 1
        if spark is not None and created:
            spark.stop()
    return status
