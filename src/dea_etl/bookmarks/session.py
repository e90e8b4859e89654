"""A bookmark session: what one run of one job reads, and the single commit at its end.

``start_session`` reads the job's latest entry once. Each source asks :meth:`BookmarkSession.select`
which of its listed files to read; with ``job-bookmark-enable`` the session also works out the source's
next state, but keeps it in memory. :meth:`BookmarkSession.commit` writes the states of all sources as one
new version — only the runtime calls it, after the run's work succeeded, so a failed run leaves the
bookmark as it was. Options (Glue's ``--job-bookmark-option``):

- ``job-bookmark-disable`` (default): every file is read; nothing is read from or written to the store;
- ``job-bookmark-enable``: files not covered by the last commit are read; commit advances the state.
  Before publishing, a run claims the next version (:meth:`BookmarkSession.claim`): of two concurrent
  runs the second fails there, with nothing published;
- ``job-bookmark-pause``: files not covered by the last commit are read (or, with ``from_run_id`` and
  ``to_run_id``, the files the run ``to_run_id`` had processed and ``from_run_id`` had not); never commits.

A source read without a ``transformation_ctx`` is not tracked: all its files are read.

With ``native`` (Glue's own bookmarks, on Glue) the session keeps no state: the native selector says which
files are new, and Glue's ``job.commit()`` (run by the job runtime after success) commits them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

from dea_etl.bookmarks.model import (
    MAX_BAND_MS,
    BookmarkEntry,
    ListedFile,
    SourceState,
    advance,
    iso_ms,
    select_new,
)
from dea_etl.bookmarks.store import BookmarkError, BookmarkStore, Claim, conflict

ENABLE = "job-bookmark-enable"
DISABLE = "job-bookmark-disable"
PAUSE = "job-bookmark-pause"
OPTIONS = (ENABLE, DISABLE, PAUSE)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class Selection:
    """The files a source reads this run. ``incremental``: they add to what earlier runs read;
    ``append_if_exists``: the state is not ours to read (Glue's), so they add to the table if it exists."""

    transformation_ctx: str | None
    files: list[ListedFile]
    skipped: int = 0
    incremental: bool = False
    append_if_exists: bool = False
    #: What the listing skipped as hidden (``_*``, ``.*``): never read, reported in the run summary.
    hidden: list[str] = field(default_factory=list)


class NativeBookmarks(Protocol):
    """A runtime's own bookmarks (Glue's): the files of a source they have not covered yet."""

    def select(self, source: str, transformation_ctx: str, listed: Sequence[ListedFile]) -> list[ListedFile]:
        """The files of ``listed`` (the listing of ``source``) that are new for ``transformation_ctx``."""


@dataclass
class BookmarkSession:
    job_name: str
    run_id: str
    option: str = DISABLE
    store: BookmarkStore | None = None
    base: BookmarkEntry | None = None
    #: With pause and a range: the entries committed by the ``from`` and ``to`` runs.
    range_from: BookmarkEntry | None = None
    range_to: BookmarkEntry | None = None
    started_ms: int = 0
    max_band_ms: int = MAX_BAND_MS
    attempt: int = 0
    pending: dict[str, SourceState] = field(default_factory=dict)
    committed: BookmarkEntry | None = None
    #: The version this run has claimed (see :meth:`claim`).
    claimed: int | None = None
    #: Glue's own bookmarks: they select the files and ``job.commit()`` commits them (no store here).
    native: NativeBookmarks | None = None

    @property
    def enabled(self) -> bool:
        return self.option == ENABLE

    @property
    def tracking(self) -> bool:
        """True when sources with a ``transformation_ctx`` read only new files."""
        return self.option in (ENABLE, PAUSE)

    def _since(self, ctx: str) -> SourceState | None:
        entry = self.range_from if self.range_to is not None else self.base
        return entry.sources.get(ctx) if entry is not None else None

    def select(self, transformation_ctx: str | None, listed: Sequence[ListedFile], source: str = "") -> Selection:
        """The files of ``listed`` (the listing of ``source``) to read for the source ``transformation_ctx``."""
        if not self.tracking or not transformation_ctx:
            return Selection(transformation_ctx, list(listed))
        ctx = transformation_ctx
        if self.native is not None:
            chosen = self.native.select(source, ctx, listed) if listed else []
            skipped = len(listed) - len(chosen)
            return Selection(ctx, chosen, skipped, incremental=skipped > 0, append_if_exists=True)
        since = self._since(ctx)
        if self.range_to is not None:
            upto = self.range_to.sources.get(ctx)
            chosen = select_new(listed, since, upto=upto) if upto is not None else []
        else:
            chosen = select_new(listed, since, upto_ms=self.started_ms)
        if self.enabled:
            self.pending[ctx] = advance(listed, since, chosen, run=self._next_run, high_ms=self.started_ms,
                                        band_ms=since.band_ms if since else self.max_band_ms)
        # a range re-reads part of what earlier runs read: its rows add to the table, never replace it
        incremental = since is not None or self.range_to is not None
        return Selection(ctx, chosen, len(listed) - len(chosen), incremental)

    @property
    def _next_run(self) -> int:
        return (self.base.run if self.base else 0) + 1

    def claim(self, publications: Sequence[dict[str, Any]] = ()) -> None:
        """Reserve the next version before publishing anything (enable only); ``publications`` (what the
        run will publish) are kept in the claim for ``bookmark release``.

        Raises :class:`VersionConflictError` when another run holds the claim or has committed since this
        run started; then this run must publish nothing. Held until :meth:`commit` (or :meth:`release`).
        """
        if not self.enabled or self.store is None or self.claimed is not None:
            return
        entry = self._next_entry()
        self.store.claim(Claim(entry, iso_ms(_now_ms()), tuple(publications)))
        self.claimed = entry.version
        latest = self.store.latest(self.job_name)
        if (latest.version if latest else 0) != entry.version - 1:  # committed between start and claim
            self.release()
            raise conflict(entry)

    def release(self) -> None:
        """Drop this run's claim: only when it published nothing (a failed run that did keeps it)."""
        if self.claimed is not None and self.store is not None:
            self.store.release(self.job_name, self.claimed)
            self.claimed = None

    def _next_entry(self) -> BookmarkEntry:
        base = self.base or BookmarkEntry(self.job_name)
        return BookmarkEntry(
            job_name=self.job_name, version=base.version + 1, run=base.run + 1, attempt=self.attempt,
            previous_run_id=base.run_id, run_id=self.run_id,
            sources=MappingProxyType({**base.sources, **self.pending}),
        )

    def commit(self) -> None:
        """Write all sources' states as one new version (enable only); a conflict raises, writes nothing."""
        if not self.enabled or self.store is None or self.committed is not None:
            return
        self.claim()
        entry = self._next_entry()
        self.store.create(entry)
        self.committed = entry
        self.release()


def start_session(
    job_name: str, run_id: str, option: str = DISABLE, store: BookmarkStore | None = None, *,
    from_run_id: str | None = None, to_run_id: str | None = None, max_band_ms: int = MAX_BAND_MS,
    clock: Callable[[], int] = _now_ms, native: NativeBookmarks | None = None,
) -> BookmarkSession:
    """Open a run's session: read the job's latest entry (and the range's entries), count the attempt."""
    if option not in OPTIONS:
        raise BookmarkError(f"unknown job bookmark option {option!r}; one of {', '.join(OPTIONS)}")
    if (from_run_id is None) != (to_run_id is None):
        raise BookmarkError("job-bookmark-from and job-bookmark-to must be given together")
    if from_run_id and option != PAUSE:
        raise BookmarkError("job-bookmark-from/job-bookmark-to need job-bookmark-pause")
    session = BookmarkSession(job_name, run_id, option, store, started_ms=clock(), max_band_ms=max_band_ms)
    if option == DISABLE:
        return session
    if native is not None:  # Glue keeps the state, the attempts and the range itself
        session.native = native
        return session
    if store is None:
        raise BookmarkError(f"{option} needs a bookmark store")
    session.base = store.latest(job_name)
    if from_run_id and to_run_id:
        session.range_from = committed_by(store, job_name, from_run_id)
        session.range_to = committed_by(store, job_name, to_run_id)
    if option == ENABLE:
        marker = store.read_attempt(job_name) or {}
        next_run = session._next_run
        session.attempt = int(marker.get("Attempt", -1)) + 1 if marker.get("Run") == next_run else 0
        store.write_attempt(job_name, {"Run": next_run, "Attempt": session.attempt, "RunId": run_id})
    return session


def committed_by(store: BookmarkStore, job_name: str, run_id: str) -> BookmarkEntry:
    """The entry the run ``run_id`` committed; :class:`BookmarkError` when it committed none."""
    for entry in store.history(job_name):
        if entry.run_id == run_id:
            return entry
    raise BookmarkError(f"job {job_name!r} has no bookmark committed by run {run_id!r}")


def _write_claimed(store: BookmarkStore, entry: BookmarkEntry) -> None:
    """Write ``entry`` under its claim, so that no run can be publishing for that version meanwhile."""
    store.claim(Claim(entry, iso_ms(_now_ms())))
    try:
        store.create(entry)
    finally:
        store.release(entry.job_name, entry.version)


def reset_bookmark(store: BookmarkStore, job_name: str, run_id: str | None = None) -> BookmarkEntry:
    """Reset (every file is new again) or, with ``run_id``, rewind to the state that run committed.

    Writes a new version; Run, RunId and PreviousRunId stay those of the last run.
    """
    latest = store.latest(job_name)
    if latest is None:
        raise BookmarkError(f"job {job_name!r} has no bookmark")
    sources = committed_by(store, job_name, run_id).sources if run_id else MappingProxyType({})
    entry = BookmarkEntry(job_name, latest.version + 1, latest.run, latest.attempt, latest.previous_run_id,
                          latest.run_id, sources)
    _write_claimed(store, entry)
    return entry


def release_claims(store: BookmarkStore, job_name: str, *, commit: bool = False) -> list[Claim]:
    """Settle the claims left by runs that stopped after publishing and before committing.

    ``commit``: the run's output was published whole, so write the entry it was about to commit (roll
    forward; only for the claim of the version after the latest). Otherwise just drop the claims: the
    next run reads those files again (after you removed their published rows, if any).
    """
    held = store.claims(job_name)
    if commit:
        latest = store.latest(job_name)
        nxt = [c for c in held if c.entry.version == (latest.version if latest else 0) + 1]
        if not nxt:
            raise BookmarkError(f"job {job_name!r} has no claim on the version after its latest to commit")
        store.create(nxt[0].entry)
    for c in held:
        store.release(job_name, c.entry.version)
    return held
