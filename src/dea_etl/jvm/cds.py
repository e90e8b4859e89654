"""A class-data archive for the driver JVM of local sessions: each command starts seconds sooner.

A local command spends about 4 s starting Spark, most of it loading and verifying some 15,000 classes from
Spark's and the declared jars. HotSpot's application class-data sharing (AppCDS, JDK 13+) maps classes
loaded once into every later JVM: setup (``make``, ``python -m dea_etl.jvm.cds --data data``) runs the
sample pipeline once in both table formats with ``-XX:ArchiveClassesAtExit``, and every local session
built afterwards starts with ``-XX:SharedArchiveFile`` (``dea-etl sql`` on the sample lake: 10.2 s -> 7.3 s,
``dea-etl dq`` 11.7 s -> 9.4 s here: ``make bench ONLY=startup``, BENCHMARKS.md).

The archive belongs to one JVM and one classpath: its name carries a digest of the JDK's runtime image,
PySpark's jars and the declared jars, so a different JDK or jar set simply finds no archive. HotSpot checks
the archive again when it maps it and ignores it (silently, with ``-Xlog:cds=off``) when anything differs.
Nothing depends on it: without an archive (or with ``DEA_ETL_JVM_ARCHIVE=off``) sessions start as before.
Glue and EMR sessions never use it (their JVM is the platform's).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

#: ``off`` disables the archive (sessions start without it); any other value or unset: used when present.
SWITCH_ENV = "DEA_ETL_JVM_ARCHIVE"
#: HotSpot's messages about the archive (a mismatch, classes it could not keep) stay out of the output.
QUIET = "-Xlog:cds=off -Xlog:cds+dynamic=off"


def _digest(java_home: str, jars: list[str]) -> str:
    """What the archive depends on: the JDK's runtime image, PySpark's jar folder and the declared jars."""
    import pyspark

    spark_jars = Path(pyspark.__file__).resolve().parent / "jars"
    digest = hashlib.sha256()
    for path in [Path(java_home).resolve() / "lib" / "modules", spark_jars, *map(Path, jars)]:
        try:
            st = path.stat()
        except OSError:
            return ""
        digest.update(f"{path}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def archive_path() -> Path | None:
    """Where this machine's archive is (or would be), None without a JDK or the jars."""
    from dea_etl.javahome import java_home
    from dea_etl.jvm import JarsUnavailableError, jar_paths, jars_dir

    home = java_home()
    try:
        jars = jar_paths(fetch=False)
    except JarsUnavailableError:
        return None
    key = _digest(home, jars) if home else ""
    return jars_dir().parent / "jvm" / f"dea-etl-{key}.jsa" if key else None


def java_options() -> str:
    """The driver options that map the archive, or "" when there is none (or it is switched off)."""
    if os.environ.get(SWITCH_ENV, "").lower() == "off":
        return ""
    path = archive_path()
    return f"-XX:SharedArchiveFile={path} {QUIET}" if path is not None and path.is_file() else ""


def _train(data: Path, dump: Path) -> None:
    """Runs in the archiving JVM's driver: the sample pipeline in both formats, then the JVM exits."""
    from dea_etl.cli import main
    from dea_etl.runtime.session import LOCAL_BUILD_CONF, get_spark

    options = f"{LOCAL_BUILD_CONF['spark.driver.extraJavaOptions']} -XX:ArchiveClassesAtExit={dump} {QUIET}"
    spark, _ = get_spark("dea-etl-jvm-archive", conf={"spark.driver.extraJavaOptions": options})
    gateway = spark.sparkContext._gateway
    with tempfile.TemporaryDirectory(prefix="dea-etl-archive-") as work:
        for fmt in ("parquet", "iceberg"):
            code = main(["pipeline", "--lake", f"{work}/{fmt}", "--data", str(data), "--table-format", fmt])
            if code != 0:
                raise SystemExit(f"the training run ({fmt}) failed with exit code {code}")
    spark.stop()
    # The JVM writes the archive when it exits, which it does when its standard input closes.
    proc = getattr(gateway, "proc", None)
    if proc is None:
        raise SystemExit("no JVM process of our own to archive (a session from elsewhere?)")
    proc.stdin.close()
    if proc.wait(timeout=600) != 0:
        raise SystemExit(f"the archiving JVM exited {proc.returncode}")


def _maps(archive: Path) -> bool:
    """Whether HotSpot maps ``archive`` without failing (a truncated archive crashes the JVM that maps it:
    the archive is only ever put in place whole, after this check)."""
    from dea_etl.javahome import java_home

    java = Path(java_home() or "") / "bin" / "java"
    with tempfile.TemporaryDirectory(prefix="dea-etl-archive-check-") as work:  # where a crash report lands
        proc = subprocess.run([str(java), f"-XX:SharedArchiveFile={archive}", *QUIET.split(),
                               f"-XX:ErrorFile={work}/hs_err.log", "-version"],
                              capture_output=True, timeout=120, check=False, cwd=work)
    return proc.returncode == 0


def build(data: Path) -> Path | None:
    """Creates this machine's archive from a run over ``data`` (the sample CSVs) unless it exists; its path."""
    path = archive_path()
    if path is None or path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob("dea-etl-*.jsa"):  # archives of another JDK or jar set
        stale.unlink()
    dump = path.with_name(f".{path.name}.{os.getpid()}")
    env = {**os.environ, SWITCH_ENV: "off"}
    proc = subprocess.run([sys.executable, "-m", "dea_etl.jvm.cds", "--train", str(data), str(dump)], env=env,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not dump.is_file() or not _maps(dump):
        dump.unlink(missing_ok=True)
        raise SystemExit(f"no class-data archive (sessions start without it): the training run exited "
                         f"{proc.returncode}\n{proc.stderr[-3000:]}")
    dump.replace(path)
    return path


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dea_etl.jvm.cds", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("data"), help="the sample CSVs to train on (default: data)")
    parser.add_argument("--train", nargs=2, metavar=("DATA", "DUMP"), help=argparse.SUPPRESS)
    ns = parser.parse_args(argv)
    if ns.train:
        _train(Path(ns.train[0]), Path(ns.train[1]))
        return 0
    path = build(ns.data)
    print(path if path is not None else "no JDK or jars: no class-data archive")
    return 0


if __name__ == "__main__":
    raise SystemExit(cli())
