"""Where data lives: the one place that knows the storage URI schemes and what each needs.

A location is a local path (``lake``, ``/data/x``, ``file:/data/x``) or an object-store URI: ``s3://``,
and Hadoop's names for the same buckets, ``s3a://`` and ``s3n://``. This module maps a location to

- its canonical form (:func:`canonical`: ``s3a://b/k`` and ``s3n://b/k`` are ``s3://b/k``, the name Glue,
  Athena and boto3 use; a local path is absolute, without ``file:``), for comparing and for the catalog;
- its object-store client (:func:`s3_client`, boto3 at the endpoint in ``AWS_ENDPOINT_URL_S3`` or
  ``AWS_ENDPOINT_URL``, as boto3 itself reads them) and Python-side operations that need no JVM
  (:func:`exists`, :func:`open_folder`);
- the Hadoop settings Spark needs to read and write it (:func:`hadoop_settings`: every S3 scheme through
  S3A, path-style at a local endpoint, S3A's magic committer so no data file is renamed or copied).

Every other module asks here instead of spelling the schemes. A folder of small objects
(:func:`open_folder`: bookmark entries) needs the one thing a file system and S3 share: an object that is
created only when its name is free, and that a reader sees whole or not at all. Locally a name is written
to a hidden temporary file and hard-linked into place (``link`` fails when the name exists); on S3
``PutObject`` carries ``If-None-Match: *`` (S3 answers 412 ``PreconditionFailed``, or 409
``ConditionalRequestConflict`` while another write of the key is in flight, to every other writer).
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote

from dea_etl.errors import DeaEtlError

#: The URI schemes of S3 buckets: boto3's and AWS's own, then Hadoop's two other names for them.
S3_SCHEMES = ("s3", "s3a", "s3n")
_S3_PREFIXES = tuple(f"{s}://" for s in S3_SCHEMES)
_CONFLICT_CODES = ("PreconditionFailed", "ConditionalRequestConflict")
_MISSING_CODES = ("NoSuchKey", "404", "NotFound")


def scheme(location: str) -> str:
    """``s3`` for any S3 URI (``s3``, ``s3a``, ``s3n``), ``file`` for a local path, else the URI's scheme."""
    if location.startswith(_S3_PREFIXES):
        return "s3"
    if "://" not in location or location.startswith("file:"):
        return "file"
    return location.split("://", 1)[0]


def is_s3(location: str) -> bool:
    return scheme(location) == "s3"


def is_local(location: str) -> bool:
    return scheme(location) == "file"


def local_path(location: str) -> str:
    """The plain path of a local location (``file:/x``, ``file:///x`` -> ``/x``; relative stays relative)."""
    if location.startswith("file:"):
        return "/" + unquote(location[len("file:"):]).lstrip("/")
    return location


def canonical(location: str) -> str:
    """The location in one spelling: ``s3://bucket/key`` for every S3 scheme, an absolute local path (symbolic
    links resolved) for a local one; no trailing slash."""
    if is_s3(location):
        return "s3://" + location.split("://", 1)[1].rstrip("/")
    if is_local(location):
        return os.path.realpath(local_path(location))
    return location.rstrip("/")


def split_s3(location: str) -> tuple[str, str]:
    """``(bucket, key)`` of an S3 URI (any S3 scheme); :class:`StorageError` without a bucket."""
    rest = location.split("://", 1)[1]
    bucket, _, key = rest.partition("/")
    if not bucket:
        raise StorageError(f"{location!r}: no bucket")
    return bucket, key


def join(location: str, *parts: str) -> str:
    return "/".join([location.rstrip("/"), *(p.strip("/") for p in parts if p)])


def endpoint(environ: Mapping[str, str] | None = None) -> str | None:
    """The S3 endpoint boto3 would use from the environment (``AWS_ENDPOINT_URL_S3``, else
    ``AWS_ENDPOINT_URL``), or None for AWS itself."""
    env = os.environ if environ is None else environ
    return env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or None


def region(environ: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if environ is None else environ
    return env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None


_clients: dict[tuple[Any, ...], Any] = {}
_clients_lock = threading.Lock()


def aws_client(service: str, region_name: str | None = None) -> Any:
    """A boto3 client for ``service``, made once per service, region, endpoint and credentials in the
    environment (boto3 reads ``AWS_ENDPOINT_URL[_<SERVICE>]`` and the ``AWS_*`` credentials itself)."""
    key = (service, region_name, *(os.environ.get(v) for v in (
        "AWS_ENDPOINT_URL", f"AWS_ENDPOINT_URL_{service.upper()}", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE")))
    with _clients_lock:
        if key not in _clients:
            import boto3

            _clients[key] = boto3.session.Session().client(service, region_name=region_name)
        return _clients[key]


def s3_client(region_name: str | None = None) -> Any:
    """The S3 client for the environment's endpoint and credentials."""
    return aws_client("s3", region_name)


def exists(location: str) -> bool:
    """True when a file or folder (an object, or any object under the prefix, on S3) is at ``location``;
    without a JVM."""
    if is_s3(location):
        bucket, key = split_s3(location)
        listed = s3_client().list_objects_v2(Bucket=bucket, Prefix=key.rstrip("/"), MaxKeys=1)
        return bool(listed.get("KeyCount"))
    return os.path.exists(local_path(location))


S3A_FILESYSTEM = "org.apache.hadoop.fs.s3a.S3AFileSystem"
PARQUET_COMMITTER = "spark.sql.parquet.output.committer.class"
#: S3A's magic committer for Parquet written to any S3 scheme: each task's files are uploaded as multipart
#: uploads that the job commit completes, so no data file is renamed or copied (Hadoop's
#: FileOutputCommitter would copy each file twice on S3). Local paths keep FileOutputCommitter.
S3A_COMMITTER_CONF: dict[str, str] = {
    **{f"spark.hadoop.mapreduce.outputcommitter.factory.scheme.{s}":
       "org.apache.hadoop.fs.s3a.commit.S3ACommitterFactory" for s in S3_SCHEMES},
    "spark.hadoop.fs.s3a.committer.name": "magic",
    "spark.hadoop.fs.s3a.committer.magic.enabled": "true",
    PARQUET_COMMITTER: "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter",
}


def hadoop_settings(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Spark settings that make every S3 scheme go through S3A, as on EMR and Glue.

    The endpoint is the one boto3 uses (:func:`endpoint`), so one variable points boto3 and Spark at the
    same server; with an endpoint, buckets are addressed path-style. Credentials and region come from the
    usual ``AWS_*`` variables (S3A's default chain).
    """
    conf = {f"spark.hadoop.fs.{s}.impl": S3A_FILESYSTEM for s in S3_SCHEMES}
    conf |= {f"spark.hadoop.fs.AbstractFileSystem.{s}.impl": "org.apache.hadoop.fs.s3a.S3A" for s in S3_SCHEMES}
    url = endpoint(environ)
    if url:
        conf["spark.hadoop.fs.s3a.endpoint"] = url
        conf["spark.hadoop.fs.s3a.path.style.access"] = "true"
        conf["spark.hadoop.fs.s3a.connection.ssl.enabled"] = str(url.startswith("https:")).lower()
    where = region(environ)
    if where:
        conf["spark.hadoop.fs.s3a.endpoint.region"] = where
    return conf


class StorageError(DeaEtlError):
    """An object could not be read or written."""


class ObjectFolder(Protocol):
    location: str

    def names(self, sub: str = "") -> list[str]:
        """The names of the objects directly in the sub folder ``sub`` (none when it does not exist)."""

    def read(self, name: str) -> bytes | None:
        """The object's bytes, None when it does not exist."""

    def create(self, name: str, body: bytes) -> bool:
        """Write ``body`` unless the name exists (then False); readers never see half an object."""

    def put(self, name: str, body: bytes) -> None:
        """Write ``body``, replacing what is there; readers never see half an object."""

    def delete(self, name: str) -> None:
        """Delete the name (no error when it does not exist)."""


class LocalFolder:
    def __init__(self, root: str | Path) -> None:
        text = local_path(str(root))
        self.root = Path(text)
        self.location = text

    def names(self, sub: str = "") -> list[str]:
        folder = self.root / sub if sub else self.root
        if not folder.is_dir():
            return []
        return [p.name for p in folder.iterdir() if p.is_file() and not p.name.endswith(".tmp")]

    def read(self, name: str) -> bytes | None:
        try:
            return (self.root / name).read_bytes()
        except FileNotFoundError:
            return None

    def _temp(self, name: str, body: bytes) -> Path:
        """``body`` in a hidden temporary file beside ``name``, flushed to disk."""
        folder = (self.root / name).parent
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{uuid.uuid4().hex}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        return tmp

    def create(self, name: str, body: bytes) -> bool:
        tmp = self._temp(name, body)
        try:
            os.link(tmp, self.root / name)
        except FileExistsError:
            return False
        except OSError as exc:
            raise StorageError(f"cannot write {self.root / name}: {exc}") from exc
        finally:
            tmp.unlink(missing_ok=True)
        return True

    def put(self, name: str, body: bytes) -> None:
        os.replace(self._temp(name, body), self.root / name)

    def delete(self, name: str) -> None:
        (self.root / name).unlink(missing_ok=True)


def _code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code"))


class S3Folder:
    def __init__(self, bucket: str, prefix: str = "", client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.location = f"s3://{bucket}/{self.prefix}"
        self._client = client

    @classmethod
    def from_uri(cls, uri: str, client: Any = None) -> S3Folder:
        bucket, prefix = split_s3(uri)
        return cls(bucket, prefix, client)

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = s3_client()
        return self._client

    def key(self, name: str = "") -> str:
        return "/".join(p for p in (self.prefix, name.strip("/")) if p)

    def names(self, sub: str = "") -> list[str]:
        prefix = self.key(sub) + "/"
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/")
        return [obj["Key"][len(prefix) :] for page in pages for obj in page.get("Contents", [])]

    def read(self, name: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            return bytes(self.client.get_object(Bucket=self.bucket, Key=self.key(name))["Body"].read())
        except ClientError as exc:
            if _code(exc) in _MISSING_CODES:
                return None
            raise

    def create(self, name: str, body: bytes) -> bool:
        from botocore.exceptions import ClientError

        key = self.key(name)
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=body, IfNoneMatch="*",
                                   ContentType="application/json")
        except ClientError as exc:
            if _code(exc) in _CONFLICT_CODES:
                return False
            raise StorageError(f"cannot write s3://{self.bucket}/{key}: {exc}") from exc
        return True

    def put(self, name: str, body: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.key(name), Body=body, ContentType="application/json")

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(name))


def open_folder(location: str, client: Any = None) -> ObjectFolder:
    """The folder at ``location``: ``s3://BUCKET/PREFIX`` (also ``s3a://``, ``s3n://``) or a local path."""
    if is_s3(location):
        return S3Folder.from_uri(location, client)
    return LocalFolder(location)


@dataclass(frozen=True, order=True)
class FileInfo:
    """A listed file: fully qualified path, size in bytes, modification time in epoch milliseconds."""

    path: str
    size: int
    modified_ms: int


def is_hidden_name(name: str) -> bool:
    """Names Spark, Hive and Athena skip when they list a folder (``_SUCCESS``, ``.x.crc``, ``_temporary``)."""
    return name.startswith(("_", ".")) or name.endswith(("._COPYING_", ".tmp"))


def list_tree(location: str) -> list[tuple[str, FileInfo]]:
    """Every file under the folder ``location``, hidden ones included, as (path relative to it, info),
    sorted; none when it does not exist. Without a JVM: os locally, ``ListObjectsV2`` on S3."""
    if is_s3(location):
        bucket, key = split_s3(location)
        prefix = key.rstrip("/") + "/" if key.strip("/") else ""
        base = f"s3://{bucket}/"
        out: list[tuple[str, FileInfo]] = []
        for page in s3_client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                rel = obj["Key"][len(prefix):]
                if rel and not rel.endswith("/"):  # "folder/" markers are no files
                    modified = int(obj["LastModified"].timestamp() * 1000)
                    out.append((rel, FileInfo(base + obj["Key"], int(obj["Size"]), modified)))
        return sorted(out)
    root = local_path(location)
    found: list[tuple[str, FileInfo]] = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            try:
                st = os.stat(path)
            except FileNotFoundError:  # removed while listing
                continue
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            found.append((rel, FileInfo("file:" + os.path.abspath(path), st.st_size, st.st_mtime_ns // 1_000_000)))
    return sorted(found)


def children(location: str) -> tuple[list[str], list[str]]:
    """The (folder names, file names) directly in folder ``location``; one listing request on S3."""
    if is_s3(location):
        bucket, key = split_s3(location)
        prefix = key.rstrip("/") + "/" if key.strip("/") else ""
        folders: list[str] = []
        names: list[str] = []
        pages = s3_client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix, Delimiter="/")
        for page in pages:
            folders += [p["Prefix"][len(prefix):].rstrip("/") for p in page.get("CommonPrefixes", [])]
            names += [o["Key"][len(prefix):] for o in page.get("Contents", []) if o["Key"] != prefix]
        return sorted(folders), sorted(names)
    root = local_path(location)
    if not os.path.isdir(root):
        return [], []
    entries = list(os.scandir(root))
    return (sorted(e.name for e in entries if e.is_dir()), sorted(e.name for e in entries if not e.is_dir()))


#: DeleteObjects takes at most this many keys per call.
_DELETE_BATCH = 1000


def delete_files(location: str, relative: list[str]) -> None:
    """Delete the files ``relative`` (paths under the folder ``location``); on S3 with ``DeleteObjects``, a
    thousand per request; locally folders left empty are removed too. Missing files are no error."""
    if not relative:
        return
    if is_s3(location):
        bucket, key = split_s3(location)
        prefix = key.rstrip("/") + "/" if key.strip("/") else ""
        keys = [prefix + r for r in relative]
        for i in range(0, len(keys), _DELETE_BATCH):
            batch = [{"Key": k} for k in keys[i:i + _DELETE_BATCH]]
            answer = s3_client().delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
            failed = answer.get("Errors", [])
            if failed:
                raise StorageError(f"cannot delete s3://{bucket}/{failed[0]['Key']}: {failed[0].get('Message')}")
        return
    root = Path(local_path(location))
    parents = set()
    for rel in relative:
        path = root / rel
        path.unlink(missing_ok=True)
        path.with_name(f".{path.name}.crc").unlink(missing_ok=True)  # Hadoop's checksum beside a file
        parents.add(path.parent)
    for folder in sorted(parents, key=lambda p: len(p.parts), reverse=True):
        while folder != root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def prune_empty_folders(location: str) -> None:
    """Remove the folders under ``location`` (and itself) that hold no file (local only: S3 has none)."""
    if is_s3(location):
        return
    root = local_path(location)
    for folder, _dirs, _names in sorted(os.walk(root), key=lambda entry: -len(entry[0])):
        if not os.listdir(folder):
            os.rmdir(folder)


def delete_tree(location: str) -> None:
    """Delete the folder ``location`` and everything under it (nothing when it does not exist)."""
    if is_s3(location):
        delete_files(location, [rel for rel, _ in list_tree(location)])
        return
    import shutil

    shutil.rmtree(local_path(location), ignore_errors=True)


def abort_uploads(location: str, initiated_before_ms: int | None = None) -> int:
    """Abort the multipart uploads still open under ``location`` (S3A's magic committer leaves them when a
    job is killed before its commit: invisible, but billed), those begun before ``initiated_before_ms``
    when given (a job still writing has younger ones); returns how many. Local: none."""
    if not is_s3(location):
        return 0
    bucket, key = split_s3(location)
    prefix = key.rstrip("/") + "/" if key.strip("/") else ""
    client = s3_client()
    aborted = 0
    for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=bucket, Prefix=prefix):
        for upload in page.get("Uploads", []):
            if initiated_before_ms is not None and upload["Initiated"].timestamp() * 1000 >= initiated_before_ms:
                continue
            client.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
            aborted += 1
    return aborted
