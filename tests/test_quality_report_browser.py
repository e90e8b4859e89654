"""report.html as a browser draws it: headless Chromium (Debian's; ``make test`` installs it when missing, see
scripts/need_chromium.sh) renders the page, ``--dump-dom`` gives what it laid out and ``--screenshot`` what a
person sees first: the verdict's banner across the top, the dataset, the failing rule with its rows, then the
profile's histograms, all on the first screen; the metrics' charts further down."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from tests.dq_report_sample import CHARTS, failing_report, parse_page

from dea_etl.quality.charts import LINE_COLOR, svg
from dea_etl.quality.report import render_html
from dea_etl.quality.report_style import FAIL_COLOR, PASS_COLOR

#: Without these, Chromium waits on the network this machine does not have (and on a sandbox root lacks).
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars")
WIDTH, HEIGHT = 1280, 2000
#: A pixel of a given colour, give or take anti-aliasing.
TOLERANCE = 12


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    reason = "no chromium on PATH: `make chromium` (root, apt-get) installs Debian's"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must draw the report")
    pytest.skip(reason)


def _chromium(exe: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    done = subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-800:]
    return done


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _is(pixel: tuple[int, ...], color: str, tolerance: int = TOLERANCE) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], _rgb(color), strict=True))


def _screenshot(exe: str, tmp_path: Path, html: str, name: str) -> Image.Image:
    page = tmp_path / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / f"{name}.png"
    _chromium(exe, tmp_path, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}", page.as_uri())
    return Image.open(shot).convert("RGB")


def _first_row(image: Image.Image, color: str, xs: range, below: int, tolerance: int = TOLERANCE,
               least: int = 1) -> int | None:
    """The first row under ``below`` with ``least`` pixels of ``color`` at ``xs``."""
    px = image.load()
    assert px is not None
    return next((y for y in range(below, image.height)
                 if sum(_is(px[x, y], color, tolerance) for x in xs) >= least), None)


def _histogram_row(image: Image.Image, below: int) -> int | None:
    """The first row under ``below`` crossing the profile's histogram bars (wide runs of the bars' blue, which
    no text of the page has)."""
    return _first_row(image, LINE_COLOR, range(0, WIDTH), below, least=60)


def _banner_height(image: Image.Image, color: str) -> int:
    """How many rows from the top are ``color`` across the whole width (the banner)."""
    px = image.load()
    assert px is not None
    xs = range(0, image.width, 16)
    return next(y for y in range(image.height) if sum(_is(px[x, y], color) for x in xs) < 0.6 * len(xs))


def test_chromium_lays_the_page_out_verdict_dataset_failing_rules_profile_first(chromium, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render_html(failing_report()), encoding="utf-8")
    dom = _chromium(chromium, tmp_path, "--dump-dom", page.as_uri()).stdout
    laid_out = parse_page(dom)
    assert laid_out.sections == ["banner", "dataset", "failing", "profile", "passing", "history", "ruleset"]
    assert "NULL" in laid_out.cells and "None" not in dom
    assert "<script>alert" not in dom  # the hostile value stayed text


def test_the_screenshot_shows_the_banner_header_failing_rows_and_profile_first(chromium, tmp_path):
    shot = _screenshot(chromium, tmp_path, render_html(failing_report()), "failing")
    assert shot.size == (WIDTH, HEIGHT)
    banner = _banner_height(shot, FAIL_COLOR)
    assert 40 <= banner <= 120, banner  # a red banner across the top
    # below it, the dataset's facts box (light grey), then the failing rule's card (its red left border) ...
    facts = _first_row(shot, "#f6f8fa", range(WIDTH // 2, WIDTH // 2 + 1), banner, tolerance=2)  # not white
    card = _first_row(shot, FAIL_COLOR, range(32, 40), banner)
    # ... and the profile's histograms (the blue of its bars), all on the first screen
    histogram = _histogram_row(shot, banner)
    assert facts is not None and card is not None and histogram is not None, (facts, card, histogram)
    assert banner < facts < card < histogram < HEIGHT, (banner, facts, card, histogram)
    # the failing rows are drawn there: the same page without them has its profile higher up by their table
    without = _screenshot(chromium, tmp_path, render_html(failing_report(samples=None)), "without-rows")
    histogram_without = _histogram_row(without, banner)
    assert histogram_without is not None and histogram - histogram_without > 3 * 20, (histogram, histogram_without)


def test_a_passing_report_has_a_green_banner_and_no_failing_card(chromium, tmp_path):
    report = failing_report(rules=tuple(r for r in failing_report().rules if r.passed), samples={})
    shot = _screenshot(chromium, tmp_path, render_html(report), "passing")
    assert 40 <= _banner_height(shot, PASS_COLOR) <= 120
    assert _first_row(shot, FAIL_COLOR, range(32, 40), 120) is None


def test_a_chart_is_drawn_with_its_line(chromium, tmp_path):
    drawn = CHARTS[0]
    shot = _screenshot(chromium, tmp_path, f"<!DOCTYPE html><html><body>{svg(drawn)}</body></html>", "chart")
    blue = sum(1 for p in shot.getdata() if _is(p, LINE_COLOR))
    # a 3-px polyline across ~450 px plus four points: far more than stray pixels of that colour
    assert blue > 700, blue
