"""BENCHMARKS.md is rewritten by `make bench`: a section rerun here replaces its old text, and the sections
this clone has no results for (measured in another clone, whose results stay in its ignored .bench/) are
kept as they were, in their place."""

from __future__ import annotations

from benchmarks import merge

OLD = "# Benchmarks\n\nold machine\n\n## CSV\n\nold csv\n\n## DQ\n\nold dq\n\n## Bookmarks\n\nold bookmarks\n"
NEW = "# Benchmarks\n\nthis machine\n\n## DQ\n\nnew dq\n\n## Iceberg\n\nnew iceberg\n"


def test_a_rerun_section_replaces_its_text_and_the_others_stay_in_place() -> None:
    assert merge(OLD, NEW) == (
        "# Benchmarks\n\nthis machine\n\n## CSV\n\nold csv\n\n## DQ\n\nnew dq\n\n## Bookmarks\n\nold bookmarks\n\n"
        "## Iceberg\n\nnew iceberg\n"
    )


def test_no_previous_file_gives_the_new_text() -> None:
    assert merge("", NEW) == NEW
