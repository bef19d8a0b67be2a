"""Stacked areas, heat maps and funnels as inline SVG, drawn on the server like charts.py's
bars and lines (the PDF runs no script, the page needs none). Every chart has a <title>, is
described by the table of the same numbers next to it (`described_by`, the table's id), and
keeps to shapes and colours that print: fills, no transparency tricks beyond fill-opacity."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from liant.analytics.charts import (
    BOTTOM,
    GRID_COLOUR,
    HEIGHT,
    LEFT,
    NOW_COLOUR,
    RIGHT,
    TOP,
    WIDTH,
    _top,
    _x,
    _y,
)

# Okabe & Ito's palette, readable by people who do not tell red from green, and in grey.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999"]
EMPTY_CELL = "#f3f5f7"
CELL_HEIGHT = 18
FUNNEL_ROW = 34


def colour(n: int) -> str:
    return PALETTE[n % len(PALETTE)]


def _open(title: str, height: int, described_by: str, css: str) -> list[str]:
    described = f' aria-describedby="{escape(described_by)}"' if described_by else ""
    return [
        f'<svg class="report-chart {css}" xmlns="http://www.w3.org/2000/svg" role="img"'
        f'{described} viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
    ]


def _y_grid(top: float, decimals: int) -> list[str]:
    out = []
    for fraction in (0, 0.5, 1):
        y = _y(top * fraction, top)
        value = top * fraction
        places = decimals if value % 1 == 0 or decimals else 1
        label = number_format(value, decimal_pos=places if fraction else 0)
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#555">{escape(label)}</text>'
        )
    return out


def _x_labels(labels: Sequence[str], y: float) -> list[str]:
    count = len(labels)
    out = []
    for n in sorted({0, count // 2, count - 1}) if count else []:
        if n == 0:
            x, anchor = float(LEFT), "start"
        elif n == count - 1:
            x, anchor = float(WIDTH - RIGHT), "end"
        else:
            x, anchor = _x(n, count), "middle"
        out.append(
            f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="11" '
            f'fill="#555">{escape(labels[n])}</text>'
        )
    return out


def stacked_area(
    title: str,
    labels: Sequence[str],
    layers: Sequence[tuple[str, Sequence[float]]],
    described_by: str = "",
    decimals: int = 0,
) -> SafeString:
    """Layers piled up day by day, the first at the bottom; the top edge is the day's total.
    Each layer is one polygon: its upper edge left to right, then the edge of the layers
    below it right to left."""
    count = len(labels)
    totals = [sum(layer[1][n] for layer in layers) for n in range(count)]
    top = _top(totals)
    parts = _open(title, HEIGHT, described_by, "chart-stacked")
    parts += _y_grid(top, decimals)
    below = [0.0] * count
    for i, (name, values) in enumerate(layers):
        upper = [below[n] + values[n] for n in range(count)]
        if count == 1:  # one day: a band as wide as the plot
            xs = [float(LEFT), float(WIDTH - RIGHT)]
            upper, lower = upper * 2, below * 2
        else:
            xs = [_x(n, count) for n in range(count)]
            lower = below
        edge = [f"{x:.1f},{_y(v, top):.1f}" for x, v in zip(xs, upper, strict=True)]
        back = [f"{x:.1f},{_y(v, top):.1f}" for x, v in zip(xs, lower, strict=True)][::-1]
        parts.append(
            f'<polygon data-layer="{escape(name)}" points="{" ".join(edge + back)}" '
            f'fill="{colour(i)}" stroke="#fff" stroke-width="0.5"/>'
        )
        below = [below[n] + values[n] for n in range(count)]
    parts += _x_labels(labels, HEIGHT - 8)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()


def heat_map(
    title: str,
    rows: Sequence[str],
    cells: dict[tuple[int, int], float],
    described_by: str = "",
    decimals: int = 0,
) -> SafeString:
    """A row per weekday (`rows`, Monday first: ISO weekday 1 is rows[0]) and a column per
    hour; the darker the cell, the higher its number (zero: a pale grey, not white, so an
    empty slot is seen as empty rather than missing)."""
    height = TOP + CELL_HEIGHT * len(rows) + BOTTOM
    width = (WIDTH - LEFT - RIGHT) / 24
    highest = max(cells.values(), default=0) or 1
    parts = _open(title, height, described_by, "chart-heat")
    for r, name in enumerate(rows):
        y = TOP + r * CELL_HEIGHT
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + CELL_HEIGHT - 5}" text-anchor="end" font-size="11" '
            f'fill="#555">{escape(name)}</text>'
        )
        for hour in range(24):
            value = cells.get((r + 1, hour), 0)
            x = LEFT + hour * width
            if value:
                fill = f'fill="{NOW_COLOUR}" fill-opacity="{0.12 + 0.88 * value / highest:.2f}"'
            else:
                fill = f'fill="{EMPTY_CELL}"'
            shown = number_format(value, decimal_pos=decimals)
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width - 1:.1f}" height="{CELL_HEIGHT - 1}" '
                f"{fill}><title>{escape(name)} {hour:02d}:00 · {escape(shown)}</title></rect>"
            )
    for hour in range(0, 24, 3):
        parts.append(
            f'<text x="{LEFT + (hour + 0.5) * width:.1f}" y="{height - 8}" text-anchor="middle" '
            f'font-size="11" fill="#555">{hour:02d}h</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()


def funnel(title: str, stages: Sequence[tuple[str, int]], described_by: str = "") -> SafeString:
    """A centred bar per stage, as wide as its count against the widest; the share of the
    first stage is written next to it."""
    height = TOP + FUNNEL_ROW * len(stages) + 6
    first = stages[0][1] if stages else 0
    widest = max((n for _, n in stages), default=0) or 1
    left, span = 150, WIDTH - 150 - RIGHT - 70
    parts = _open(title, height, described_by, "chart-funnel")
    for i, (name, count) in enumerate(stages):
        y = TOP + i * FUNNEL_ROW
        width = max(1.0, span * count / widest) if count else 0.0
        x = left + (span - width) / 2
        share = f" ({round(100 * count / first)} %)" if first else ""
        parts.append(
            f'<text x="{left - 8}" y="{y + 18}" text-anchor="end" font-size="12" '
            f'fill="#333">{escape(name)}</text>'
        )
        if width:
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{FUNNEL_ROW - 8}" '
                f'fill="{colour(0)}" fill-opacity="{1 - 0.12 * i:.2f}"/>'
            )
        parts.append(
            f'<text x="{left + span + 6}" y="{y + 18}" font-size="12" fill="#333">'
            f"{escape(number_format(count))}{escape(share)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()
