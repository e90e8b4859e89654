"""spark-submit on this machine, as ``dea-etl submit`` runs it: the environment and the command line.

The venv's ``spark-submit`` finds Spark by running ``python3 find_spark_home.py``, which only works
when the venv's Python comes first on ``PATH`` (an activated venv); here ``SPARK_HOME`` is set to the
installed pyspark instead. The JVM jars (S3A, Deequ, Iceberg) go to ``--jars`` and the quiet log4j2
configuration shipped with dea_etl to the driver's JVM options.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from dea_etl.jvm import cds

#: dea_etl's quiet log configuration for local runs (warnings and errors only, on stderr).
LOG4J2_CONF = Path(__file__).with_name("log4j2.properties")
DEFAULT_MASTER = "local[2]"


def log4j2_java_option() -> str:
    """``-Dlog4j2.configurationFile=...`` for a local JVM (nothing when the file is not on disk, e.g. in a zip)."""
    return f"-Dlog4j2.configurationFile={LOG4J2_CONF.as_uri()}" if LOG4J2_CONF.is_file() else ""


def submit_env(environ: Mapping[str, str] | None = None, script: str | None = None) -> dict[str, str]:
    """The environment spark-submit needs: SPARK_HOME (the installed pyspark), this Python for the driver
    and the workers, a JDK, the venv's bin first on PATH and a loopback address for a local master; with
    ``script``, its folder and the working folder on PYTHONPATH (a job script imports its job module from
    the project, as ``dea-etl run path/to/job.py`` does)."""
    import pyspark

    from dea_etl.javahome import java_home

    env = dict(os.environ if environ is None else environ)
    env.setdefault("SPARK_HOME", str(Path(pyspark.__file__).parent))
    env.setdefault("PYSPARK_PYTHON", sys.executable)
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    home = java_home()
    if home:
        env["JAVA_HOME"] = home
    if script is not None:
        from dea_etl.runtime.userjobs import import_path

        extra = [p for p in import_path(Path(script)) if p not in env.get("PYTHONPATH", "").split(os.pathsep)]
        env["PYTHONPATH"] = os.pathsep.join([*extra, *filter(None, [env.get("PYTHONPATH")])])
    return env


def spark_submit_command(
    script: str, job_args: Sequence[str] = (), *, master: str = DEFAULT_MASTER, jars: Sequence[str] = (),
    conf: Sequence[str] = (), quiet: bool = True,
) -> list[str]:
    """The spark-submit command line that runs ``script`` with ``job_args`` locally."""
    cmd = [str(Path(sys.executable).with_name("spark-submit")), "--master", master,
           "--conf", "spark.ui.showConsoleProgress=false"]
    if jars:
        cmd += ["--jars", ",".join(jars)]
    java_option = " ".join(filter(None, [log4j2_java_option() if quiet else "", cds.java_options()]))
    if java_option:
        cmd += ["--driver-java-options", java_option]
    for setting in conf:
        cmd += ["--conf", setting]
    return [*cmd, script, *job_args]
