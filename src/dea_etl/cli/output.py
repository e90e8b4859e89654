"""One-line messages of the ``dea-etl`` commands on standard error: ``error: ...`` and ``note: ...``."""

from __future__ import annotations

from rich.console import Console


def error(message: str) -> None:
    Console(stderr=True, soft_wrap=True).print(f"error: {message}", markup=False, highlight=False)


def note(message: str) -> None:
    Console(stderr=True, soft_wrap=True).print(f"note: {message}", markup=False, highlight=False)
