"""Where a job runs: local, glue, emr or emr-serverless — detected from the environment at run time."""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum


class Platform(StrEnum):
    LOCAL = "local"
    GLUE = "glue"
    EMR = "emr"
    EMR_SERVERLESS = "emr-serverless"


def detect_platform(environ: Mapping[str, str] | None = None) -> Platform:
    """Detect the runtime from environment variables each platform sets for its Spark driver.

    ``DEA_ETL_PLATFORM`` overrides the detection (for tests and unusual setups).
    """
    env = os.environ if environ is None else environ
    forced = env.get("DEA_ETL_PLATFORM")
    if forced:
        return Platform(forced)
    if env.get("GLUE_VERSION") or env.get("GLUE_PYTHON_VERSION") or env.get("GLUE_COMMAND_CRITERIA"):
        return Platform.GLUE
    if env.get("EMR_SERVERLESS_APPLICATION_ID") or "emr-serverless" in env.get("SPARK_HOME", ""):
        return Platform.EMR_SERVERLESS
    if env.get("EMR_RELEASE_LABEL") or (os.path.exists("/emr/instance-controller") and environ is None):
        return Platform.EMR
    return Platform.LOCAL
