"""``dea-etl jars``: the local paths of the declared JVM jars, comma-separated (fetched first if missing)."""

from __future__ import annotations

import argparse

from dea_etl.cli.output import error


def _jars(ns: argparse.Namespace) -> int:
    from dea_etl.jvm import JarsUnavailableError, jar_paths

    try:
        paths = jar_paths(fetch=not ns.no_fetch)
    except JarsUnavailableError as exc:
        error(str(exc))
        return 1
    print(("\n" if ns.lines else ",").join(paths))
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "jars", help="print the JVM jars (S3A, Deequ, Iceberg) as local paths for --jars, fetching them if missing",
        description="Print the local paths of the jars declared in dea_etl/jvm/pom.xml, comma-separated "
        "(spark-submit --jars \"$(dea-etl jars)\"); fetches them with mvn first when any is missing.",
    )
    p.add_argument("--no-fetch", action="store_true", help="fail instead of fetching missing jars")
    p.add_argument("--lines", action="store_true", help="one path per line instead of comma-separated")
    p.set_defaults(handler=_jars)
