"""Server-rendered SVG charts of the statistics: no JavaScript, so they work in PDFs too.

Pure Python: rows of the statistics document in, an SVG string out. The caller
passes every word (already translated); this module only lays out shapes.
Colours are set with presentation attributes, not ``style``, because the
Content-Security-Policy forbids inline styles; each has at least 3:1 contrast
against white (WCAG 1.4.11), and achieved/projected also differ in pattern
(solid against outlined) so the chart does not rely on colour alone.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from tracker.domain.targets import as_percent

WIDTH = 640
HEIGHT = 320
MARGIN_LEFT = 56
MARGIN_RIGHT = 48  # room for the target's value at the end of its line
MARGIN_TOP = 40
MARGIN_BOTTOM = 48

ACHIEVED_FILL = "#1f4e79"  # 8.9:1 on white
PROJECTED_STROKE = "#1f4e79"
PROJECTED_FILL = "#a9c4e4"  # light fill, outlined in the achieved colour
TARGET_STROKE = "#a4262c"  # 6.8:1 on white
AXIS = "#595959"  # 7:1 on white
TEXT = "#212529"


@dataclass(frozen=True)
class ChartText:
    """The words of one chart, in the reader's language."""

    title: str
    description: str
    achieved: str
    projected: str
    target: str
    empty: str


def _number(value: float | Decimal) -> str:
    """Return a coordinate with at most two decimals and no trailing zeros."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _scale_top(rows: Sequence[dict[str, Any]], target_percent: int) -> int:
    """Return the top of the percent axis: a multiple of 20 above every bar and the target."""
    highest = max([float(target_percent)] + [float(r["projected_rate"]) * 100 for r in rows])
    top = 20 * (int(highest) // 20 + 1)
    return min(100, max(20, top))


def target_chart(
    rows: Sequence[dict[str, Any]], *, target_percent: int, chart_id: str, text: ChartText
) -> Markup:
    """Return an SVG bar chart of achieved and projected rates per year, with the target line."""
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(chart_id)}" class="target-chart" '
        f'role="img" aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" height="{HEIGHT}" '
        f'preserveAspectRatio="xMinYMin meet" font-family="sans-serif" font-size="12">',
        f'<title id="{escape(title_id)}">{escape(text.title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(text.description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    bottom = MARGIN_TOP + plot_height
    top = _scale_top(rows, target_percent)

    def y(percent: float | Decimal) -> float:
        return bottom - float(percent) / top * plot_height

    parts.append(_legend(text))
    # Grid and percent axis: every 20 % (10 % when the axis is short).
    step = 10 if top <= 40 else 20
    for tick in range(0, top + 1, step):
        ty = _number(y(tick))
        parts.append(
            f'<line x1="{MARGIN_LEFT}" y1="{ty}" x2="{WIDTH - MARGIN_RIGHT}" y2="{ty}" '
            f'stroke="#d9d9d9" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{MARGIN_LEFT - 8}" y="{_number(y(tick) + 4)}" text-anchor="end" '
            f'fill="{TEXT}">{tick} %</text>'
        )
    parts.append(
        f'<line x1="{MARGIN_LEFT}" y1="{bottom}" x2="{WIDTH - MARGIN_RIGHT}" y2="{bottom}" '
        f'stroke="{AXIS}" stroke-width="1"/>'
    )

    if not rows:
        parts.append(
            f'<text x="{MARGIN_LEFT + plot_width / 2:.0f}" y="{MARGIN_TOP + plot_height / 2:.0f}" '
            f'text-anchor="middle" fill="{TEXT}">{escape(text.empty)}</text>'
        )
    else:
        slot = plot_width / len(rows)
        bar = min(28.0, slot * 0.35)
        for index, row in enumerate(rows):
            centre = MARGIN_LEFT + slot * (index + 0.5)
            achieved = as_percent(row["rate"])
            projected = as_percent(row["projected_rate"])
            parts.append(
                _bar(
                    centre - bar,
                    bar,
                    y(achieved),
                    bottom,
                    ACHIEVED_FILL,
                    ACHIEVED_FILL,
                    f"{row['year']}: {text.achieved} {achieved} % (n = {row['n']})",
                )
            )
            parts.append(
                _bar(
                    centre,
                    bar,
                    y(projected),
                    bottom,
                    PROJECTED_FILL,
                    PROJECTED_STROKE,
                    f"{row['year']}: {text.projected} {projected} % (n = {row['n']})",
                )
            )
            parts.append(
                f'<text x="{_number(centre)}" y="{bottom + 18}" text-anchor="middle" '
                f'fill="{TEXT}">{escape(str(row["year"]))}</text>'
            )

    target_y = _number(y(target_percent))
    parts.append(
        f'<line class="target-line" x1="{MARGIN_LEFT}" y1="{target_y}" '
        f'x2="{WIDTH - MARGIN_RIGHT}" y2="{target_y}" '
        f'stroke="{TARGET_STROKE}" stroke-width="2" stroke-dasharray="8 4"/>'
    )
    parts.append(
        f'<text class="target-label" x="{WIDTH - MARGIN_RIGHT + 6}" '
        f'y="{_number(y(target_percent) + 4)}" fill="{TARGET_STROKE}">{target_percent} %</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text and attribute above is escaped


def _bar(
    x: float, width: float, top: float, bottom: float, fill: str, stroke: str, label: str
) -> str:
    height = max(0.0, bottom - top)
    return (
        f'<rect x="{_number(x)}" y="{_number(top)}" width="{_number(width)}" '
        f'height="{_number(height)}" fill="{fill}" stroke="{stroke}" stroke-width="1.5">'
        f"<title>{escape(label)}</title></rect>"
    )


def _legend(text: ChartText) -> str:
    y = 14
    items = [
        f'<rect x="{MARGIN_LEFT}" y="{y}" width="14" height="14" fill="{ACHIEVED_FILL}"/>',
        f'<text x="{MARGIN_LEFT + 20}" y="{y + 11}" fill="{TEXT}">{escape(text.achieved)}</text>',
        f'<rect x="{MARGIN_LEFT + 170}" y="{y}" width="14" height="14" fill="{PROJECTED_FILL}" '
        f'stroke="{PROJECTED_STROKE}" stroke-width="1.5"/>',
        f'<text x="{MARGIN_LEFT + 190}" y="{y + 11}" fill="{TEXT}">{escape(text.projected)}</text>',
        f'<line x1="{MARGIN_LEFT + 340}" y1="{y + 7}" x2="{MARGIN_LEFT + 370}" y2="{y + 7}" '
        f'stroke="{TARGET_STROKE}" stroke-width="2" stroke-dasharray="8 4"/>',
        f'<text x="{MARGIN_LEFT + 376}" y="{y + 11}" fill="{TEXT}">{escape(text.target)}</text>',
    ]
    return '<g aria-hidden="true">' + "".join(items) + "</g>"
