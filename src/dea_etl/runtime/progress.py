"""Progress of a job's steps, as ``run_job`` shows it: a spinner while a step runs, one line when it ends.

A job marks its steps with ``with ctx.step(name, index, total):`` (the pipeline does, per job it runs); the
library itself never prints: the runtime gives the context a :data:`StepReporter`. The lines go to
standard error, so standard output carries the run summary alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from rich.console import Console

#: ``reporter(name, index, total)``: a context manager around one step (1-based ``index`` of ``total``).
StepReporter = Callable[[str, int, int], AbstractContextManager[None]]


def no_progress(name: str, index: int, total: int) -> AbstractContextManager[None]:
    """The reporter of a context nobody watches (tests, library calls)."""
    return nullcontext()


def console_progress(console: Console) -> StepReporter:
    """A reporter that shows each step on ``console``: a spinner while it runs, then its outcome and time."""

    @contextmanager
    def step(name: str, index: int, total: int) -> Iterator[None]:
        label = f"[{index}/{total}] {name}"
        started = time.monotonic()
        outcome = "failed"
        try:
            with console.status(f"{label} ...", spinner="dots"):
                yield
            outcome = "done"
        finally:
            console.print(f"{label} {outcome} in {time.monotonic() - started:.1f} s", highlight=False, markup=False)

    return step
