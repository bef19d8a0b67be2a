"""The stacked area, heat map and funnel SVGs, drawn from numbers whose shapes are known."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from liant.analytics import charts_extra
from liant.analytics.charts_extra import EMPTY_CELL, NOW_COLOUR, PALETTE

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314 - our own output, parsed to be checked


def test_the_stacked_area_piles_the_layers_and_its_top_edge_is_the_total():
    # Plot: x from 56 to 632 (576 wide), y from 10 to 144 (134 high). Totals 2, 3, 4: the
    # axis goes to 5. Three days sit at the middles of three equal slots.
    svg = charts_extra.stacked_area(
        "Volume", ["1/11", "2/11", "3/11"], [("A", [1, 2, 3]), ("B", [1, 1, 1])], "t1"
    )
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-describedby") == "t1"
    assert root.find("s:title", NS).text == "Volume"
    polygons = root.findall("s:polygon", NS)
    assert [p.get("data-layer") for p in polygons] == ["A", "B"]
    assert [p.get("fill") for p in polygons] == PALETTE[:2]
    # A: from 0 up to 1, 2, 3; y(v) = 10 + 134 × (1 − v/5).
    assert polygons[0].get("points") == (
        "152.0,117.2 344.0,90.4 536.0,63.6 536.0,144.0 344.0,144.0 152.0,144.0"
    )
    # B: on top of A, its upper edge the totals 2, 3, 4, its lower edge A's upper edge.
    assert polygons[1].get("points") == (
        "152.0,90.4 344.0,63.6 536.0,36.8 536.0,63.6 344.0,90.4 152.0,117.2"
    )
    labels = [t.text for t in root.findall("s:text", NS)]
    assert labels[:3] == ["0", "2.5", "5"] or labels[:3] == ["0", "2,5", "5"]
    assert labels[-3:] == ["1/11", "2/11", "3/11"]


def test_a_stack_of_one_day_is_a_band_across_the_plot():
    root = parse(charts_extra.stacked_area("One", ["1/11"], [("A", [4])]))
    points = root.find("s:polygon", NS).get("points")
    assert points == "56.0,36.8 632.0,36.8 632.0,144.0 56.0,144.0"


def test_the_heat_map_has_a_cell_per_weekday_and_hour_darker_where_higher():
    rows = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    root = parse(charts_extra.heat_map("When", rows, {(1, 9): 4, (7, 23): 2}, "t2"))
    cells = root.findall("s:rect", NS)
    assert len(cells) == 7 * 24
    monday_nine = cells[0 * 24 + 9]
    sunday_eleven_pm = cells[6 * 24 + 23]
    assert monday_nine.get("fill") == NOW_COLOUR
    assert monday_nine.get("fill-opacity") == "1.00"  # the highest
    assert sunday_eleven_pm.get("fill-opacity") == "0.56"  # 0.12 + 0.88 × 2/4
    assert monday_nine.find("s:title", NS).text == "Mon 09:00 · 4"
    empty = [c for c in cells if c.get("fill") == EMPTY_CELL]
    assert len(empty) == 7 * 24 - 2
    # Sunday's row is the last one: 10 + 6 × 18.
    assert sunday_eleven_pm.get("y") == "118"


def test_an_empty_heat_map_is_all_empty_cells():
    root = parse(charts_extra.heat_map("When", list("1234567"), {}))
    assert {c.get("fill") for c in root.findall("s:rect", NS)} == {EMPTY_CELL}


def test_the_funnel_bars_are_as_wide_as_their_count_and_say_their_share():
    svg = charts_extra.funnel("Leads", [("New", 10), ("Qualified", 5), ("Won", 0)], "t3")
    root = parse(svg)
    bars = root.findall("s:rect", NS)
    assert len(bars) == 2  # nobody won: no bar, the stage is still written
    # The widest stage spans 640 − 150 − 8 − 70 = 412; half of it is centred under it.
    assert [b.get("width") for b in bars] == ["412.0", "206.0"]
    assert bars[1].get("x") == "253.0"
    texts = [t.text for t in root.findall("s:text", NS)]
    assert texts == ["New", "10 (100 %)", "Qualified", "5 (50 %)", "Won", "0 (0 %)"]


def test_titles_and_labels_are_escaped():
    svg = charts_extra.funnel("<b>Leads</b>", [("<i>x</i>", 1)])
    assert "<b>" not in svg and "<i>" not in svg
    assert "&lt;b&gt;Leads&lt;/b&gt;" in svg
    parse(svg)
    svg = charts_extra.stacked_area('A "quoted" & <odd>', ["d"], [('<layer "1">', [1])])
    root = parse(svg)
    assert root.find("s:polygon", NS).get("data-layer") == '<layer "1">'
    assert not re.search(r"<(?!/?(svg|title|line|text|polygon))", svg)
