"""Charts as inline SVG, drawn on the server from numbers already computed, so the PDF has
them (WeasyPrint runs no JavaScript) and the page needs no script. Each chart sits next to
the table of the same numbers, which is what screen readers and copy-paste use."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 170
LEFT, RIGHT, TOP, BOTTOM = 56, 8, 10, 26
NOW_COLOUR, BEFORE_COLOUR, GRID_COLOUR = "#2f5d8a", "#9aa5b1", "#dde3ea"


def _top(values: Sequence[float | None]) -> float:
    """A round number at or above the highest value: 1, 2, 2.5 or 5 × a power of ten."""
    highest = max((v for v in values if v is not None), default=0.0)
    if highest <= 0:
        return 1.0
    power = 10.0 ** (len(str(int(highest))) - 1) if highest >= 1 else 1.0
    for step in (1, 2, 2.5, 5, 10):
        if highest <= step * power:
            return step * power
    return 10 * power


def _x(n: int, count: int) -> float:
    inner = WIDTH - LEFT - RIGHT
    return LEFT + inner * (n + 0.5) / max(count, 1)


def _y(value: float, top: float) -> float:
    inner = HEIGHT - TOP - BOTTOM
    return TOP + inner * (1 - value / top)


def _line(values: Sequence[float | None], count: int, top: float, style: str) -> str:
    """A polyline per unbroken run of values: a day without a number leaves a gap."""
    out: list[list[str]] = []
    run: list[str] = []
    for n, v in enumerate(values[:count]):
        if v is None:
            if run:
                out.append(run)
            run = []
        else:
            run.append(f"{_x(n, count):.1f},{_y(v, top):.1f}")
    if run:
        out.append(run)
    return "".join(
        f'<polyline points="{" ".join(r)}" fill="none" {style}/>'
        if len(r) > 1
        else f'<circle cx="{r[0].split(",")[0]}" cy="{r[0].split(",")[1]}" r="2" {style}/>'
        for r in out
    )


def chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    before: Sequence[float | None] = (),
    bars: bool = False,
    decimals: int = 0,
) -> SafeString:
    """The period's values (bars for counts, a line otherwise) and, dashed, the comparison
    period's, matched by position (its first day under the period's first day)."""
    count = len(values)
    top = _top([*values, *before[:count]])
    parts = [
        f'<svg class="report-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
    ]
    for fraction in (0, 0.5, 1):
        y = _y(top * fraction, top)
        value = top * fraction
        # Half of a small top (1, 5…) is not whole: show the decimal rather than round it.
        places = decimals if value % 1 == 0 or decimals else 1
        label = number_format(value, decimal_pos=places if fraction else 0)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#555">{escape(label)}</text>'
        )
    if bars:
        width = max(1.0, (WIDTH - LEFT - RIGHT) / max(count, 1) * 0.7)
        for n, v in enumerate(values):
            if v:
                y = _y(v, top)
                parts.append(
                    f'<rect x="{_x(n, count) - width / 2:.1f}" y="{y:.1f}" width="{width:.1f}" '
                    f'height="{HEIGHT - BOTTOM - y:.1f}" fill="{NOW_COLOUR}"/>'
                )
    if before:
        parts.append(_line(before, count, top, f'stroke="{BEFORE_COLOUR}" stroke-dasharray="4 3"'))
    if not bars:
        parts.append(_line(values, count, top, f'stroke="{NOW_COLOUR}" stroke-width="2"'))
    # The first, middle and last labels: enough to read the axis, never overlapping.
    # The first and last labels are aligned on the plot's edges so they are never cut.
    for n in sorted({0, count // 2, count - 1}) if count else []:
        if n == 0:
            x, anchor = float(LEFT), "start"
        elif n == count - 1:
            x, anchor = float(WIDTH - RIGHT), "end"
        else:
            x, anchor = _x(n, count), "middle"
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}" '
            f'font-size="11" fill="#555">{escape(labels[n])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()
