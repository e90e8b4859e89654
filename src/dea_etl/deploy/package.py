"""``dea-etl package``: one build for every target.

``dist/`` receives:

* the wheel (``pip wheel`` of the project),
* ``dea_etl.zip``: the library alone, importable from ``--py-files`` / ``--extra-py-files``,
* ``deps.zip``: the pure-Python third-party packages the jobs import that the AWS runtimes do not ship
  (rich, lark and their dependencies), copied from the build environment, for ``--py-files`` on EMR,
* ``dea-etl-spark.jar``: dea-etl's own JVM classes (Parquet files named for their run), for ``--jars`` /
  ``--extra-jars`` (the other jars dea-etl declares are the runtimes' own there),
* ``jobs/<name>.py``: the job scripts,
* ``manifest.json``: version, git commit, artifact checksums, jobs, runtime requirements.

Both zips are deterministic: same sources, same bytes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import dea_etl
from dea_etl.errors import DeaEtlError

LIBRARY_ZIP = "dea_etl.zip"
DEPS_ZIP = "deps.zip"
MANIFEST = "manifest.json"
JOBS_DIR = "jobs"

#: Third-party distributions the jobs import at run time that Glue 5 / EMR 7 / EMR Serverless do not ship.
#: All pure Python; pinned to the versions of the build environment.
RUNTIME_DISTRIBUTIONS: tuple[str, ...] = ("rich", "markdown-it-py", "mdurl", "pygments", "lark")

_FIXED_TIME = (2020, 1, 1, 0, 0, 0)


class PackageError(DeaEtlError):
    """The package could not be built; the message says which step failed."""


@dataclass(frozen=True)
class Manifest:
    name: str
    version: str
    git_commit: str | None
    git_dirty: bool
    built_at: str
    python: str
    jobs: tuple[str, ...]
    runtime_requirements: tuple[str, ...]
    artifacts: dict[str, dict[str, object]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "version": self.version,
            "git_commit": self.git_commit,
            "git_dirty": self.git_dirty,
            "built_at": self.built_at,
            "python": self.python,
            "jobs": list(self.jobs),
            "runtime_requirements": list(self.runtime_requirements),
            "artifacts": self.artifacts,
        }

    @classmethod
    def read(cls, path: Path) -> Manifest:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            name=raw["name"],
            version=raw["version"],
            git_commit=raw["git_commit"],
            git_dirty=raw["git_dirty"],
            built_at=raw["built_at"],
            python=raw["python"],
            jobs=tuple(raw["jobs"]),
            runtime_requirements=tuple(raw["runtime_requirements"]),
            artifacts=raw["artifacts"],
        )

    @property
    def build_id(self) -> str:
        """12 hex digits that change whenever any artifact (library, dependencies, job scripts) changes."""
        digests = "".join(
            f"{name}={info['sha256']};"
            for name, info in sorted(self.artifacts.items())
            if not name.endswith(".whl")
        )
        return hashlib.sha256(digests.encode()).hexdigest()[:12]


def _zip_write(zf: zipfile.ZipFile, arcname: str, data: bytes) -> None:
    info = zipfile.ZipInfo(arcname, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def _write_zip(dest: Path, files: Iterable[tuple[str, Path]]) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w") as zf:
        for arcname, src in sorted(files):
            _zip_write(zf, arcname, src.read_bytes())
    return dest


def _library_files(package_dir: Path) -> Iterator[tuple[str, Path]]:
    for path in package_dir.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield f"{package_dir.name}/{path.relative_to(package_dir).as_posix()}", path


def build_library_zip(dest: Path, package_dir: Path | None = None) -> Path:
    """Zip the ``dea_etl`` package (sources and data files, no bytecode) so that it imports from the zip."""
    pkg = package_dir or Path(dea_etl.__file__).resolve().parent
    return _write_zip(dest, _library_files(pkg))


def runtime_requirements() -> tuple[str, ...]:
    """``name==version`` of :data:`RUNTIME_DISTRIBUTIONS` as installed in the build environment."""
    return tuple(f"{name}=={metadata.version(name)}" for name in RUNTIME_DISTRIBUTIONS)


def _distribution_files(name: str) -> Iterator[tuple[str, Path]]:
    dist = metadata.distribution(name)
    wheel = dist.read_text("WHEEL") or ""
    if "Root-Is-Purelib: true" not in wheel:
        raise PackageError(f"{name} is not pure Python: it cannot travel in a zip; use a venv archive")
    for f in dist.files or ():
        rel = f.as_posix()
        if rel.startswith("..") or "__pycache__" in rel or rel.endswith(".pyc") or ".dist-info/" in rel:
            continue
        yield rel, Path(str(f.locate()))


def build_deps_zip(dest: Path, names: Iterable[str] = RUNTIME_DISTRIBUTIONS) -> Path:
    """Zip the installed files of pure-Python distributions (importable from ``--py-files``)."""
    files = [item for name in names for item in _distribution_files(name)]
    return _write_zip(dest, files)


def build_wheel(project: Path, out: Path) -> Path:
    """``pip wheel --no-deps`` of the project into ``out``; returns the wheel's path."""
    before = set(out.glob("*.whl"))
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "--wheel-dir",
        str(out),
        str(project),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise PackageError(f"pip wheel failed: {last}")
    built = sorted(set(out.glob("dea_etl-*.whl")) - before) or sorted(out.glob("dea_etl-*.whl"))
    if not built:
        raise PackageError("pip wheel produced no dea_etl wheel")
    return built[-1]


def git_state(project: Path) -> tuple[str | None, bool]:
    """(commit, dirty) of the project's git work tree; (None, False) outside git."""

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", "-C", str(project), *args], capture_output=True, text=True, check=False)

    head = git("rev-parse", "HEAD")
    if head.returncode != 0:
        return None, False
    status = git("status", "--porcelain", "--untracked-files=no")
    return head.stdout.strip(), bool(status.stdout.strip())


def _checksum(path: Path) -> dict[str, object]:
    return {"sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "bytes": path.stat().st_size}


def copy_own_jar(out: Path) -> Path:
    """dea-etl's own jar (:data:`dea_etl.jvm.OWN_JAR`, built with the other jars when missing) into ``out``."""
    from dea_etl.jvm import OWN_JAR, jar_paths

    built = next(Path(p) for p in jar_paths() if Path(p).name == OWN_JAR)
    return Path(shutil.copy2(built, out / OWN_JAR))


def discover_job_scripts(jobs_dir: Path) -> dict[str, Path]:
    """``jobs/<name>.py`` files (not ``__init__``) by job name."""
    return {p.stem: p for p in sorted(jobs_dir.glob("*.py")) if not p.name.startswith("_")}


def build(out: Path, project: Path, *, wheel: bool = True) -> Manifest:
    """Build every artifact into ``out`` (its previous content is replaced) and write the manifest."""
    jobs = discover_job_scripts(project / JOBS_DIR)
    if not jobs:
        raise PackageError(f"no job scripts in {project / JOBS_DIR}")
    if out.exists():
        shutil.rmtree(out)
    (out / JOBS_DIR).mkdir(parents=True)
    paths = [build_library_zip(out / LIBRARY_ZIP), build_deps_zip(out / DEPS_ZIP), copy_own_jar(out)]
    if wheel:
        paths.append(build_wheel(project, out))
    for name, script in jobs.items():
        paths.append(Path(shutil.copy2(script, out / JOBS_DIR / f"{name}.py")))
    commit, dirty = git_state(project)
    manifest = Manifest(
        name="dea-etl",
        version=dea_etl.__version__,
        git_commit=commit,
        git_dirty=dirty,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        python=f"{sys.version_info.major}.{sys.version_info.minor}",
        jobs=tuple(jobs),
        runtime_requirements=runtime_requirements(),
        artifacts={p.relative_to(out).as_posix(): _checksum(p) for p in paths},
    )
    (out / MANIFEST).write_text(json.dumps(manifest.to_dict(), indent=2) + "\n", encoding="utf-8")
    return manifest
