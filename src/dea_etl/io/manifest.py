"""A table's manifest: which runs' data files make up the table, switched by writing one small object.

Layout of a table folder (local or S3)::

    <table>/_dea_runs/dea_run=<run id>-<start ms hex><random>/[year=2014/month=5/]part-*.parquet
    <table>/_dea_manifest/<version:010d>.json                           the table's versions
    <table>/_dea_manifest/runs/<run id>-<start ms hex><random>          a run writing here (empty)

A run writes its data under its own prefix, where no reader looks. Publishing creates manifest version
``n + 1`` (exclusively: of two writers only one creates it; the other rebuilds on top and tries ``n + 2``)
listing the table's *slices*: (run, partition) pairs. Readers take the newest version and read exactly
its slices. Nothing is renamed, copied or moved: a table, a partition or an append becomes visible by the
one ``PutObject`` of the manifest.

- ``overwrite``: the new version holds only the run's slices;
- ``overwrite-partitions``: the run's slices replace the slices of the same partitions;
- ``append``: the run's slices are added.

Data no version needs any more is deleted by a later publish (:func:`clean`), only once it has been out
of every version for :data:`GRACE_MS` (a reader that resolved an older version may still be reading it),
and a run's prefix that no version ever held (a killed or failed run) once the run started that long ago.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from dea_etl.errors import OutputError
from dea_etl.faults import checkpoint
from dea_etl.storage import ObjectFolder, open_folder

MANIFESTS = "_dea_manifest"
RUNS = "_dea_runs"
#: The folder level naming a slice's run; readers drop it.
RUN_COLUMN = "dea_run"
#: Unreferenced data is deleted this long after it left the table (or its run started).
GRACE_MS = 3_600_000
_FORMAT = 1


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, order=True)
class Slice:
    """The files one run wrote for one partition (``part`` is ``""`` for an unpartitioned table)."""

    run: str
    part: str = ""

    def path(self, table: str) -> str:
        return "/".join(p for p in (run_prefix(table, self.run), self.part) if p)

    def values(self) -> tuple[str, ...]:
        """The run, then the partition's values: the slice as a catalog partition (``dea_run`` first)."""
        return (self.run, *(kv.split("=", 1)[1] for kv in self.part.split("/") if kv))


def run_prefix(table: str, run: str) -> str:
    return f"{table.rstrip('/')}/{RUNS}/{RUN_COLUMN}={run}"


@dataclass(frozen=True)
class Manifest:
    """One version of a table."""

    version: int
    #: The run (prefix name) whose publish, or rollback, wrote this version.
    writer: str
    created_ms: int
    schema_json: str
    partition_by: tuple[str, ...]
    slices: tuple[Slice, ...]

    def to_json(self) -> bytes:
        return (json.dumps({
            "Format": _FORMAT, "Version": self.version, "Writer": self.writer, "CreatedMs": self.created_ms,
            "PartitionBy": list(self.partition_by), "Schema": json.loads(self.schema_json),
            "Slices": [{"Run": s.run, "Part": s.part} for s in self.slices],
        }, indent=1) + "\n").encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        d = json.loads(raw)
        return cls(int(d["Version"]), str(d["Writer"]), int(d["CreatedMs"]), json.dumps(d["Schema"]),
                   tuple(d["PartitionBy"]), tuple(Slice(s["Run"], s["Part"]) for s in d["Slices"]))

    def runs(self) -> set[str]:
        return {s.run for s in self.slices}


@dataclass(frozen=True)
class Publication:
    """What a staged run makes visible, and how: everything publishing needs, without listing data."""

    table: str
    #: The run's prefix name: the job's run id and a random suffix (a rerun with the same run id, or two
    #: writes of one run to the same table, never write into data a reader may be reading).
    run: str
    mode: str
    schema_json: str
    partition_by: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()

    @property
    def slices(self) -> tuple[Slice, ...]:
        return tuple(Slice(self.run, p) for p in self.parts)

    def apply(self, current: Manifest | None, version: int) -> Manifest:
        """The version that makes this run's slices visible on top of ``current``."""
        kept: Iterable[Slice] = ()
        if current is not None and self.mode == "append":
            kept = current.slices
        elif current is not None and self.mode == "overwrite-partitions":
            kept = (s for s in current.slices if s.part not in set(self.parts))
        slices = tuple(sorted({*kept, *self.slices}))
        return Manifest(version, self.run, now_ms(), self.schema_json, self.partition_by, slices)

    def to_dict(self) -> dict[str, object]:
        return {"Table": self.table, "Run": self.run, "Mode": self.mode, "Schema": json.loads(self.schema_json),
                "PartitionBy": list(self.partition_by), "Parts": list(self.parts)}

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> Publication:
        return cls(str(d["Table"]), str(d["Run"]), str(d["Mode"]), json.dumps(d["Schema"]),
                   tuple(d["PartitionBy"]), tuple(d["Parts"]))  # type: ignore[arg-type]


def _folder(table: str) -> ObjectFolder:
    return open_folder(f"{table.rstrip('/')}/{MANIFESTS}")


def _version_name(version: int) -> str:
    return f"{version:010d}.json"


def _versions(folder: ObjectFolder) -> list[int]:
    return sorted(int(n[:-5]) for n in folder.names() if n.endswith(".json") and n[:-5].isdigit())


def latest(table: str) -> Manifest | None:
    """The table's newest version; None when the folder has no manifest (not written by dea-etl yet)."""
    folder = _folder(table)
    for version in reversed(_versions(folder)):
        raw = folder.read(_version_name(version))
        if raw is not None:
            return Manifest.from_json(raw)
    return None


def history(table: str, *, since_ms: int = 0) -> list[Manifest]:
    """The versions created at or after ``since_ms`` (and the newest before it), newest first."""
    folder = _folder(table)
    out: list[Manifest] = []
    for version in reversed(_versions(folder)):
        raw = folder.read(_version_name(version))
        if raw is None:
            continue
        out.append(Manifest.from_json(raw))
        if out[-1].created_ms < since_ms:
            break
    return out


def commit(table: str, build: Callable[[Manifest | None, int], Manifest]) -> Manifest:
    """Create the next version built from the newest one; rebuild and retry when another writer won."""
    folder = _folder(table)
    while True:
        current = latest(table)
        version = (current.version if current else 0) + 1
        wanted = build(current, version)
        if folder.create(_version_name(version), wanted.to_json()):
            return wanted


def new_run(run_id: str) -> str:
    """A fresh prefix name for a write of the job run ``run_id``: the run id (only letters, digits, ``_``
    and ``-`` kept: it names a folder), the start time in hex milliseconds and a random suffix."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", run_id) or "run"
    return f"{safe}-{now_ms():011x}{uuid.uuid4().hex[:6]}"


def started_ms(run: str) -> int:
    """When the write named ``run`` (by :func:`new_run`) started."""
    return int(run.rsplit("-", 1)[-1][:11], 16)


def mark_started(table: str, run: str) -> None:
    """Record that ``run`` writes under its prefix, so that :func:`clean` finds it even if it never publishes."""
    _folder(table).put(f"runs/{run}", b"")


def publish(pub: Publication) -> Manifest:
    """Make the staged run visible: one new manifest version."""
    checkpoint(f"publish:{pub.table.rstrip('/').rsplit('/', 1)[-1]}")
    return commit(pub.table, lambda current, version: pub.apply(current, version))


def published(pub: Publication) -> bool:
    """True when the newest version of the table holds the run's slices."""
    current = latest(pub.table)
    return current is not None and pub.run in current.runs()


def roll_back(pub: Publication) -> Manifest | None:
    """A new version without the run's slices, with the slices its version had replaced put back.

    Returns None when the run's slices are not in the table (nothing to undo).
    """
    versions = history(pub.table)
    current = versions[0] if versions else None
    if current is None or pub.run not in current.runs():
        return None
    mine = next(i for i, m in enumerate(versions) if m.writer == pub.run and pub.run in m.runs())
    before = versions[mine + 1].slices if mine + 1 < len(versions) else ()
    replaced = set(before) - set(versions[mine].slices)

    def build(latest_: Manifest | None, version: int) -> Manifest:
        base = latest_ or current
        slices = tuple(sorted({s for s in base.slices if s.run != pub.run} | replaced))
        return Manifest(version, f"rollback-{pub.run}", now_ms(), base.schema_json, base.partition_by, slices)

    return commit(pub.table, build)


def stale_runs(table: str, started: dict[str, int], *, grace_ms: int = GRACE_MS, now: int | None = None) -> list[str]:
    """Runs (among ``started``: run id -> start time) whose data no reader can need any more."""
    now = now_ms() if now is None else now
    recent = history(table, since_ms=now - grace_ms)
    needed = set().union(*(m.runs() for m in recent)) if recent else set()
    return sorted(r for r, ms in started.items() if r not in needed and ms < now - grace_ms)


def started_runs(table: str) -> dict[str, int]:
    """The runs that marked themselves started in the table, with their start times (one listing)."""
    return {name: started_ms(name) for name in _folder(table).names("runs")}


def forget_run(table: str, run: str) -> None:
    _folder(table).delete(f"runs/{run}")


def ordered_columns(names: Sequence[str], partition_by: Sequence[str]) -> list[str]:
    """Data columns, then partition columns: the order Spark gives a partitioned Parquet folder."""
    return [n for n in names if n not in partition_by] + [n for n in partition_by if n in names]


def settle(publications: Sequence[dict[str, object]], *, forward: bool) -> list[str]:
    """Settle what a stopped run published: ``forward`` publishes what it had not published yet,
    else every table it published is rolled back. Returns a line per table changed."""
    pubs = [Publication.from_dict(d) for d in publications]
    done = []
    if forward:
        for pub in pubs:
            if published(pub):
                continue
            if pub.run not in started_runs(pub.table):
                raise OutputError(f"{pub.table}: the staged data of run {pub.run} is gone (discarded or cleaned); "
                                  "release without --commit")
            publish(pub)
            done.append(f"{pub.table}: published run {pub.run}")
    else:
        for pub in reversed(pubs):
            if roll_back(pub) is not None:
                done.append(f"{pub.table}: rolled back run {pub.run}")
    return done
