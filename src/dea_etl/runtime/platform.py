"""Where a job runs: local, glue, emr or emr-serverless — decided at run time from facts of the process.

In order, the first that holds wins:

1. ``DEA_ETL_PLATFORM`` in the environment. ``dea-etl deploy`` sets it for the driver on EMR
   (``spark.yarn.appMasterEnv.DEA_ETL_PLATFORM``) and EMR Serverless
   (``spark.emr-serverless.driverEnv.DEA_ETL_PLATFORM``); tests and unusual setups set it by hand.
2. Glue: the run arguments Glue passes to every job run, ``--JOB_ID j_...`` and ``--JOB_RUN_ID jr_...``
   (or the ``GLUE_*`` variables of Glue's container images).
3. EMR Serverless: ``EMR_SERVERLESS_*`` variables, or Spark settings in the ``spark.emr-serverless.``
   namespace (only that service reads them).
4. EMR on EC2: the instance metadata files every EMR node has (``/mnt/var/lib/info/job-flow.json``,
   ``/emr/instance-controller/lib/info/instance.json``).
5. Otherwise local (laptop, CI, a standalone cluster).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum

FORCE_VARIABLE = "DEA_ETL_PLATFORM"
GLUE_VARIABLES = ("GLUE_VERSION", "GLUE_PYTHON_VERSION", "GLUE_COMMAND_CRITERIA")
EMR_SERVERLESS_VARIABLES = ("EMR_SERVERLESS_APPLICATION_ID", "EMR_SERVERLESS_JOB_RUN_ID")
EMR_SERVERLESS_CONF_PREFIX = "spark.emr-serverless."
EMR_NODE_FILES = ("/mnt/var/lib/info/job-flow.json", "/emr/instance-controller/lib/info/instance.json")


class Platform(StrEnum):
    LOCAL = "local"
    GLUE = "glue"
    EMR = "emr"
    EMR_SERVERLESS = "emr-serverless"


def _glue_run(args: Mapping[str, str | None]) -> bool:
    run_id, job_id = args.get("JOB_RUN_ID") or "", args.get("JOB_ID") or ""
    return run_id.startswith("jr_") and job_id.startswith("j_")


def detect_platform(
    environ: Mapping[str, str] | None = None,
    *,
    args: Mapping[str, str | None] | None = None,
    spark_conf_keys: Iterable[str] = (),
    exists: Callable[[str], bool] | None = None,
) -> Platform:
    """The platform this process runs on (see the module's docstring for the facts used).

    ``args`` are the job's raw run arguments (``JOB_ID``, ``JOB_RUN_ID``); ``exists`` checks a file (by
    default ``os.path.exists`` when ``environ`` is the real environment, never otherwise).
    """
    env = os.environ if environ is None else environ
    forced = env.get(FORCE_VARIABLE)
    if forced:
        return Platform(forced)
    if _glue_run(args or {}) or any(env.get(name) for name in GLUE_VARIABLES):
        return Platform.GLUE
    if any(env.get(name) for name in EMR_SERVERLESS_VARIABLES) or any(
        key.startswith(EMR_SERVERLESS_CONF_PREFIX) for key in spark_conf_keys
    ):
        return Platform.EMR_SERVERLESS
    check = exists or (os.path.exists if environ is None else (lambda _path: False))
    if any(check(path) for path in EMR_NODE_FILES):
        return Platform.EMR
    return Platform.LOCAL
