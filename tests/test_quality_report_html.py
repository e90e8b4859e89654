"""report.html and report.md as people read them: the verdict and the dataset first, then the failing rules with
the rows that fail them, the columns' profile, the passing rules and the metrics over the runs (a chart from
three runs on); NULL for a null; every value from the data escaped."""

from __future__ import annotations

import json
import re

from tests.dq_report_sample import HOSTILE, MARKUP, failing_report, parse_page

from dea_etl.quality.outcome import Outcome
from dea_etl.quality.report import RuleSample, render_html, render_json, render_markdown


def test_the_page_leads_with_the_verdict_the_dataset_and_the_failing_rules():
    page = parse_page(render_html(failing_report()))
    assert page.sections == ["banner", "dataset", "failing", "profile", "passing", "history", "ruleset"]


def test_the_banner_says_failed_or_passed():
    html = render_html(failing_report())
    assert re.search(r'<header class="banner fail" id="banner"><span class="verdict">FAILED</span>', html)
    assert "3 of 5 rules failed (1 could not be evaluated)" in html
    passed = failing_report(rules=tuple(r for r in failing_report().rules if r.passed), samples={})
    html = render_html(passed)
    assert '<header class="banner pass" id="banner"><span class="verdict">PASSED</span>' in html
    assert "all 2 rules passed" in html and 'id="failing"' not in html


def test_the_header_names_the_source_rows_columns_run_and_time():
    html = render_html(failing_report())
    dataset = html.split('<section id="dataset">')[1].split("</section>")[0]
    facts = dict(re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", dataset))
    assert facts == {"source": "lake/processedData/orders", "rows": "1,234", "columns": "5",
                     "run id": "run-20261104", "evaluated at": "2026-11-04 06:30:42 UTC (took 42.0 s)",
                     "ruleset": "orders", "score": "0.40 (2 of 5 rules passed)"}


def test_failing_rules_come_in_ruleset_order_each_with_what_it_has_to_show():
    failing = render_html(failing_report()).split('<section id="failing">')[1].split("</section>")[0]
    cards = failing.split('<article class="rule')[1:]
    assert [re.search(r"<code>([^<]*)</code>", c).group(1) for c in cards] == [  # type: ignore[union-attr]
        "ColumnValues &quot;qty&quot; &gt; 0", "IsComplete &quot;missing&quot;", "RowCount &gt; 5000"]
    assert "The 3 rows that fail it" in cards[0]
    assert "rows that fail" not in cards[1]  # could not be evaluated: it failed no row of its own
    assert "A rule on the whole dataset" in cards[2]
    # the column the rule names comes first in its rows and stands out
    assert re.search(r"<tr><th class=hl>qty</th><th>id</th>", cards[0])


def test_a_sample_of_the_first_rows_says_so():
    sample = failing_report().samples["Rule_2"]  # type: ignore[index]
    html = render_html(failing_report(samples={"Rule_2": RuleSample(sample.rows[:2], more=True)}))
    assert "The first 2 rows that fail it" in html


def test_nulls_are_null_and_values_from_the_data_are_text():
    html = render_html(failing_report())
    cells = parse_page(html).cells
    assert "None" not in html
    assert cells.count("NULL") >= 5  # name, day, flag of a failing row; the all-null column's min and max
    assert HOSTILE in cells and MARKUP in cells  # shown as they are, as text
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for fetcher in ("<script", "<link", "src=", "href=", "@import", "url("):
        assert fetcher not in html


def test_the_profile_has_a_row_per_column_with_a_histogram_for_numbers():
    profile = render_html(failing_report()).split('<section id="profile">')[1].split("</section>")[0]
    rows = profile.split("<tr>")[2:]
    assert [re.search(r"<code>([^<]*)</code>", r).group(1) for r in rows] == [  # type: ignore[union-attr]
        "id", "qty", "name", "day", "flag"]
    assert [r.count('<svg xmlns="http://www.w3.org/2000/svg" class="hist"') for r in rows] == [1, 1, 0, 0, 0]
    cells = parse_page(profile).cells
    qty = cells[9:18]
    assert qty[:7] == ["qty", "int", "0", "0.0%", "12", "-5", "6"]
    day = cells[27:36]
    assert day[:7] == ["day", "date", "1,234", "100.0%", "0", "NULL", "NULL"]
    assert cells[18:25] == ["name", "string", "40", "3.2%", "900", "length 0", "length 24"]


def test_a_metric_is_charted_from_three_runs_on_else_its_values_are_listed():
    history = render_html(failing_report()).split('<section id="history">')[1].split("</section>")[0]
    assert history.count('<path class="series"') == 1  # RowCount: four runs
    assert "<figcaption>Dataset.*.RowCount</figcaption>" in history
    assert "Column.qty.Minimum" not in history.split("<table>")[0]  # two runs: no chart ...
    assert parse_page(history).cells == ["Column.qty.Minimum", "0", "-5"]  # ... its values


def test_markdown_leads_with_the_verdict_and_the_failing_rules_and_shows_nulls_as_null():
    md = render_markdown(failing_report())
    lines = md.splitlines()
    assert lines[0] == "### Data quality: orders — 2 of 5 rules passed"
    assert lines[2].startswith("**FAILED**, score 0.40: `lake/processedData/orders`, 1,234 rows, 5 columns")
    outcomes = [line.split(" | ")[0] for line in lines if line.startswith("| ✅") or line.startswith("| ❌")]
    assert outcomes == ["| ❌ Failed (FAIL)", "| ❌ Failed (ERROR)", "| ❌ Failed (FAIL)", "| ✅ Passed (PASS)",
                        "| ✅ Passed (PASS)"]
    assert "| `day` | date | 1,234 (100.0%) | 0 | `NULL` | `NULL` |" in md and "None" not in md


def test_json_keeps_the_profile_and_each_rules_rows_with_nulls_as_null():
    own = json.loads(render_json(failing_report()))["DeaEtl"]
    assert (own["source"], own["row_count"], own["columns"]) == ("lake/processedData/orders", 1234,
                                                                   ["id", "qty", "name", "day", "flag"])
    assert own["rule_samples"]["Rule_2"]["more"] is False
    assert own["rule_samples"]["Rule_2"]["rows"][1] == {"id": 9, "qty": -1, "name": None, "day": None, "flag": None}
    day = own["profile"]["columns"][3]
    assert (day["name"], day["nulls"], day["min"], day["max"]) == ("day", 1234, None, None)


def test_a_report_without_samples_or_profile_still_reads():
    rule = Outcome(False, "bad").of('IsComplete "x"', "", "Rule_1", {})
    html = render_html(failing_report(rules=(rule,), samples=None, profile=None, charts=(), row_count=None,
                                      columns=()))
    assert parse_page(html).sections == ["banner", "dataset", "failing", "ruleset"]
    assert "rows that fail" not in html and "<dt>rows</dt><dd>unknown</dd>" in html
