"""File listing and deletes through Hadoop's FileSystem API: the same code serves local folders here
and ``s3://`` on Glue and EMR (their connectors implement the API)."""

from __future__ import annotations

import os
import struct
from typing import Any

from pyspark.sql import SparkSession

from dea_etl.errors import InputError, OutputError, first_line
from dea_etl.io.storage import FileInfo as FileInfo  # re-exported: listings are FileInfo
from dea_etl.io.storage import is_hidden_name as is_hidden_name


def _fs(spark: SparkSession, path: str) -> tuple[Any, Any]:
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    fs = hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    return fs, hpath


def qualify(spark: SparkSession, path: str) -> str:
    """The fully qualified form of a path (``file:/abs/path`` locally)."""
    fs, hpath = _fs(spark, path)
    return str(fs.makeQualified(hpath).toString())


def exists(spark: SparkSession, path: str) -> bool:
    fs, hpath = _fs(spark, path)
    return bool(fs.exists(hpath))


def is_file(spark: SparkSession, path: str) -> bool:
    """True when ``path`` exists and is a file (an object, on S3), not a folder."""
    fs, hpath = _fs(spark, path)
    return bool(fs.exists(hpath)) and bool(fs.getFileStatus(hpath).isFile())


def list_files(spark: SparkSession, path: str) -> list[FileInfo]:
    """Every data file at ``path`` (a file, or a folder listed recursively), sorted by path.

    Hidden files and folders (``_*``, ``.*``) are skipped, as Spark and Athena skip them (:func:`scan` also
    names them); a file given itself is listed whatever its name. Raises :class:`InputError` when the
    path does not exist.
    """
    return scan(spark, path)[0]


def scan(spark: SparkSession, path: str) -> tuple[list[FileInfo], list[str]]:
    """:func:`list_files`, and what the scan of a folder skipped as hidden: each hidden file, and each
    hidden folder once (``_tmp/``), relative to ``path``, sorted."""
    fs, hpath = _fs(spark, path)
    if not fs.exists(hpath):
        raise InputError(f"input path {path} does not exist")
    if str(fs.getScheme()) == "file":
        return _scan_local(str(fs.makeQualified(hpath).toUri().getPath()))
    status = fs.getFileStatus(hpath)
    if status.isFile():
        return [FileInfo(str(status.getPath().toString()), int(status.getLen()), int(status.getModificationTime()))], []
    out: list[FileInfo] = []
    hidden: set[str] = set()
    root = str(fs.makeQualified(hpath).toString()).rstrip("/")
    for f in _listed(spark, fs, hpath):
        rel = f.path[len(root) :].lstrip("/") if f.path.startswith(root) else f.path.rsplit("/", 1)[-1]
        parts = rel.split("/")
        first_hidden = next((i for i, part in enumerate(parts) if is_hidden_name(part)), None)
        if first_hidden is not None:
            hidden.add("/".join(parts[: first_hidden + 1]) + ("/" if first_hidden < len(parts) - 1 else ""))
            continue
        out.append(f)
    return sorted(out), sorted(hidden)


_RECORD = struct.Struct(">qq")


def _listed(spark: SparkSession, fs: Any, hpath: Any) -> list[FileInfo]:
    """Every file under ``hpath`` (recursively), listed inside the JVM in one call
    (``dea_etl.spark.FileListing`` of ``dea-etl-spark.jar``: walking Hadoop's iterator from Python costs
    several Py4J round trips per file, longer than S3's own listing on a prefix of 100,000 objects)."""
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    raw = bytes(jvm.dea_etl.spark.FileListing.files(fs, hpath))
    found, at = [], 0
    while at < len(raw):
        (size,) = struct.unpack_from(">i", raw, at)
        path = raw[at + 4 : at + 4 + size].decode("utf-8")
        length, modified = _RECORD.unpack_from(raw, at + 4 + size)
        found.append(FileInfo(path, length, modified))
        at += 4 + size + _RECORD.size
    return found


def _scan_local(root: str) -> tuple[list[FileInfo], list[str]]:
    """``scan`` for a local path without a JVM round trip per file (same paths, sizes and times)."""

    def info(p: str, st: os.stat_result) -> FileInfo:
        return FileInfo("file:" + p, st.st_size, st.st_mtime_ns // 1_000_000)

    if os.path.isfile(root):
        return [info(root, os.stat(root))], []
    out: list[FileInfo] = []
    hidden: list[str] = []
    for folder, dirs, names in os.walk(root):
        rel = os.path.relpath(folder, root)
        prefix = "" if rel == "." else rel + "/"
        hidden += [prefix + d + "/" for d in dirs if is_hidden_name(d)]
        hidden += [prefix + n for n in names if is_hidden_name(n)]
        dirs[:] = [d for d in dirs if not is_hidden_name(d)]
        paths = (os.path.join(folder, n) for n in names if not is_hidden_name(n))
        out.extend(info(p, os.stat(p)) for p in paths if os.path.isfile(p))
    return sorted(out), sorted(hidden)


def delete(spark: SparkSession, path: str) -> None:
    fs, hpath = _fs(spark, path)
    if fs.exists(hpath) and not fs.delete(hpath, True):
        raise OutputError(f"could not delete {path}")


def children(spark: SparkSession, path: str) -> list[str]:
    """The names directly in folder ``path`` (none when it does not exist): one listing request."""
    fs, hpath = _fs(spark, path)
    if not fs.exists(hpath):
        return []
    return sorted(str(st.getPath().getName()) for st in fs.listStatus(hpath))


def _local_path(fs: Any, hpath: Any) -> str | None:
    """The plain local path of ``hpath`` when its file system is the local one, else None."""
    return str(fs.makeQualified(hpath).toUri().getPath()) if str(fs.getScheme()) == "file" else None


def _jvm_message(exc: Exception) -> str:
    """The first line of the Java exception behind a Py4J error (else of ``exc``)."""
    java = getattr(exc, "java_exception", None)
    return first_line(Exception(str(java.toString()))) if java is not None else first_line(exc)


def read_bytes(spark: SparkSession, path: str) -> bytes:
    """The whole content of a (small) file at a local path or a URI; :class:`InputError` when missing."""
    fs, hpath = _fs(spark, path)
    if not fs.exists(hpath):
        raise InputError(f"{path} does not exist")
    local = _local_path(fs, hpath)
    if local is not None:
        with open(local, "rb") as fh:
            return fh.read()
    try:
        stream = fs.open(hpath)
        try:
            return bytes(spark.sparkContext._jvm.org.apache.commons.io.IOUtils.toByteArray(stream))  # type: ignore[union-attr]
        finally:
            stream.close()
    except Exception as exc:
        raise InputError(f"cannot read {path}: {_jvm_message(exc)}") from exc


def write_bytes(spark: SparkSession, path: str, body: bytes) -> None:
    """Write a (small) file whole, replacing it: readers see the old content or the new, never a part.

    Locally through a temporary file and a rename; on an object store one upload (S3A makes the object
    visible when the stream closes). Local writes go around Hadoop, which would add ``.crc`` files.
    """
    fs, hpath = _fs(spark, path)
    local = _local_path(fs, hpath)
    if local is not None:
        os.makedirs(os.path.dirname(local) or ".", exist_ok=True)
        tmp = f"{local}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(body)
        os.replace(tmp, local)
        return
    try:
        out = fs.create(hpath, True)
        try:
            out.write(bytearray(body))
        finally:
            out.close()
    except Exception as exc:
        raise OutputError(f"cannot write {path}: {_jvm_message(exc)}") from exc


def upload_if_changed(spark: SparkSession, local_file: str, dst: str) -> bool:
    """Copy a local file to ``dst`` (a URI) unless a file of the same size, not older, is there already.

    Returns True when it was copied. An unchanged rerun copies nothing, so the copy keeps its
    modification time (what job bookmarks look at).
    """
    fs, hdst = _fs(spark, dst)
    st = os.stat(local_file)
    if fs.exists(hdst):
        current = fs.getFileStatus(hdst)
        if int(current.getLen()) == st.st_size and int(current.getModificationTime()) >= st.st_mtime_ns // 1_000_000:
            return False
    # A streamed copy: S3A's own copyFromLocalFile (Hadoop 3.3.4) fails on a single file.
    local_fs, hsrc = _fs(spark, "file:" + os.path.abspath(local_file))
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    if not jvm.org.apache.hadoop.fs.FileUtil.copy(local_fs, hsrc, fs, hdst, False, True, fs.getConf()):
        raise OutputError(f"could not copy {local_file} to {dst}")
    return True


def make_dirs(spark: SparkSession, path: str) -> None:
    fs, hpath = _fs(spark, path)
    if not fs.mkdirs(hpath):
        raise OutputError(f"could not create {path}")


def write_text(spark: SparkSession, path: str, text: str) -> None:
    """Write ``text`` (UTF-8) as the file ``path``, replacing it (one object PUT on S3)."""
    write_bytes(spark, path, text.encode("utf-8"))
