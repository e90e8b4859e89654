"""File listing and moves through Hadoop's FileSystem API: the same code serves local folders here
and ``s3://`` on Glue and EMR (their connectors implement the API)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from pyspark.sql import SparkSession

from dea_etl.errors import InputError, OutputError


@dataclass(frozen=True, order=True)
class FileInfo:
    """A listed file: fully qualified path, size in bytes, modification time in epoch milliseconds."""

    path: str
    size: int
    modified_ms: int


def _fs(spark: SparkSession, path: str) -> tuple[Any, Any]:
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    fs = hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    return fs, hpath


def _hidden(name: str) -> bool:
    return name.startswith(("_", ".")) or name.endswith(("._COPYING_", ".tmp"))


def qualify(spark: SparkSession, path: str) -> str:
    """The fully qualified form of a path (``file:/abs/path`` locally)."""
    fs, hpath = _fs(spark, path)
    return str(fs.makeQualified(hpath).toString())


def exists(spark: SparkSession, path: str) -> bool:
    fs, hpath = _fs(spark, path)
    return bool(fs.exists(hpath))


def list_files(spark: SparkSession, path: str) -> list[FileInfo]:
    """Every data file at ``path`` (a file, or a folder listed recursively), sorted by path.

    Hidden files and folders (``_*``, ``.*``) are skipped, as Spark and Athena skip them.
    Raises :class:`InputError` when the path does not exist.
    """
    fs, hpath = _fs(spark, path)
    if not fs.exists(hpath):
        raise InputError(f"input path {path} does not exist")
    if str(fs.getScheme()) == "file":
        return _list_local(str(fs.makeQualified(hpath).toUri().getPath()))
    status = fs.getFileStatus(hpath)
    if status.isFile():
        return [FileInfo(str(status.getPath().toString()), int(status.getLen()), int(status.getModificationTime()))]
    out: list[FileInfo] = []
    it = fs.listFiles(hpath, True)
    root = str(fs.makeQualified(hpath).toString()).rstrip("/")
    while it.hasNext():
        st = it.next()
        p = str(st.getPath().toString())
        rel = p[len(root) :].lstrip("/") if p.startswith(root) else st.getPath().getName()
        if any(_hidden(part) for part in rel.split("/")):
            continue
        out.append(FileInfo(p, int(st.getLen()), int(st.getModificationTime())))
    return sorted(out)


def _list_local(root: str) -> list[FileInfo]:
    """``list_files`` for a local path without a JVM round trip per file (same paths, sizes and times)."""

    def info(p: str, st: os.stat_result) -> FileInfo:
        return FileInfo("file:" + p, st.st_size, st.st_mtime_ns // 1_000_000)

    if os.path.isfile(root):
        return [info(root, os.stat(root))]
    out: list[FileInfo] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not _hidden(d)]
        paths = (os.path.join(folder, n) for n in names if not _hidden(n))
        out.extend(info(p, os.stat(p)) for p in paths if os.path.isfile(p))
    return sorted(out)


def delete(spark: SparkSession, path: str) -> None:
    fs, hpath = _fs(spark, path)
    if fs.exists(hpath) and not fs.delete(hpath, True):
        raise OutputError(f"could not delete {path}")


def rename(spark: SparkSession, src: str, dst: str) -> None:
    """Rename ``src`` to ``dst`` (creating dst's parent); raises :class:`OutputError` on failure."""
    fs, hsrc = _fs(spark, src)
    _, hdst = _fs(spark, dst)
    parent = hdst.getParent()
    if parent is not None and not fs.exists(parent):
        fs.mkdirs(parent)
    if not fs.rename(hsrc, hdst):
        raise OutputError(f"could not rename {src} to {dst}")


def move_contents(spark: SparkSession, src_dir: str, dst_dir: str) -> int:
    """Move every data file under ``src_dir`` to the same relative place under ``dst_dir``."""
    moved = 0
    root = qualify(spark, src_dir).rstrip("/")
    dst_root = qualify(spark, dst_dir).rstrip("/")
    for f in list_files(spark, src_dir):
        rel = f.path[len(root) :].lstrip("/")
        rename(spark, f.path, f"{dst_root}/{rel}")
        moved += 1
    return moved


def write_text(spark: SparkSession, path: str, text: str) -> None:
    """Write ``text`` (UTF-8) as the file ``path``, replacing it (one object PUT on S3)."""
    fs, hpath = _fs(spark, path)
    out = fs.create(hpath, True)
    try:
        data = bytearray(text.encode("utf-8"))
        out.write(data)
    finally:
        out.close()
