"""A job of the user's own, run by ``dea-etl run path/to/job.py ARGS`` as dea-etl runs its own.

The file is loaded as a module with its own folder and the working folder first on ``sys.path`` (so a
script in ``jobs/`` imports the job module beside the project's other modules, without ``PYTHONPATH``); its
job is the module's ``JOB`` (a :class:`~dea_etl.runtime.JobSpec`), or the one ``JobSpec`` it defines or
imports. ``run_job`` then gives it the same arguments, checks, summary, bookmarks and exit codes.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from dea_etl.errors import JobArgumentError
from dea_etl.runtime.context import JobSpec


def is_job_file(name: str) -> bool:
    return name.endswith(".py")


def import_path(script: Path) -> list[str]:
    """The folders a job file's imports are looked up in: its own, then the working folder."""
    return list(dict.fromkeys([str(script.resolve().parent), os.getcwd()]))


def load_job(path: str) -> JobSpec:
    """The job a Python file declares; :class:`JobArgumentError` (one line) when there is none."""
    script = Path(path)
    if not script.is_file():
        raise JobArgumentError(f"no job file {path}")
    for folder in reversed(import_path(script)):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(f"dea_etl_user_job_{script.stem}", script)
    if spec is None or spec.loader is None:
        raise JobArgumentError(f"{path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except ImportError as exc:
        raise JobArgumentError(f"{path}: {exc} (its folder and the working folder are on the import path)") from None
    job = getattr(module, "JOB", None)
    if isinstance(job, JobSpec):
        return job
    found = {id(v): v for v in vars(module).values() if isinstance(v, JobSpec)}
    if len(found) == 1:
        return next(iter(found.values()))
    what = f"{len(found)} JobSpecs" if found else "no JobSpec"
    raise JobArgumentError(f"{path} declares {what}: name the job JOB (a dea_etl.JobSpec)")
