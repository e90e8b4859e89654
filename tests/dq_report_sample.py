"""A data-quality report written by hand (no Spark): a failing evaluation with its profile, the rows that fail
a rule (a null and hostile values among them), a rule that could not be evaluated, a dataset-level rule and
a metric history of four runs for one metric and of two for another."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

from dea_etl.quality.charts import Chart
from dea_etl.quality.outcome import Outcome
from dea_etl.quality.profile import NUMBER, OTHER, TEXT, TIME, Bin, ColumnProfile, Profile
from dea_etl.quality.report import Report, RuleSample

T0 = datetime(2026, 11, 4, 6, 30, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script>"
MARKUP = "[bold]x[/bold]"
ROWS = 1234
COLUMNS = ("id", "qty", "name", "day", "flag")
FAILING_ROWS = (
    {"id": 7, "qty": -2, "name": HOSTILE, "day": date(2026, 1, 2), "flag": True},
    {"id": 9, "qty": -1, "name": None, "day": None, "flag": None},
    {"id": 11, "qty": -5, "name": MARKUP, "day": date(2026, 1, 3), "flag": False},
)

RULES = (
    Outcome(True, None, {"Dataset.*.RowCount": 1234.0}).of("RowCount > 0", "", "Rule_1", {}),
    Outcome(False, "Value: 0.9976 does not meet the constraint requirement (3 of 1234 rows failed).",
            {"Column.qty.Minimum": -5.0}).of('ColumnValues "qty" > 0', "", "Rule_2", {"team": "<sales>"}),
    Outcome(False, "Column missing does not exist", error=True).of('IsComplete "missing"', "", "Rule_3", {}),
    Outcome(False, "Value: 1234 does not meet the constraint requirement.", {"Dataset.*.RowCount": 1234.0}).of(
        "RowCount > 5000", "", "Rule_4", {}),
    Outcome(True, None, {"Column.id.Completeness": 1.0}).of('IsComplete "id"', "", "Rule_5", {}),
)

PROFILE = Profile(ROWS, (
    ColumnProfile("id", "int", NUMBER, 0, 1234, 1, 1234, 617.5,
                  histogram=tuple(Bin(1 + i * 123.3, 1 + (i + 1) * 123.3, 123) for i in range(10))),
    ColumnProfile("qty", "int", NUMBER, 0, 12, -5, 6, 2.25,
                  histogram=tuple(Bin(float(v), float(v), c) for v, c in
                                  zip(range(-5, 7), (1, 0, 0, 1, 1, 0, 50, 300, 500, 250, 100, 31), strict=True))),
    ColumnProfile("name", "string", TEXT, 40, 900, 0, 24),
    ColumnProfile("day", "date", TIME, ROWS, 0, None, None),  # every value null: min and max are NULL
    ColumnProfile("flag", "boolean", OTHER, 1, 2),
))

CHARTS = (
    Chart("Dataset.*.RowCount", ("2026-11-01 06:30", "2026-11-02 06:30", "2026-11-03 06:30",
                                 "2026-11-04 06:30 (this run)"), (1200.0, 1215.0, 1190.0, 1234.0)),
    Chart("Column.qty.Minimum", ("2026-11-03 06:30", "2026-11-04 06:30 (this run)"), (0.0, -5.0), failed=True),
)


def failing_report(**changes: object) -> Report:
    """The sample report; ``changes``: fields to replace."""
    fields: dict[str, object] = dict(
        table="orders", ruleset_name="orders", ruleset_text='Rules = [ RowCount > 0, ColumnValues "qty" > 0 ]',
        run_id="run-20261104", evaluated_at=T0 + timedelta(seconds=42), rules=RULES, failing_rows=FAILING_ROWS,
        charts=CHARTS, started_at=T0, source="lake/processedData/orders", row_count=ROWS, columns=COLUMNS,
        profile=PROFILE, samples={"Rule_2": RuleSample(FAILING_ROWS, more=False)},
    )
    fields.update(changes)
    return Report(**fields)  # type: ignore[arg-type]


class Page(HTMLParser):
    """The page's sections (ids of header / section elements, in order) and the text of each table cell."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.cells: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        ids = [v for k, v in attrs if k == "id" and v]
        if tag in ("header", "section") and ids:
            self.sections.append(ids[0])
        if tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse_page(html: str) -> Page:
    """The page's sections and table cells."""
    page = Page()
    page.feed(html)
    return page
