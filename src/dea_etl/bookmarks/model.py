"""The bookmark model: one entry per job, one state per source ``transformation_ctx``, as Glue keeps them.

An entry has Glue's ``JobBookmarkEntry`` fields (JobName, Version, Run, Attempt, PreviousRunId, RunId,
JobBookmark). ``JobBookmark`` maps each ``transformation_ctx`` to a file source's state, serialised the way
Glue serialises it (``HadoopDataSourceJobBookmarkState`` with ``timestamps``):

- ``CURR_RUN_START_TIME``: the high-water mark, the time the committing run started. Files modified up
  to it are covered by the state.
- ``HIGH_BAND``: the consistency band (``maxBand``, default 900,000 ms = 15 minutes). A file modified
  inside ``(high - band, high]`` may be listed late, so it is covered only when it is in
- ``INCLUDE_LIST``: hashes of the files inside the band that were read (path and modification time, so
  a file rewritten later is read again).

Everything here is pure: selection and advancing take a listing and return new values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Protocol

#: Glue's default consistency band (the ``maxBand`` connection option), in milliseconds.
MAX_BAND_MS = 900_000
STATE_CLASS = "HadoopDataSourceJobBookmarkState"


class ListedFile(Protocol):
    """What a bookmark needs to know about a listed file (``dea_etl.io.FileInfo`` has it)."""

    @property
    def path(self) -> str: ...

    @property
    def modified_ms(self) -> int: ...


def file_key(f: ListedFile) -> str:
    """The hash a state keeps for a file read inside the band: its path and modification time."""
    return hashlib.md5(f"{f.path}|{f.modified_ms}".encode(), usedforsecurity=False).hexdigest()


def iso_ms(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso_ms(text: str) -> int:
    return round(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


@dataclass(frozen=True)
class SourceState:
    """What one source (``transformation_ctx``) has processed up to its last commit."""

    run: int
    high_ms: int
    band_ms: int = MAX_BAND_MS
    include: frozenset[str] = frozenset()

    def covers(self, f: ListedFile) -> bool:
        """True when ``f`` (at its current modification time) was processed by the runs up to this state."""
        if f.modified_ms > self.high_ms:
            return False
        return f.modified_ms <= self.high_ms - self.band_ms or file_key(f) in self.include

    def to_glue(self) -> dict[str, Any]:
        return {
            "jsonClass": STATE_CLASS,
            "timestamps": {
                "RUN": str(self.run),
                "HIGH_BAND": str(self.band_ms),
                "CURR_LATEST_PARTITION": "0",
                "CURR_LATEST_PARTITIONS": "",
                "CURR_RUN_START_TIME": iso_ms(self.high_ms),
                "INCLUDE_LIST": ",".join(sorted(self.include)),
            },
        }

    @classmethod
    def from_glue(cls, data: Mapping[str, Any]) -> SourceState:
        ts = data["timestamps"]
        include = frozenset(h for h in str(ts.get("INCLUDE_LIST", "")).split(",") if h)
        return cls(int(ts["RUN"]), parse_iso_ms(ts["CURR_RUN_START_TIME"]), int(ts["HIGH_BAND"]), include)


def select_new(
    listed: Iterable[ListedFile], since: SourceState | None, *, upto_ms: int | None = None,
    upto: SourceState | None = None,
) -> list[ListedFile]:
    """The listed files not covered by ``since`` and covered by ``upto`` (or modified by ``upto_ms``)."""
    def below_upper(f: ListedFile) -> bool:
        if upto is not None:
            return upto.covers(f)
        return upto_ms is None or f.modified_ms <= upto_ms

    return [f for f in listed if not (since is not None and since.covers(f)) and below_upper(f)]


def advance(
    listed: Sequence[ListedFile], since: SourceState | None, read: Iterable[ListedFile], *, run: int,
    high_ms: int, band_ms: int = MAX_BAND_MS,
) -> SourceState:
    """The state after reading ``read`` from a listing taken at ``high_ms``: covers what ``since`` covered
    plus what was read; remembers the files inside the new band that are covered."""
    read_keys = {file_key(f) for f in read}
    include = frozenset(
        file_key(f) for f in listed
        if high_ms - band_ms < f.modified_ms <= high_ms
        and (file_key(f) in read_keys or (since is not None and since.covers(f)))
    )
    return SourceState(run, high_ms, band_ms, include)


@dataclass(frozen=True)
class BookmarkEntry:
    """One version of a job's bookmark: Glue's JobBookmarkEntry, with the states decoded."""

    job_name: str
    version: int = 0
    run: int = 0
    attempt: int = 0
    previous_run_id: str | None = None
    run_id: str | None = None
    sources: Mapping[str, SourceState] = field(default_factory=lambda: MappingProxyType({}))

    def to_glue(self) -> dict[str, Any]:
        """Glue's ``JobBookmarkEntry`` (``JobBookmark`` is a JSON string, as in Glue's API)."""
        entry: dict[str, Any] = {"JobName": self.job_name, "Version": self.version, "Run": self.run,
                                 "Attempt": self.attempt}
        if self.previous_run_id:
            entry["PreviousRunId"] = self.previous_run_id
        if self.run_id:
            entry["RunId"] = self.run_id
        entry["JobBookmark"] = json.dumps({ctx: s.to_glue() for ctx, s in sorted(self.sources.items())})
        return entry

    @classmethod
    def from_glue(cls, data: Mapping[str, Any]) -> BookmarkEntry:
        states = json.loads(data.get("JobBookmark") or "{}")
        return cls(
            job_name=data["JobName"], version=int(data.get("Version", 0)), run=int(data.get("Run", 0)),
            attempt=int(data.get("Attempt", 0)), previous_run_id=data.get("PreviousRunId"),
            run_id=data.get("RunId"),
            sources=MappingProxyType({ctx: SourceState.from_glue(s) for ctx, s in states.items()}),
        )
