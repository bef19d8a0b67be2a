"""The server-drawn SVG charts of the reports."""

from __future__ import annotations

from liant.analytics import charts


def test_a_count_is_drawn_as_bars_and_the_comparison_as_a_dashed_line():
    svg = charts.chart("Posts", ["1", "2", "3"], [1, 0, 3], [2, 2, 2], bars=True)
    assert svg.count("<rect") == 2  # no bar for a zero
    assert 'stroke-dasharray="4 3"' in svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")


def test_a_day_without_a_value_leaves_a_gap_in_the_line():
    svg = charts.chart("Rate", ["a", "b", "c", "d", "e"], [10, 20, None, 30, 40])
    assert svg.count("<polyline") == 2


def test_text_is_escaped():
    svg = charts.chart("<script>x</script>", ["<b>"], [1])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<b>" not in svg


def test_the_scale_tops_at_a_round_number():
    assert charts._top([0, 7]) == 10
    assert charts._top([0, 233]) == 250
    assert charts._top([0.4]) == 1
    assert charts._top([None]) == 1
