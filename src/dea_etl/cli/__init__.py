"""The ``dea-etl`` command.

Each area has its own module in this package with ``register(subparsers)``, which adds its subcommands
and sets ``handler`` (a function ``Namespace -> exit code``) on them. Add a module to :data:`MODULES`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

MODULES = (
    "dea_etl.cli.jobs",
    "dea_etl.cli.data",
    "dea_etl.cli.dq",
    "dea_etl.cli.bookmark",
    "dea_etl.cli.catalog",
    "dea_etl.cli.sql",
    "dea_etl.cli.table",
    "dea_etl.cli.deploy",
    "dea_etl.cli.jars",
    "dea_etl.cli.submit",
)


def build_parser() -> argparse.ArgumentParser:
    from dea_etl import __version__

    parser = argparse.ArgumentParser(prog="dea-etl", description="PySpark ETL jobs for an AWS data lake")
    parser.add_argument("--version", action="version", version=f"dea-etl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit code. A :class:`DeaEtlError` a command did not handle ends as one line on
    stderr and the error's exit code (:mod:`dea_etl.errors`)."""
    from dea_etl.cli.output import error
    from dea_etl.errors import DeaEtlError

    ns = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        return int(ns.handler(ns))
    except DeaEtlError as exc:
        error(f"{ns.command}: {exc}")
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
