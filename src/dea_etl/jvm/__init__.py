"""The JVM jars dea-etl needs (S3A, Deequ, Iceberg): declared once in ``pom.xml`` beside this module.

:func:`jar_paths` returns the local jar files, fetching them first with ``mvn`` when any is missing or the
declaration changed. They go into ``build/jars/`` of the source checkout (``DEA_ETL_JARS_DIR`` overrides;
an installed wheel uses ``~/.cache/dea-etl/jars``). ``dea-etl jars`` prints them comma-separated, ready
for ``spark-submit --jars``.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from dea_etl.errors import DeaEtlError

_NS = {"m": "http://maven.apache.org/POM/4.0.0"}
_STAMP = ".pom.sha256"


class JarsUnavailableError(DeaEtlError):
    """The declared jars are not on disk and could not be fetched."""


@dataclass(frozen=True)
class Artifact:
    group: str
    name: str
    version: str

    @property
    def file_name(self) -> str:
        return f"{self.name}-{self.version}.jar"

    def __str__(self) -> str:
        return f"{self.group}:{self.name}:{self.version}"


def pom_text() -> str:
    return resources.files("dea_etl.jvm").joinpath("pom.xml").read_text(encoding="utf-8")


def declared_artifacts() -> tuple[Artifact, ...]:
    """The jars ``pom.xml`` declares, in its order."""
    root = ET.fromstring(pom_text())
    found = []
    for dep in root.findall("m:dependencies/m:dependency", _NS):
        group, name, version = (dep.findtext(f"m:{tag}", namespaces=_NS) for tag in ("groupId", "artifactId", "version"))
        if not (group and name and version):
            raise JarsUnavailableError("pom.xml: every dependency needs groupId, artifactId and version")
        found.append(Artifact(group, name, version))
    return tuple(found)


def jars_dir() -> Path:
    """Where the jars live: ``DEA_ETL_JARS_DIR``, else ``build/jars`` of a source checkout, else a user cache."""
    override = os.environ.get("DEA_ETL_JARS_DIR")
    if override:
        return Path(override).expanduser().resolve()
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "setup.cfg").is_file() and (checkout / "src" / "dea_etl").is_dir():
        return checkout / "build" / "jars"
    return Path.home() / ".cache" / "dea-etl" / "jars"


def _pom_digest() -> str:
    return hashlib.sha256(pom_text().encode()).hexdigest()


def _complete(folder: Path) -> bool:
    stamp = folder / _STAMP
    if not stamp.is_file() or stamp.read_text().strip() != _pom_digest():
        return False
    return all((folder / a.file_name).is_file() for a in declared_artifacts())


def _fetch(folder: Path) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise JarsUnavailableError(
            "mvn (Apache Maven) is not on PATH: it fetches the jars dea-etl needs from Maven Central "
            "(Debian/Ubuntu: apt-get install maven)"
        )
    staging = folder.with_name(folder.name + ".fetching")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    pom = staging / "pom.xml"
    pom.write_text(pom_text(), encoding="utf-8")
    cmd = [mvn, "-B", "-q", "-f", str(pom), "dependency:copy-dependencies", f"-DoutputDirectory={staging}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        errors = [line for line in proc.stdout.splitlines() if "ERROR" in line] or proc.stderr.splitlines()
        reason = errors[0] if errors else f"exit {proc.returncode}"
        raise JarsUnavailableError(f"mvn could not fetch the jars of dea_etl/jvm/pom.xml: {reason}")
    pom.unlink()
    missing = [str(a) for a in declared_artifacts() if not (staging / a.file_name).is_file()]
    if missing:
        raise JarsUnavailableError(f"mvn did not deliver {', '.join(missing)}")
    (staging / _STAMP).write_text(_pom_digest() + "\n")
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)


def jar_paths(*, fetch: bool = True) -> list[str]:
    """The declared jars as local paths; fetches them (once, under a lock) when missing and ``fetch``."""
    folder = jars_dir()
    if not _complete(folder):
        if not fetch:
            raise JarsUnavailableError(f"the jars are not in {folder}: run `dea-etl jars` to fetch them")
        folder.parent.mkdir(parents=True, exist_ok=True)
        with open(folder.parent / f".{folder.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not _complete(folder):
                _fetch(folder)
    return [str(folder / a.file_name) for a in declared_artifacts()]
