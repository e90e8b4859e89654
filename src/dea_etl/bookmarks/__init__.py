"""Job bookmarks: Glue's semantics for incremental file processing, with local-folder and S3 stores."""

from dea_etl.bookmarks.model import MAX_BAND_MS, BookmarkEntry, SourceState, advance, file_key, select_new
from dea_etl.bookmarks.session import (
    DISABLE,
    ENABLE,
    OPTIONS,
    PAUSE,
    BookmarkSession,
    Selection,
    committed_by,
    release_claims,
    reset_bookmark,
    start_session,
)
from dea_etl.bookmarks.store import BookmarkError, BookmarkStore, Claim, VersionConflictError, open_store

__all__ = [
    "DISABLE",
    "ENABLE",
    "MAX_BAND_MS",
    "OPTIONS",
    "PAUSE",
    "BookmarkEntry",
    "BookmarkError",
    "BookmarkSession",
    "BookmarkStore",
    "Claim",
    "Selection",
    "SourceState",
    "VersionConflictError",
    "advance",
    "committed_by",
    "file_key",
    "open_store",
    "release_claims",
    "reset_bookmark",
    "select_new",
    "start_session",
]
