"""The destinations map: its data, its classes, and the SVG it draws."""

import importlib.util
import itertools
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tracker.domain.countries import COUNTRY_CODES, is_country
from tracker.worldmap import (
    CLASS_FILLS,
    HOME_LINES,
    NO_STAYS_FILL,
    SEA,
    Bin,
    MapText,
    bins,
    class_index,
    not_drawn,
    world_map,
)
from tracker.worldmap import outline as outline_module
from tracker.worldmap.outline import (
    DATA_FILE,
    WIDTH,
    codes,
    europe_codes,
    outline,
    region,
    shapes,
)
from tracker.worldmap.projections import (
    equal_earth,
    lambert_azimuthal,
    lambert_azimuthal_inverse,
)

SVG = "{http://www.w3.org/2000/svg}"
TOOL = Path(__file__).resolve().parents[2] / "tools" / "world_map_data.py"


def _text(locale: str = "en") -> MapText:
    if locale == "nb":
        return MapText(
            title="Opphold i utlandet etter land",
            description="Verdenskart; tallene står i tabellen.",
            legend="Antall opphold",
            stays=lambda n: f"{n} opphold",
            no_stays="Ingen opphold",
            home="hjemland",
            europe="Europa",
            small="Land for lite til å se",
            not_shown="Ikke på kartet",
            empty="Ingen opphold i utlandet ennå.",
            locale="nb",
        )
    return MapText(
        title="Stays abroad by country",
        description="World map; the numbers are in the table.",
        legend="Number of stays",
        stays=lambda n: f"{n} stay" if n == 1 else f"{n} stays",
        no_stays="No stays",
        home="home country",
        europe="Europe",
        small="Country too small to see",
        not_shown="Not on the map",
        empty="No stays abroad yet.",
    )


SAMPLE = {"DE": 12, "US": 8, "GB": 5, "FR": 3, "SE": 1, "JP": 2, "SG": 1, "LU": 4}


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input


def _titles(root: ET.Element, tag: str = "path") -> dict[str, list[ET.Element]]:
    """Return the elements of a kind that carry a <title>, by that title's text."""
    found: dict[str, list[ET.Element]] = {}
    for element in root.iter(f"{SVG}{tag}"):
        title = element.find(f"{SVG}title")
        if title is not None:
            found.setdefault(title.text, []).append(element)
    return found


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


# --- The data -------------------------------------------------------------------------------


def test_every_code_in_the_data_is_a_country():
    data = outline()
    assert all(is_country(code) for code in data["points"])
    for view in data["views"].values():
        assert set(view["countries"]) <= set(data["points"])


def test_the_world_view_draws_every_country_of_the_data():
    assert set(shapes("world")) == codes()


def test_only_the_documented_countries_have_no_outline():
    # static/vendor/world/README.md lists these; the map names them under its legend.
    assert COUNTRY_CODES - codes() == {"AQ", "BV", "GI", "TK", "TV", "UM"}


def test_the_data_loaded_at_runtime_stays_small():
    assert DATA_FILE.stat().st_size <= 150_000


def test_parts_numbered_as_other_countries_get_their_own_code():
    # Natural Earth draws Svalbard with Norway, French Guiana with France; Kosovo has no id.
    assert {"SJ", "GF", "RE", "BQ", "XK", "CX", "CC"} <= codes()
    lon, lat = (value / outline()["quantum"] for value in outline()["points"]["FJ"])
    assert 177 < lon < 179 and -19 < lat < -16  # Viti Levu, though Fiji spans 180°


def test_the_europe_view_holds_europe():
    assert {"NO", "DE", "FR", "GB", "IS", "PT", "CY", "MT", "LU"} <= europe_codes()
    assert not {"US", "RU", "EG", "SG"} & europe_codes()


def test_no_world_path_jumps_across_the_map():
    # Natural Earth's Russia and Fiji cross 180°: drawn naively they streak across the map.
    for code, shape in shapes("world").items():
        for ring in _rings(shape.d):
            for a, b in itertools.pairwise(ring + ring[:1]):
                assert abs(b[0] - a[0]) < WIDTH / 3, code


def test_every_path_stays_in_its_frame():
    for view, frame in (
        ("world", outline_module.world_frame()),
        ("europe", outline_module.europe_frame()),
    ):
        left, top, right, bottom = frame.box
        for code, shape in shapes(view).items():
            for x, y in itertools.chain.from_iterable(_rings(shape.d)):
                assert left - 0.1 <= x <= right + 0.1 and top - 0.1 <= y <= bottom + 0.1, code


def _rings(d: str) -> list[list[tuple[float, float]]]:
    """Return the absolute points of our paths' rings (M x y, then relative l moves, z)."""
    found = []
    for start, moves in re.findall(r"M([^l]+)l([^z]*)z", d):
        x, y = (float(v) for v in start.split())
        ring = [(x, y)]
        numbers = [float(v) for v in re.findall(r"-?[0-9.]+", moves)]
        for dx, dy in zip(numbers[::2], numbers[1::2], strict=True):
            x, y = x + dx, y + dy
            ring.append((x, y))
        found.append(ring)
    return found


# --- Projections ----------------------------------------------------------------------------


def test_equal_earth_known_values():
    assert equal_earth(0, 0) == (0, 0)
    x, _ = equal_earth(180, 0)
    assert x == pytest.approx(2.70663, abs=1e-5)
    _, y = equal_earth(0, 90)
    assert y == pytest.approx(1.31736, abs=1e-5)
    assert equal_earth(-30, -40) == pytest.approx(tuple(-v for v in equal_earth(30, 40)))


@pytest.mark.parametrize("lat", [-75, -40, 0, 20, 52, 71, 80])
@pytest.mark.parametrize("lon", [-150, -10, 10, 33, 120])
def test_projections_keep_areas(lon, lat):
    # On the unit sphere a small cell of dλ·dφ has area cos φ dλ dφ; an equal-area
    # projection maps it to the same area (the Jacobian's determinant is cos φ).
    def jacobian(project):
        h = 1e-4
        (x0, y0), (x1, y1), (x2, y2) = (
            project(lon, lat),
            project(lon + h, lat),
            project(lon, lat + h),
        )
        scale = math.radians(h) ** 2
        return abs((x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)) / scale

    expected = math.cos(math.radians(lat))
    assert jacobian(equal_earth) == pytest.approx(expected, rel=1e-3)
    if abs(lon - 10) < 90:  # the azimuthal projection around Europe, on its own half
        europe = lambda lo, la: lambert_azimuthal(lo, la, (10.0, 52.0))  # noqa: E731
        assert jacobian(europe) == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize("point", [(10, 52), (-24, 65), (33, 35), (-9, 38.7), (30, 71)])
def test_lambert_inverse_returns_the_point(point):
    x, y = lambert_azimuthal(*point, (10.0, 52.0))
    assert lambert_azimuthal_inverse(x, y, (10.0, 52.0)) == pytest.approx(point, abs=1e-9)


# --- Classes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([], []),
        ([0, 0, -3], []),
        ([12], [(12, 12)]),
        ([3, 3, 3, 3], [(3, 3)]),
        ([1, 2, 3, 4], [(1, 1), (2, 2), (3, 3), (4, 4)]),
        ([1, 1, 1, 1, 1, 1, 2, 50], [(1, 1), (2, 2), (50, 50)]),
        ([1, 2, 3, 4, 5, 6, 7, 8], [(1, 2), (3, 4), (5, 6), (7, 8)]),
        # Skewed, as stays are: most countries get one or two, a few get many.
        ([1] * 10 + [2, 3, 5, 8, 40], [(1, 1), (2, 2), (3, 3), (4, 40)]),
        ([2, 2, 3, 3, 7, 9, 12, 40, 41], [(2, 3), (4, 7), (8, 12), (13, 41)]),
    ],
)
def test_bins(counts, expected):
    assert bins(counts) == tuple(Bin(low, high) for low, high in expected)


def test_bins_for_every_small_set_of_counts():
    # Every multiset of up to six counts from 1 to 7 (1,715 of them).
    for size in range(1, 7):
        for counts in itertools.combinations_with_replacement(range(1, 8), size):
            found = bins(counts)
            distinct = sorted(set(counts))
            assert len(found) == min(4, len(distinct)), counts
            assert found[0].low == distinct[0] and found[-1].high == distinct[-1], counts
            for one in found:
                assert one.low <= one.high
                assert any(one.low <= c <= one.high for c in counts), (counts, one)  # not empty
            if len(distinct) > 4:  # ranges follow each other without a gap
                for lower, upper in itertools.pairwise(found):
                    assert upper.low == lower.high + 1, counts
            for count in counts:  # each count in exactly one class, in the order of the counts
                assert sum(one.low <= count <= one.high for one in found) == 1, counts
            indices = [class_index(c, found) for c in sorted(counts)]
            assert indices == sorted(indices) and indices[-1] == len(CLASS_FILLS), counts


def test_class_index():
    found = bins([1, 2, 3, 4, 5, 6, 7, 8])
    assert [class_index(c, found) for c in (0, 1, 2, 3, 5, 8)] == [0, 1, 1, 2, 3, 4]
    one = bins([12])
    assert class_index(12, one) == 4 and class_index(0, one) == 0  # the most is darkest
    assert [class_index(c, bins([1, 5])) for c in (1, 5)] == [3, 4]
    assert class_index(3, ()) == 0


def test_bin_labels():
    assert Bin(3, 7).label == "3\u20137"
    assert Bin(5, 5).label == "5"


# --- The SVG ------------------------------------------------------------------------------------


def test_map_is_well_formed_and_labelled():
    root = _parse(world_map(SAMPLE, _text(), home_country="NO", map_id="m1"))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "m1-title m1-desc"
    assert root.find(f"{SVG}title").text == "Stays abroad by country"
    assert root.find(f"{SVG}title").get("id") == "m1-title"
    assert root.find(f"{SVG}desc").text == "World map; the numbers are in the table."
    assert root.get("width") == "100%"
    assert root.get("viewBox").startswith(f"0 0 {WIDTH} ")


def test_no_inline_style_for_the_content_security_policy():
    svg = world_map(SAMPLE, _text(), home_country="NO")
    assert "style=" not in svg and "<style" not in svg and "<script" not in svg
    assert all(element.get("style") is None for element in _parse(svg).iter())


def test_output_is_deterministic():
    first = world_map(SAMPLE, _text(), home_country="NO")
    shuffled = dict(reversed(list(SAMPLE.items())))
    assert world_map(shuffled, _text(), home_country="NO") == first
    assert world_map(SAMPLE, _text(), home_country="NO") == first


def test_each_coloured_country_says_its_name_and_number():
    root = _parse(world_map(SAMPLE, _text(), home_country="NO"))
    titled = _titles(root)
    germany = titled["Germany: 12 stays"]
    assert len(germany) == 2  # in the world and in the Europe view
    assert {path.get("fill") for path in germany} == {CLASS_FILLS[3]}
    assert len(titled["United States: 8 stays"]) == 1  # not in the Europe view
    assert titled["Sweden: 1 stay"][0].get("fill") == CLASS_FILLS[0]
    coloured = {title.split(":")[0] for title in titled} - {"Norway (home country)"}
    assert coloured == {
        "Germany",
        "United States",
        "United Kingdom",
        "France",
        "Sweden",
        "Japan",
        "Singapore",
        "Luxembourg",
    }


def test_country_names_in_the_readers_language():
    root = _parse(world_map(SAMPLE, _text("nb"), home_country="NO"))
    titled = _titles(root)
    assert "Tyskland: 12 opphold" in titled
    assert "Norge (hjemland)" in titled
    assert "Norge (hjemland)" in _texts(root)


def test_the_legend_gives_each_class_its_range():
    counts = dict(zip(["DE", "FR", "IT", "ES", "US", "CA", "JP", "CN"], range(1, 9), strict=True))
    root = _parse(world_map(counts, _text(), home_country="NO"))
    texts = _texts(root)
    assert texts.index("No stays") < texts.index("1\u20132") < texts.index("3\u20134")
    assert texts.index("3\u20134") < texts.index("5\u20136") < texts.index("7\u20138")
    assert "Number of stays" in texts
    legend = [r.get("fill") for r in root.iter(f"{SVG}rect") if r.get("class") == "swatch"]
    assert legend == [NO_STAYS_FILL, *CLASS_FILLS, "url(#world-map-home)"]


def test_the_home_country_is_hatched_named_and_never_counted():
    counts = {"NO": 50, "DE": 2}
    root = _parse(world_map(counts, _text(), home_country="NO"))
    home = _titles(root)["Norway (home country)"]
    assert len(home) == 2 and {p.get("fill") for p in home} == {"url(#world-map-home)"}
    assert root.find(f"{SVG}defs/{SVG}pattern").get("id") == "world-map-home"
    for view in root.iter(f"{SVG}g"):
        if view.get("class") in ("world", "europe"):  # last, so no neighbour covers its outline
            assert view.findall(f"{SVG}path")[-1].get("fill") == "url(#world-map-home)"
    assert "Norway (home country)" in _texts(root)
    # Its count does not make a class: Germany alone is the darkest.
    assert _titles(root)["Germany: 2 stays"][0].get("fill") == CLASS_FILLS[3]
    assert "2" in _texts(root) and "50" not in _texts(root)
    assert not_drawn(counts, home_country="NO") == ["NO"]


def test_no_stays_at_all_says_so():
    for counts in ({}, {"DE": 0}, {"NO": 3}):
        root = _parse(world_map(counts, _text(), home_country="NO"))
        assert "No stays abroad yet." in _texts(root)
        assert set(_titles(root)) == {"Norway (home country)"}
        assert [r.get("fill") for r in root.iter(f"{SVG}rect") if r.get("class") == "swatch"] == [
            NO_STAYS_FILL,
            "url(#world-map-home)",
        ]
    root = _parse(world_map({"DE": 1}, _text(), home_country="NO"))
    assert "No stays abroad yet." not in _texts(root)


def test_one_country_and_equal_counts_take_the_darkest_class():
    root = _parse(world_map({"JP": 7}, _text(), home_country="NO"))
    assert _titles(root)["Japan: 7 stays"][0].get("fill") == CLASS_FILLS[3]
    assert "7" in _texts(root)
    root = _parse(world_map({"JP": 3, "BR": 3, "DE": 3}, _text(), home_country="NO"))
    fills = {p.get("fill") for title, paths in _titles(root).items() for p in paths if "3" in title}
    assert fills == {CLASS_FILLS[3]}


def test_unknown_codes_are_ignored_and_reported():
    counts = {"DE": 2, "ZZ": 4, "de": 1, "XX": 3, "EU": 2, "": 1, "TV": 2, "AQ": 1, "FR": 0}
    svg = world_map(counts, _text(), home_country="NO")
    root = _parse(svg)
    assert set(_titles(root)) == {"Germany: 2 stays", "Norway (home country)"}
    assert not_drawn(counts, home_country="NO") == ["", "AQ", "EU", "TV", "XX", "ZZ", "de"]
    # Real countries the data has no outline for are named under the legend.
    texts = _texts(root)
    start = next(i for i, line in enumerate(texts) if line.startswith("Not on the map:"))
    assert " ".join(texts[start:]) == "Not on the map: Antarctica (1), Tuvalu (2)"  # wrapped
    assert "ZZ" not in svg and "XX" not in svg


def test_small_countries_with_stays_are_also_circled():
    root = _parse(world_map(SAMPLE, _text(), home_country="NO"))
    circles = _titles(root, "circle")
    assert len(circles["Singapore: 1 stay"]) == 1  # in the world view
    assert len(circles["Luxembourg: 4 stays"]) == 1  # in the Europe view only
    assert "Germany: 12 stays" not in circles
    assert "Country too small to see" in _texts(root)
    root = _parse(world_map({"DE": 1}, _text(), home_country="NO"))
    assert not _titles(root, "circle") and "Country too small to see" not in _texts(root)


def test_text_and_ids_are_escaped():
    hostile = MapText(
        title="</title><script>x</script>",
        description="<b>",
        legend="&",
        stays=lambda n: f"<i>{n}</i>",
        no_stays='"',
        home="<home>",
        europe="<e>",
        small="<s>",
        not_shown="<n>",
        empty="<empty>",
    )
    svg = world_map({"DE": 1, "TV": 1}, hostile, home_country="NO", map_id='x" onload="y')
    assert "<script>" not in svg and 'onload="y"' not in svg and "<i>" not in svg
    root = _parse(svg)
    assert root.find(f"{SVG}title").text == "</title><script>x</script>"
    assert "Germany: <i>1</i>" in _titles(root)


def test_rendering_reuses_the_projected_outline():
    world_map(SAMPLE, _text(), home_country="NO")
    before = shapes.cache_info().hits
    world_map({"BR": 3}, _text(), home_country="SE")
    assert shapes.cache_info().misses <= 2 and shapes.cache_info().hits > before


def test_the_europe_view_lies_where_the_data_keeps_its_detail():
    spec = importlib.util.spec_from_file_location("world_map_data", TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    west, south, east, north = region("europe")
    box_west, box_south, box_east, box_north = tool.EUROPE_BOX
    assert box_west <= west and box_south <= south and east <= box_east and north <= box_north


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_colours_have_enough_contrast():
    # WCAG 1.4.11: each coloured class stands out from the sea and from the countries
    # without stays; the hatching of the home country from its white ground.
    for fill in CLASS_FILLS:
        assert _contrast(fill, SEA) >= 3 and _contrast(fill, NO_STAYS_FILL) >= 3, fill
    assert _contrast(HOME_LINES, SEA) >= 3
    steps = [_contrast(fill, SEA) for fill in CLASS_FILLS]
    assert steps == sorted(steps)  # darker class by class, so order survives in grey
