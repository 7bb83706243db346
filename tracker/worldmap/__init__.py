"""A server-rendered SVG world map of stay destinations: no JavaScript, so it works in PDFs too.

Pure Python, like ``tracker/charts.py``: the number of stays per country (ISO 3166-1
alpha-2) in, an SVG out. The caller passes every word already translated; country names
come from CLDR in the caller's locale. Countries are coloured in five classes: no stays,
and up to four ranges computed from the counts (:func:`bins`). Colours are presentation
attributes, not ``style``, because of the Content-Security-Policy; each coloured class has
at least 3:1 contrast against the white sea and against the grey of countries without
stays (WCAG 1.4.11). Colour is not the only carrier: the legend gives each class's range,
every coloured country says its name and number on hover, and the caller shows the same
numbers in a table. The home country, where stays do not count, is hatched and named.

The outline is Natural Earth's, vendored in ``static/vendor/world/`` (see its README) and
read and projected once per process (:mod:`tracker.worldmap.outline`). The world is drawn
in the Equal Earth projection, without Antarctica; Europe, where most stays are, again
below it in a Lambert azimuthal equal-area projection (:mod:`tracker.worldmap.projections`).
A country too small to see in a view is also marked with a circle when it has stays.
"""

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from tracker.domain.countries import country_name, is_country
from tracker.worldmap import outline
from tracker.worldmap.outline import WIDTH, Frame

FONT_SIZE = 20  # 12 px when the map is 600 px wide, 8.5 pt at 150 mm in a PDF
LINE = 34  # from one legend line to the next
LEGEND_X = outline.EUROPE_WIDTH + 36

# Each coloured class has ≥ 3:1 contrast against the sea (white) and NO_STAYS_FILL (3.8,
# 5.7, 8.7 and 14:1 against white). One hue, darker class by class: the order reads
# without telling hues apart, and in a grey print.
CLASS_FILLS = ("#4a86c5", "#2c6aa6", "#1f4e79", "#0d2c54")
NO_STAYS_FILL = "#e6e6e6"
BORDER = "#ffffff"
FRAME_LINE = "#8c8c8c"
HOME_LINES = "#595959"  # 7:1 on white
OUTLINE = "#212529"
TEXT = "#212529"
SEA = "#ffffff"
MARKER_RADIUS = 4.5
MARKER_BELOW_AREA = 80.0  # square units: Luxembourg in the Europe view is about 7 by 7


@dataclass(frozen=True)
class MapText:
    """The words of the map, in the reader's language, and the locale for country names."""

    title: str  # the accessible name, e.g. "Stays abroad by country"
    description: str  # what the map shows and where the numbers are
    legend: str  # the legend's heading, e.g. "Number of stays"
    stays: Callable[[int], str]  # 12 → "12 stays" (the caller's ngettext)
    no_stays: str  # the legend's entry for the class of no stays
    home: str  # "home country", after the home country's name
    europe: str  # the caption of the Europe panel
    small: str  # what a circle means, e.g. "Country too small to see"
    not_shown: str  # before the countries with stays that the map cannot draw
    empty: str  # the note on a map without any stays
    locale: str = "en"


@dataclass(frozen=True)
class Bin:
    """One coloured class: the counts from ``low`` to ``high``, both included."""

    low: int
    high: int

    @property
    def label(self) -> str:
        """Return the range as the legend shows it: "3–7", or "5" for a single count."""
        return str(self.low) if self.low == self.high else f"{self.low}\u2013{self.high}"


def bins(counts: Iterable[int]) -> tuple[Bin, ...]:
    """Return up to four classes for the positive counts, lowest first.

    With four or fewer different counts, each has its own class. Otherwise the classes
    cut the sorted counts into quarters (the nearest-rank quartiles), moved up or down
    to the next different count so that no class is empty and equal counts share one;
    each class starts one above the previous one's top, so the ranges leave no gaps.
    """
    ordered = sorted(count for count in counts if count > 0)
    distinct = sorted(set(ordered))
    if len(distinct) <= 4:
        return tuple(Bin(value, value) for value in distinct)
    position = {value: index for index, value in enumerate(distinct)}
    tops: list[int] = []
    for quarter in (1, 2, 3):
        quartile = ordered[math.ceil(quarter * len(ordered) / 4) - 1]
        lowest = position[tops[-1]] + 1 if tops else 0
        highest = len(distinct) - 1 - (4 - quarter)  # leave a count for each class above
        tops.append(distinct[min(max(position[quartile], lowest), highest)])
    tops.append(distinct[-1])
    lows = [distinct[0]] + [top + 1 for top in tops[:-1]]
    return tuple(Bin(low, high) for low, high in zip(lows, tops, strict=True))


def class_index(count: int, classes: tuple[Bin, ...]) -> int:
    """Return the colour class of a count: 0 for none, else 1–4, the darkest for the top bin.

    Fewer than four bins take the darkest colours, so the most stays are always darkest.
    """
    if count <= 0 or not classes:
        return 0
    offset = len(CLASS_FILLS) - len(classes)
    for index, found in enumerate(classes):
        if count <= found.high:
            return offset + index + 1
    return len(CLASS_FILLS)


def not_drawn(counts: Mapping[str, int], *, home_country: str) -> list[str]:
    """Return the codes of ``counts`` with stays that the map does not colour, sorted.

    They are codes that name no country, the home country (stays there are not abroad),
    and countries without an outline (the map names these under its legend).
    """
    return sorted(
        code for code, count in counts.items() if count > 0 and not _drawn(code, home_country)
    )


def world_map(
    counts: Mapping[str, int], text: MapText, *, home_country: str, map_id: str = "world-map"
) -> Markup:
    """Return an SVG map of the world and of Europe, countries coloured by number of stays.

    ``map_id`` names the SVG and prefixes its inner ids: give each map on a page its own.
    """
    shown = {c: n for c, n in counts.items() if n > 0 and _drawn(c, home_country)}
    unmapped = {
        c: n
        for c, n in counts.items()
        if n > 0 and c != home_country and is_country(c) and c not in outline.codes()
    }
    classes = bins(shown.values())
    names = _Names(text, counts, home_country)
    world, europe = outline.world_frame(), outline.europe_frame()
    height = europe.top + europe.height + 1  # room for the frame's line
    title_id, desc_id, hatch_id = (escape(f"{map_id}-{part}") for part in ("title", "desc", "home"))
    markers = _markers(shown)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(map_id)}" class="world-map" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" '
        f'viewBox="0 0 {WIDTH} {_n(height)}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" font-family="sans-serif" '
        f'font-size="{FONT_SIZE}" fill-rule="evenodd">',
        f'<title id="{title_id}">{escape(text.title)}</title>',
        f'<desc id="{desc_id}">{escape(text.description)}</desc>',
        f'<defs><pattern id="{hatch_id}" patternUnits="userSpaceOnUse" width="5" height="5" '
        f'patternTransform="rotate(45)"><rect x="0" y="0" width="5" height="5" fill="{SEA}"/>'
        f'<line x1="1.25" y1="0" x2="1.25" y2="5" stroke="{HOME_LINES}" stroke-width="2"/>'
        f"</pattern></defs>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{_n(height)}" fill="{SEA}"/>',
        _view("world", shown, classes, names, f"url(#{hatch_id})", markers["world"]),
        _europe_edge(),
        _view("europe", shown, classes, names, f"url(#{hatch_id})", markers["europe"]),
        f'<rect x="{_n(europe.left)}" y="{_n(europe.top)}" width="{_n(europe.width)}" '
        f'height="{_n(europe.height)}" fill="none" stroke="{FRAME_LINE}" stroke-width="1"/>',
        f'<text x="{_n(europe.left + 10)}" y="{_n(europe.top + 26)}" fill="{TEXT}" '
        f'font-weight="bold">{escape(text.europe)}</text>',
        _legend(text, classes, names, f"url(#{hatch_id})", europe.top, markers, unmapped),
    ]
    if not shown and not unmapped:
        parts.append(_empty_note(text.empty, world))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text and attribute above is escaped


def _drawn(code: str, home_country: str) -> bool:
    """Return whether stays in a country are coloured on the map."""
    return code != home_country and is_country(code) and code in outline.codes()


def _markers(shown: Mapping[str, int]) -> dict[str, frozenset[str]]:
    """Return, per view, the countries with stays that also get a circle.

    A country gets one where its shape is too small to see; in the world view not for
    countries in the Europe view, which shows them larger.
    """
    found = {}
    for view in ("world", "europe"):
        shapes = outline.shapes(view)
        skip = outline.europe_codes() if view == "world" else frozenset()
        found[view] = frozenset(
            code
            for code in shown
            if code in shapes
            and code not in skip
            and shapes[code].point is not None
            and shapes[code].area < MARKER_BELOW_AREA
        )
    return found


class _Names:
    """Country names in the reader's language, and what each country says on hover."""

    def __init__(self, text: MapText, counts: Mapping[str, int], home_country: str) -> None:
        self.text = text
        self.counts = counts
        self.home_country = home_country

    def name(self, code: str) -> str:
        return country_name(code, self.text.locale)

    def home(self) -> str:
        return f"{self.name(self.home_country)} ({self.text.home})"

    def hover(self, code: str) -> str:
        return f"{self.name(code)}: {self.text.stays(self.counts[code])}"


def _view(
    view: str,
    shown: Mapping[str, int],
    classes: tuple[Bin, ...],
    names: _Names,
    hatch: str,
    markers: frozenset[str],
) -> str:
    """Return one view's countries: the grey ones in one group, each coloured one with a title.

    The home country comes last, so that no neighbour's border covers its outline.
    """
    plain: list[str] = []
    coloured: list[str] = []
    circles: list[str] = []
    home = ""
    for code, shape in outline.shapes(view).items():
        if code == names.home_country:
            home = (
                f'<path d="{shape.d}" fill="{hatch}" stroke="{OUTLINE}" stroke-width="1.2">'
                f"<title>{escape(names.home())}</title></path>"
            )
            continue
        index = class_index(shown.get(code, 0), classes)
        if index == 0:
            plain.append(f'<path d="{shape.d}"/>')
            continue
        fill = CLASS_FILLS[index - 1]
        title = f"<title>{escape(names.hover(code))}</title>"
        coloured.append(f'<path d="{shape.d}" fill="{fill}">{title}</path>')
        if code in markers and shape.point is not None:
            x, y = shape.point
            circles.append(
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{MARKER_RADIUS}" fill="{fill}" '
                f'stroke="{OUTLINE}" stroke-width="1.2">{title}</circle>'
            )
    return (
        f'<g class="{view}" stroke="{BORDER}" stroke-width="0.6" stroke-linejoin="round">'
        f'<g fill="{NO_STAYS_FILL}">{"".join(plain)}</g>{"".join(coloured)}{home}</g>'
        f"<g>{''.join(circles)}</g>"
    )


@lru_cache(maxsize=1)
def _europe_edge() -> str:
    """Return the outline, on the world view, of what the Europe view shows."""
    world = outline.world_frame()
    points = world.place_all(outline.europe_edge())
    d = "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in points) + "Z"
    return f'<path d="{d}" fill="none" stroke="{OUTLINE}" stroke-width="1" stroke-dasharray="4 3"/>'


def _legend(
    text: MapText,
    classes: tuple[Bin, ...],
    names: _Names,
    hatch: str,
    top: float,
    markers: Mapping[str, frozenset[str]],
    unmapped: Mapping[str, int],
) -> str:
    x = LEGEND_X
    y = top + 26
    items = [
        f'<text x="{x}" y="{_n(y)}" fill="{TEXT}" font-weight="bold">{escape(text.legend)}</text>'
    ]
    offset = len(CLASS_FILLS) - len(classes)
    entries = [(NO_STAYS_FILL, FRAME_LINE, text.no_stays)]
    entries += [(CLASS_FILLS[offset + i], FRAME_LINE, b.label) for i, b in enumerate(classes)]
    entries.append((hatch, OUTLINE, names.home()))
    for fill, stroke, label in entries:
        y += LINE
        items.append(
            f'<rect class="swatch" x="{x}" y="{_n(y - 16)}" width="32" height="21" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1"/>'
            f'<text x="{x + 44}" y="{_n(y)}" fill="{TEXT}">{escape(label)}</text>'
        )
    if any(markers.values()):
        y += LINE
        items.append(
            f'<circle cx="{x + 16}" cy="{_n(y - 6)}" r="{MARKER_RADIUS}" fill="{SEA}" '
            f'stroke="{OUTLINE}" stroke-width="1.2"/>'
            f'<text x="{x + 44}" y="{_n(y)}" fill="{TEXT}">{escape(text.small)}</text>'
        )
    if unmapped:
        listed = ", ".join(
            f"{names.name(code)} ({count})"
            for code, count in sorted(
                unmapped.items(), key=lambda item: (names.name(item[0]), item[0])
            )
        )
        y += LINE * 0.6
        for line in _wrap(f"{text.not_shown}: {listed}", (WIDTH - x) / (FONT_SIZE * 0.55)):
            y += FONT_SIZE * 1.3
            items.append(f'<text x="{x}" y="{_n(y)}" fill="{TEXT}">{escape(line)}</text>')
    return "<g>" + "".join(items) + "</g>"


def _empty_note(note: str, world: Frame) -> str:
    """Return the note that there are no stays, on a white box over the world's middle."""
    width = min(world.width - 40, len(note) * FONT_SIZE * 0.6 + 40)
    x = world.left + (world.width - width) / 2
    y = world.top + world.height * 0.62
    return (
        f'<rect x="{_n(x)}" y="{_n(y - 30)}" width="{_n(width)}" height="46" fill="{SEA}" '
        f'stroke="{FRAME_LINE}" stroke-width="1" rx="6"/>'
        f'<text x="{_n(world.left + world.width / 2)}" y="{_n(y)}" text-anchor="middle" '
        f'fill="{TEXT}" font-size="{FONT_SIZE + 2}">{escape(note)}</text>'
    )


def _wrap(words: str, width: float) -> list[str]:
    """Return the text in lines of about ``width`` characters (SVG text does not wrap)."""
    lines: list[str] = []
    for word in words.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _n(value: float) -> str:
    """Return a coordinate with at most one decimal and no trailing zero."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
