"""``dea-etl bookmark show|reset|release --job NAME [--run-id RUN_ID] [--bookmark-store S]``."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from dea_etl.cli.output import error, note

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_STORE = "lake/tmpDir/bookmarks"


def _fail(message: str) -> int:
    error(message)
    return 1


def _glue_native(ns: argparse.Namespace) -> bool:
    """Glue's own bookmarks live in Glue's service: its CLI shows and resets them."""
    if ns.bookmark_store != "glue":
        return False
    verb = {"show": "get-job-bookmark", "reset": "reset-job-bookmark"}.get(ns.action, "reset-job-bookmark")
    run = f" --run-id {ns.run_id}" if getattr(ns, "run_id", None) else ""
    _fail(f"Glue's own bookmarks are kept by the Glue service: aws glue {verb} --job-name {ns.job}{run}")
    return True


def _show(ns: argparse.Namespace) -> int:
    from dea_etl.bookmarks import BookmarkError, committed_by, open_store

    if _glue_native(ns):
        return 2

    store = open_store(ns.bookmark_store)
    try:
        entry = committed_by(store, ns.job, ns.run_id) if ns.run_id else store.latest(ns.job)
    except BookmarkError as exc:
        return _fail(str(exc))
    if entry is None:
        return _fail(f"job {ns.job!r} has no bookmark in {ns.bookmark_store}")
    print(json.dumps(entry.to_glue(), indent=2))
    for held in store.claims(ns.job):
        note(f"version {held.entry.version} is claimed by run {held.entry.run_id} since {held.claimed_at} "
              "(publishing, or stopped before committing: see `dea-etl bookmark release`)")
    return 0


def _spark() -> SparkSession:
    """A local session (with the declared jars, S3A and Iceberg), for a claim that holds Iceberg writes."""
    from dea_etl.runtime import get_spark

    return get_spark("dea-etl-bookmark-release")[0]


def _release(ns: argparse.Namespace) -> int:
    from dea_etl.bookmarks import open_store
    from dea_etl.errors import DeaEtlError
    from dea_etl.pipelines.incremental import settle_claims

    if _glue_native(ns):
        return 2

    try:
        held, changed = settle_claims(open_store(ns.bookmark_store), ns.job, commit=ns.commit, spark=_spark)
    except DeaEtlError as exc:
        return _fail(str(exc))
    for line in changed:
        print(line)
    if not held:
        print(f"job {ns.job!r}: no claim is held")
    for c in held:
        done = "committed and released" if ns.commit and c is held[0] else "released"
        print(f"job {ns.job!r}: claim on version {c.entry.version} by run {c.entry.run_id} {done}")
    return 0


def _reset(ns: argparse.Namespace) -> int:
    from dea_etl.bookmarks import BookmarkError, open_store, reset_bookmark

    if _glue_native(ns):
        return 2

    try:
        entry = reset_bookmark(open_store(ns.bookmark_store), ns.job, ns.run_id)
    except BookmarkError as exc:
        return _fail(str(exc))
    what = f"rewound to run {ns.run_id}" if ns.run_id else "reset"
    print(f"job {ns.job!r}: bookmark {what} (version {entry.version})")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("bookmark", help="show, reset or rewind a job's bookmark")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, handler, help_text, run_help in (
        ("show", _show, "print the bookmark entry as JSON (Glue's JobBookmarkEntry)",
         "show the entry committed by this run"),
        ("reset", _reset, "reset the bookmark, or rewind it to a run",
         "rewind: the next run reads only what came after this run"),
    ):
        a = actions.add_parser(name, help=help_text)
        a.add_argument("--job", required=True, help="job name (--JOB_NAME of its runs)")
        a.add_argument("--run-id", help=run_help)
        a.add_argument("--bookmark-store", default=DEFAULT_STORE, help="folder, s3://BUCKET/PREFIX or glue")
        a.set_defaults(handler=handler)
    r = actions.add_parser("release", help="settle a run that stopped after claiming, before committing: roll its "
                                           "tables back (--commit: forward, and commit its entry); drop the claim")
    r.add_argument("--job", required=True, help="job name (--JOB_NAME of its runs)")
    r.add_argument("--commit", action="store_true",
                   help="roll forward: publish the rest of the stopped run's tables and commit its entry")
    r.add_argument("--bookmark-store", default=DEFAULT_STORE, help="folder, s3://BUCKET/PREFIX or glue")
    r.set_defaults(handler=_release)
