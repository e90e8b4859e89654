"""The jobs. ``JOBS`` maps a job name to its :class:`~dea_etl.runtime.JobSpec`: declared in
:mod:`dea_etl.pipelines.specs` (arguments, checks; no pyspark), each job's work in its own module, imported
when the job runs."""

from __future__ import annotations

from dea_etl.pipelines.specs import JOBS

__all__ = ["JOBS"]
