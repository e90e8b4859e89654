"""The ``dea-etl`` command.

Each area has its own module in this package with ``register(subparsers)``, which adds its subcommands
and sets ``handler`` (a function ``Namespace -> exit code``) on them. Add a module to :data:`MODULES`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

DEBUG_HELP = "on a failure, show its Python and Java traceback and Spark's own log (else: one line)"

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
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in MODULES:
        importlib.import_module(name).register(sub)
    _debug_option(sub)
    return parser


def _debug_option(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """``--debug`` after a command too (``dea-etl sql "..." --debug``, ``dea-etl bookmark show ... --debug``)."""
    for command in sub.choices.values():
        if command.prefix_chars == "-":
            command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                _debug_option(action)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit code. A failure a command did not handle ends as one line on stderr and
    the error's exit code (:mod:`dea_etl.errors`), with its traceback only under ``--debug``."""
    from dea_etl.cli.output import error
    from dea_etl.errors import debug_mode, exit_code, one_line

    ns = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    with debug_mode(ns.debug):
        try:
            return int(ns.handler(ns))
        except Exception as exc:
            error(f"{ns.command}: {one_line(exc)}")  # with its traceback under --debug
            return exit_code(exc)


if __name__ == "__main__":
    sys.exit(main())
