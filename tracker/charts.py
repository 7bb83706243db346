"""Server-rendered SVG charts of the statistics: no JavaScript, so they work in PDFs too.

Pure Python: rows of the statistics document in, an SVG string out. The caller
passes every word (already translated) and the function that writes a percentage
in the reader's language; this module only lays out shapes. The dashboard and the
summary PDF draw the same charts (DESIGN §6): the full width, every bar labelled
with its value and its number of people, the target line labelled, a year with
nobody marked as such, the year of the as-of date marked "so far", and a bar that
rests on fewer than ``SMALL_N`` people drawn dashed and starred as small numbers.

Colours are set with presentation attributes, not ``style``, because the
Content-Security-Policy forbids inline styles; each has at least 3:1 contrast
against white (WCAG 1.4.11), and achieved/projected also differ in pattern
(solid against outlined) so the chart does not rely on colour alone.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from markupsafe import Markup, escape

from tracker.domain.headlines import SMALL_N

WIDTH = 900
HEIGHT = 360
MARGIN_LEFT = 56
MARGIN_RIGHT = 100  # room for the target line's label, beside the plot
MARGIN_TOP = 64
MARGIN_BOTTOM = 64  # year, n and "so far" under each slot
FONT = 13
SMALL_FONT = 11
# A chart shows this many years at most, the latest; its table holds every year.
MOST_YEARS = 8

ACHIEVED_FILL = "#1f4e79"  # 8.9:1 on white
PROJECTED_STROKE = "#1f4e79"
PROJECTED_FILL = "#a9c4e4"  # light fill, outlined in the achieved colour
SMALL_FILL = "#7f9fc4"  # small numbers: a paler bar with a dashed outline
TARGET_STROKE = "#a4262c"  # 6.8:1 on white
AXIS = "#595959"  # 7:1 on white
GRID = "#d9d9d9"
TEXT = "#212529"
MUTED = "#595959"

Percent = Callable[[int, int], str]


@dataclass(frozen=True)
class ChartText:
    """The words of one chart, in the reader's language."""

    title: str
    description: str
    achieved: str
    projected: str
    target: str  # "Target 40 %": the target line's label
    empty: str  # the whole chart has nobody
    nobody: str  # a year or a programme with nobody
    so_far: str  # the unfinished year of the as-of date
    small: str  # the legend of the star: "fewer than 5 people"
    left_out: str = ""  # comparison: the programmes with nobody, not drawn as bars


def _number(value: float | Fraction) -> str:
    """Return a coordinate with at most two decimals and no trailing zeros."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _scale_top(shares: Sequence[Fraction], target_percent: int) -> int:
    """Return the top of the percent axis: a multiple of 20 above every bar and the target."""
    highest = max([Fraction(target_percent)] + [share * 100 for share in shares])
    top = 20 * (int(highest) // 20 + 1)
    return min(100, max(20, top))


def _text(x: float, y: float, content: str, **attributes: Any) -> str:
    # Python names for SVG attributes: font_size is font-size, class_ is class.
    attrs = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(str(value))}"'
        for name, value in attributes.items()
    )
    return f'<text x="{_number(x)}" y="{_number(y)}"{attrs}>{escape(content)}</text>'


def _label(x: float, y: float, content: str, *, anchor: str = "middle", **attributes: Any) -> str:
    """Return a value label on a white ground, so that a grid or target line behind it
    does not run through its text (the width is estimated: 0.6 em a character)."""
    width = len(content) * SMALL_FONT * 0.6 + 4
    left = {"start": x - 2, "middle": x - width / 2, "end": x - width + 2}[anchor]
    ground = (
        f'<rect x="{_number(left)}" y="{_number(y - SMALL_FONT)}" width="{_number(width)}" '
        f'height="{SMALL_FONT + 3}" fill="#ffffff"/>'
    )
    return ground + _text(x, y, content, text_anchor=anchor, font_size=SMALL_FONT, **attributes)


def _svg_open(chart_id: str, text: ChartText, width: int, height: int, css_class: str) -> list[str]:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(chart_id)}" '
        f'class="{css_class}" role="img" aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'font-family="Noto Sans, DejaVu Sans, sans-serif" font-size="{FONT}">',
        f'<title id="{escape(title_id)}">{escape(text.title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(text.description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def _bar(
    x: float,
    y: float,
    width: float,
    height: float,
    *,
    fill: str,
    stroke: str,
    small: bool,
    label: str,
) -> str:
    dash = ' stroke-dasharray="4 3"' if small else ""
    return (
        f'<rect x="{_number(x)}" y="{_number(y)}" width="{_number(width)}" '
        f'height="{_number(max(0.0, height))}" fill="{fill}" stroke="{stroke}" '
        f'stroke-width="1.5"{dash}><title>{escape(label)}</title></rect>'
    )


def _legend(text: ChartText, *, projected: bool, small: bool, target: bool = True) -> str:
    y = 16
    x = MARGIN_LEFT
    items = [
        f'<rect x="{x}" y="{y}" width="14" height="14" fill="{ACHIEVED_FILL}"/>',
        _text(x + 20, y + 12, text.achieved, fill=TEXT),
    ]
    x += 30 + 8 * len(text.achieved)
    if projected:
        items += [
            f'<rect x="{x}" y="{y}" width="14" height="14" fill="{PROJECTED_FILL}" '
            f'stroke="{PROJECTED_STROKE}" stroke-width="1.5"/>',
            _text(x + 20, y + 12, text.projected, fill=TEXT),
        ]
        x += 30 + 8 * len(text.projected)
    if target:
        items += [
            f'<line x1="{x}" y1="{y + 7}" x2="{x + 30}" y2="{y + 7}" stroke="{TARGET_STROKE}" '
            f'stroke-width="2" stroke-dasharray="8 4"/>',
            _text(x + 36, y + 12, text.target, fill=TEXT),
        ]
        x += 46 + 8 * len(text.target)
    if small:
        items.append(_text(x, y + 12, f"* {text.small}", fill=TEXT))
    return '<g aria-hidden="true">' + "".join(items) + "</g>"


def target_chart(
    rows: Sequence[dict[str, Any]],
    *,
    target_percent: int | None,
    chart_id: str,
    text: ChartText,
    percent: Percent,
    projected: bool,
    so_far_year: int | None = None,
) -> Markup:
    """Return a bar chart of one population per year against the target line.

    ``projected`` adds a second, outlined bar per year (cohorts; for people who have
    finished, projected is achieved). Years between the first and the last with
    nobody get a slot that says so; ``so_far_year`` is marked as unfinished. Without
    a target (None) the chart has no target line, and its legend none either.
    """
    by_year = {int(row["year"]): row for row in rows if row["n"] > 0}
    years = list(range(min(by_year), max(by_year) + 1))[-MOST_YEARS:] if by_year else []
    shown = [by_year[y] for y in years if y in by_year]
    small = any(row["n"] < SMALL_N for row in shown)
    parts = _svg_open(chart_id, text, WIDTH, HEIGHT, "target-chart")
    labels: list[str] = []  # drawn last, over the target line
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    bottom = MARGIN_TOP + plot_height
    shares = [Fraction(r["projected" if projected else "achieved"], r["n"]) for r in shown]
    top = _scale_top(shares, target_percent or 0)

    def y(share: Fraction) -> float:
        return bottom - float(share * 100) / top * plot_height

    parts.append(
        _legend(text, projected=projected, small=small, target=target_percent is not None)
    )
    step = 10 if top <= 40 else 20
    for tick in range(0, top + 1, step):
        ty = y(Fraction(tick, 100))
        parts.append(
            f'<line x1="{MARGIN_LEFT}" y1="{_number(ty)}" x2="{WIDTH - MARGIN_RIGHT}" '
            f'y2="{_number(ty)}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(MARGIN_LEFT - 8, ty + 4, f"{tick} %", text_anchor="end", fill=TEXT))
    parts.append(
        f'<line x1="{MARGIN_LEFT}" y1="{bottom}" x2="{WIDTH - MARGIN_RIGHT}" y2="{bottom}" '
        f'stroke="{AXIS}" stroke-width="1"/>'
    )
    if not years:
        parts.append(
            _text(
                MARGIN_LEFT + plot_width / 2,
                MARGIN_TOP + plot_height / 2,
                text.empty,
                text_anchor="middle",
                fill=TEXT,
            )
        )
    slot = plot_width / max(1, len(years))
    bar = min(44.0, slot * (0.34 if projected else 0.5))
    for index, year in enumerate(years):
        centre = MARGIN_LEFT + slot * (index + 0.5)
        row = by_year.get(year)
        unfinished = year == so_far_year
        parts.append(_text(centre, bottom + 18, str(year), text_anchor="middle", fill=TEXT))
        if unfinished:
            parts.append(
                _text(centre, bottom + 50, text.so_far, text_anchor="middle", fill=MUTED,
                      font_size=SMALL_FONT, font_style="italic")  # fmt: skip
            )
        if row is None:
            parts.append(
                _text(centre, bottom - 8, text.nobody, text_anchor="middle", fill=MUTED,
                      font_size=SMALL_FONT, font_style="italic")  # fmt: skip
            )
            continue
        n = int(row["n"])
        few = n < SMALL_N
        star = "*" if few else ""
        parts.append(
            _text(centre, bottom + 34, f"n = {n}", text_anchor="middle", fill=MUTED,
                  font_size=SMALL_FONT)  # fmt: skip
        )
        bars = [("achieved", ACHIEVED_FILL, ACHIEVED_FILL, text.achieved)]
        if projected:
            bars.append(("projected", PROJECTED_FILL, PROJECTED_STROKE, text.projected))
        left = centre - bar * len(bars) / 2 - (len(bars) - 1)
        tops: list[float] = []
        for offset, (key, fill, stroke, name) in enumerate(bars):
            share = Fraction(int(row[key]), n)
            value = percent(int(row[key]), n)
            x = left + offset * (bar + 2)
            bar_top = min(y(share), bottom - 2)  # 0 % still shows as a sliver, not as nobody
            opacity = ' fill-opacity="0.6"' if unfinished else ""
            parts.append(
                _bar(
                    x,
                    bar_top,
                    bar,
                    bottom - bar_top,
                    fill=SMALL_FILL if few and key == "achieved" else fill,
                    stroke=stroke,
                    small=few,
                    label=f"{year}: {name} {value} (n = {n})",
                ).replace("<rect ", f"<rect{opacity} ", 1)
            )
            label_y = bar_top - 6
            if tops and abs(tops[-1] - label_y) < SMALL_FONT + 2:
                label_y = tops[-1] - SMALL_FONT - 2  # the two labels would touch: stack them
            tops.append(label_y)
            labels.append(_label(x + bar / 2, label_y, value + star, fill=TEXT))
    if target_percent is not None:
        target_y = y(Fraction(target_percent, 100))
        parts.append(
            f'<line class="target-line" x1="{MARGIN_LEFT}" y1="{_number(target_y)}" '
            f'x2="{WIDTH - MARGIN_RIGHT}" y2="{_number(target_y)}" '
            f'stroke="{TARGET_STROKE}" stroke-width="2" stroke-dasharray="8 4"/>'
        )
        parts.append(
            _text(WIDTH - MARGIN_RIGHT + 8, target_y + 4, text.target, fill=TARGET_STROKE,
                  font_weight="bold", class_="target-label")  # fmt: skip
        )
    parts += labels
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text and attribute above is escaped


@dataclass(frozen=True)
class ComparisonBar:
    """One programme of a comparison chart: its label, its people and its measure's count."""

    label: str
    n: int
    part: int  # the measure: achieved or projected


ROW_HEIGHT = 26
LABEL_WIDTH = 150


def comparison_chart(
    bars: Sequence[ComparisonBar],
    *,
    target_percent: int,
    chart_id: str,
    text: ChartText,
    percent: Percent,
) -> Markup:
    """Return a horizontal bar chart: one bar per programme, in the given order, and the target.

    Programmes with nobody are not drawn as bars (the table beside the chart lists them);
    ``text.left_out`` says so under the bars.
    """
    nobody = [b for b in bars if b.n == 0]
    bars = [b for b in bars if b.n > 0]
    height = MARGIN_TOP + ROW_HEIGHT * max(1, len(bars)) + 28 + (20 if nobody else 0)
    parts = _svg_open(chart_id, text, WIDTH, height, "comparison-chart")
    labels: list[str] = []  # drawn last, over the target line
    left = MARGIN_LEFT + LABEL_WIDTH
    right = WIDTH - 150  # room for "39.2 % (n = 120)" after the longest bar
    shares = [Fraction(b.part, b.n) for b in bars if b.n > 0]
    top = _scale_top(shares, target_percent)
    small = any(0 < b.n < SMALL_N for b in bars)

    def x(share: Fraction) -> float:
        return left + float(share * 100) / top * (right - left)

    parts.append(_legend(text, projected=False, small=small))
    bottom = MARGIN_TOP + ROW_HEIGHT * max(1, len(bars))
    for tick in range(0, top + 1, 10 if top <= 40 else 20):
        tx = x(Fraction(tick, 100))
        parts.append(
            f'<line x1="{_number(tx)}" y1="{MARGIN_TOP}" x2="{_number(tx)}" y2="{bottom}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(tx, bottom + 16, f"{tick} %", text_anchor="middle", fill=TEXT))
    if not bars and not nobody:
        parts.append(_text(left, MARGIN_TOP + 18, text.empty, fill=TEXT))
    if nobody:
        parts.append(
            _text(left, bottom + 36, text.left_out, fill=MUTED, font_style="italic",
                  font_size=SMALL_FONT)  # fmt: skip
        )
    for index, item in enumerate(bars):
        row_top = MARGIN_TOP + index * ROW_HEIGHT
        middle = row_top + ROW_HEIGHT / 2 + 4
        parts.append(_text(left - 8, middle, item.label, text_anchor="end", fill=TEXT))
        share = Fraction(item.part, item.n)
        value = percent(item.part, item.n)
        few = item.n < SMALL_N
        end = max(x(share), left + 2)
        parts.append(
            _bar(
                left,
                row_top + 5,
                end - left,
                ROW_HEIGHT - 10,
                fill=SMALL_FILL if few else ACHIEVED_FILL,
                stroke=ACHIEVED_FILL,
                small=few,
                label=f"{item.label}: {value} (n = {item.n})",
            )
        )
        label = f"{value}{'*' if few else ''} (n = {item.n})"
        labels.append(_label(end + 6, middle, label, anchor="start", fill=TEXT))
    target_x = x(Fraction(target_percent, 100))
    parts.append(
        f'<line class="target-line" x1="{_number(target_x)}" y1="{MARGIN_TOP - 6}" '
        f'x2="{_number(target_x)}" y2="{bottom}" stroke="{TARGET_STROKE}" stroke-width="2" '
        f'stroke-dasharray="8 4"/>'
    )
    parts.append(
        _text(target_x, MARGIN_TOP - 10, text.target, text_anchor="middle", fill=TARGET_STROKE,
              font_weight="bold")  # fmt: skip
    )
    parts += labels
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text and attribute above is escaped
