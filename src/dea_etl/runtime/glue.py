"""AWS Glue's job lifecycle, used only when the job runs on Glue (detected at run time).

On Glue: ``GlueContext`` over the session, ``Job.init(JOB_NAME, args)`` before the work (``args`` from
awsglue's own ``getResolvedOptions``, so Glue's bookmark options and run ids reach the Glue job), and
``job.commit()`` after the work succeeded — which also commits Glue's native job bookmarks. Elsewhere
nothing here is called and awsglue need not be installed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

from dea_etl.errors import DeaEtlError, JobArgumentError

#: The ids Glue passes to every job run.
RUN_ID_ARGS = ("JOB_ID", "JOB_RUN_ID")


class GlueRuntimeError(DeaEtlError):
    """The job runs on Glue but Glue's job lifecycle could not be started or committed."""


class GlueJobHandle(Protocol):
    """What we use of ``awsglue.job.Job``, and the job's ``GlueContext`` (its readers keep Glue's bookmarks)."""

    glue_context: Any

    def init(self, job_name: str, args: Mapping[str, Any]) -> None: ...

    def commit(self) -> None: ...


@dataclass
class AwsGlueJob:
    """awsglue's ``Job`` with the ``GlueContext`` it was made from."""

    job: Any
    glue_context: Any

    def init(self, job_name: str, args: Mapping[str, Any]) -> None:
        self.job.init(job_name, args)

    def commit(self) -> None:
        self.job.commit()


GlueJobFactory = Callable[["SparkSession"], GlueJobHandle]


def run_arguments(argv: Sequence[str]) -> dict[str, str]:
    """``JOB_ID`` and ``JOB_RUN_ID`` from the run's arguments, when present."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    for name in RUN_ID_ARGS:
        parser.add_argument(f"--{name}", dest=name)
    known, _ = parser.parse_known_args(list(argv))
    return {k: v for k, v in vars(known).items() if v}


def resolved_options(argv: Sequence[str], job_name: str) -> dict[str, Any]:
    """The run's arguments as awsglue's ``getResolvedOptions`` gives them (``JOB_NAME`` defaults to ours)."""
    from awsglue.utils import getResolvedOptions

    wanted = ["JOB_NAME"] if any(a == "--JOB_NAME" or a.startswith("--JOB_NAME=") for a in argv) else []
    try:
        options = dict(getResolvedOptions(["job", *argv], wanted))
    except (Exception, SystemExit) as exc:
        raise JobArgumentError(f"Glue arguments: {exc}") from exc
    options.setdefault("JOB_NAME", job_name)
    return options


def awsglue_job_factory() -> GlueJobFactory:
    """``Job(GlueContext(spark.sparkContext))`` from the awsglue package of the Glue runtime."""
    try:
        from awsglue.context import GlueContext
        from awsglue.job import Job
    except ImportError as exc:
        raise GlueRuntimeError(f"running on Glue but awsglue cannot be imported: {exc}") from exc

    def make(spark: SparkSession) -> GlueJobHandle:
        glue_context = GlueContext(spark.sparkContext)
        return AwsGlueJob(Job(glue_context), glue_context)

    return make


@dataclass
class GlueJob:
    """A started Glue job; :meth:`commit` once, after the work succeeded."""

    name: str
    handle: GlueJobHandle

    def commit(self) -> None:
        try:
            self.handle.commit()
        except Exception as exc:
            raise GlueRuntimeError(f"Glue job {self.name}: job.commit() failed: {_one_line(exc)}") from exc


def _one_line(exc: BaseException) -> str:
    return (f"{type(exc).__name__}: {exc}".splitlines() or [type(exc).__name__])[0]


def start_glue_job(
    spark: SparkSession, argv: Sequence[str], job_name: str, factory: GlueJobFactory | None = None
) -> GlueJob:
    """GlueContext + ``Job.init(JOB_NAME, args)``; :class:`GlueRuntimeError` without Glue's runtime."""
    args = resolved_options(argv, job_name)
    make = factory or awsglue_job_factory()
    try:
        handle = make(spark)
        handle.init(args["JOB_NAME"], args)
    except Exception as exc:
        raise GlueRuntimeError(
            f"Glue job {job_name}: GlueContext/Job.init failed (is this the Glue runtime?): {_one_line(exc)}"
        ) from exc
    return GlueJob(str(args["JOB_NAME"]), handle)
