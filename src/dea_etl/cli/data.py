"""``dea-etl generate-data orders --rows N --seed S --out PATH``."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from dea_etl.cli.output import error


def _generate(ns: argparse.Namespace) -> int:
    from dea_etl.datagen.orders import config_from_seed, write_orders_csv

    if ns.rows < 1:
        error("--rows must be positive")
        return 2
    try:
        cfg = config_from_seed(ns.rows, ns.seed, Path(ns.data))
        rows = write_orders_csv(cfg, Path(ns.out))
    except ValueError as exc:
        error(str(exc))
        return 2
    except OSError as exc:
        error(str(exc))
        return 1
    Console().print(f"wrote {rows:,} orders rows to {ns.out} (seed {ns.seed})", highlight=False)
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("generate-data", help="write synthetic data (headerless orders CSV)")
    p.add_argument("dataset", choices=["orders"], help="what to generate: orders (headerless, as the course's)")
    p.add_argument("--rows", type=int, required=True, help="how many order lines")
    p.add_argument("--seed", type=int, default=42, help="random seed: the same seed gives the same file (default: 42)")
    p.add_argument("--out", required=True, help="the CSV file to write")
    p.add_argument("--data", default="data", help="folder with customers.csv and employees.csv")
    p.set_defaults(handler=_generate)
