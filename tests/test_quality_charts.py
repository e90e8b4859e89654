"""The reports' SVG: nice value ticks printed with the decimals their step needs, a line only from three runs on,
labelled axes, and a column's small histogram; every text escaped."""

from __future__ import annotations

import re

import pytest

from dea_etl.quality.charts import MIN_POINTS, Chart, histogram_svg, nice_ticks, svg, tick_label


def _labels(lo: float, hi: float) -> list[str]:
    ticks, step = nice_ticks(lo, hi)
    return [tick_label(t, step, max(abs(ticks[0]), abs(ticks[-1]))) for t in ticks]


@pytest.mark.parametrize(("lo", "hi", "expected"), [
    (4.4, 4.5, ["4.40", "4.42", "4.44", "4.46", "4.48", "4.50"]),
    (0.0, 1.0, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
    (0.1 + 0.2, 0.7, ["0.3", "0.4", "0.5", "0.6", "0.7"]),  # 0.30000000000000004 is not printed
    (-0.3, 0.7, ["-0.4", "-0.2", "0.0", "0.2", "0.4", "0.6", "0.8"]),
    (4400.0, 5600.0, ["4,000", "4,500", "5,000", "5,500", "6,000"]),
    (2_398_400.0, 3_000_000.0, ["2.2M", "2.4M", "2.6M", "2.8M", "3.0M"]),
    (1.0, 1.0, ["0.9", "1.0", "1.1"]),  # one value: a band around it
])
def test_value_ticks_are_nice_steps_printed_with_the_decimals_the_step_needs(lo, hi, expected):
    assert _labels(lo, hi) == expected


def _y_ticks(drawn: str) -> list[str]:
    return re.findall(r'<text class="ytick"[^>]*>([^<]*)</text>', drawn)


def test_a_chart_of_awkward_values_has_no_long_decimals_on_its_axis():
    chart = Chart("Column.price.Mean", ("r1", "r2", "r3"), (4.44999, 4.4731, 4.50001))
    assert _y_ticks(svg(chart)) == ["4.44", "4.46", "4.48", "4.50", "4.52"]
    assert "4.44999" not in svg(chart).split("<title>")[0]  # the exact value is only in the point's tooltip


def test_a_metric_is_drawn_from_three_runs_on():
    assert MIN_POINTS == 3
    assert not Chart("m", ("a", "b"), (1.0, 2.0)).drawn
    assert Chart("m", ("a", "b", "c"), (1.0, 2.0, 3.0)).drawn


def test_both_axes_are_labelled_and_hostile_names_are_text():
    drawn = svg(Chart('Column.<script>x</script>.Mean', ("<b>r1</b>", "r2", "r3"), (1.0, 2.0, 3.0)))
    assert "<script>" not in drawn and "&lt;script&gt;" in drawn and "&lt;b&gt;r1&lt;/b&gt;" in drawn
    assert 'class="xlabel"' in drawn and 'class="ylabel"' in drawn


def test_histogram_draws_a_bar_per_bin_scaled_to_the_biggest():
    drawn = histogram_svg([4, 0, 2], ["<1>", "2", "3"])
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([0-9.]+)"', drawn)]
    assert heights == [30.0, 0.0, 15.0]
    assert "&lt;1&gt;" in drawn and "<1>" not in drawn
    assert histogram_svg([], []) == ""
