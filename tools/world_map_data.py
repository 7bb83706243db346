"""Make static/vendor/world/countries.json, the outline tracker/worldmap/ draws, from world-atlas.

world-atlas 2.0.2 (ISC licence) is Natural Earth 4.1.0's Admin 0 countries (public domain)
as TopoJSON. This script turns its 1:50m countries into the small file the map reads:

- countries keyed by ISO 3166-1 alpha-2 (world-atlas uses the numeric codes; CLDR's
  aliases in Babel map them), with the few shapes that have no numeric code, or that hold
  another code's territory, assigned as ``SPECIAL_NAMES`` and ``SPLITS`` say;
- two views of the same borders: ``world``, simplified for a map of the whole world, and
  ``europe``, kept finer inside ``EUROPE_BOX`` (the arcs are cut at its edge, so neighbours
  still share every border point);
- arcs shared as in TopoJSON, stored as whole hundredths of a degree, delta-encoded;
- a point per country (the centre of its largest part), where the map marks a country too
  small to see.

Run it again after changing a parameter, with the package that ``npm pack`` downloads:

    npm pack world-atlas@2.0.2
    .venv/bin/python tools/world_map_data.py world-atlas-2.0.2.tgz

The archive is checked against the integrity hash the npm registry publishes.
"""

import argparse
import base64
import hashlib
import heapq
import json
import math
import sys
import tarfile
from pathlib import Path

from babel.core import get_global

from tracker.domain.countries import COUNTRY_CODES

PACKAGE = "world-atlas@2.0.2"
INTEGRITY = (  # as `npm view world-atlas@2.0.2 dist.integrity` prints it
    "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ=="
)
SOURCE = "package/countries-50m.json"
LICENCE = "package/LICENSE"
OUTPUT = Path(__file__).resolve().parent.parent / "static" / "vendor" / "world"

QUANTUM = 100  # units per degree: 0.01° is about 1 km, far below a pixel of either view
# Visvalingam's effective area below which a point goes, in square degrees (longitude
# scaled by the cosine of the latitude); rings smaller than RING_AREA go too.
WORLD_TOLERANCE = 0.3
WORLD_RING_AREA = 0.4
EUROPE_TOLERANCE = 0.008
EUROPE_RING_AREA = 0.012
# Longitude and latitude inside which the europe view keeps its detail: wider than what the
# map shows of Europe, so every border inside its frame is drawn at the finer scale.
EUROPE_BOX = (-36.0, 29.0, 65.0, 74.0)

# Shapes without an ISO numeric code. Northern Cyprus and Somaliland are parts of CY and SO
# in ISO 3166; Kosovo has XK (tracker/domain/countries.py). The Siachen Glacier is disputed
# between India and Pakistan and is left out.
SPECIAL_NAMES = {"N. Cyprus": "CY", "Somaliland": "SO", "Kosovo": "XK", "Siachen Glacier": None}
# Natural Earth draws some territories with their own ISO code as parts of another
# shape; a part of the named shape whose centre lies in the box (west, south, east, north)
# gets that code.
SPLITS = [
    ("France", (-55.0, 1.0, -51.0, 6.0), "GF"),  # French Guiana
    ("France", (-62.0, 15.8, -61.0, 16.6), "GP"),  # Guadeloupe
    ("France", (-61.5, 14.2, -60.5, 15.0), "MQ"),  # Martinique
    ("France", (55.0, -21.5, 56.0, -20.5), "RE"),  # Réunion
    ("France", (44.8, -13.2, 45.4, -12.5), "YT"),  # Mayotte
    ("Norway", (10.0, 74.0, 35.0, 81.0), "SJ"),  # Svalbard
    ("Norway", (-9.5, 70.5, -7.5, 71.5), "SJ"),  # Jan Mayen
    ("Netherlands", (-68.5, 11.8, -62.8, 17.8), "BQ"),  # Bonaire, Sint Eustatius, Saba
    ("Indian Ocean Ter.", (105.0, -11.0, 106.0, -10.0), "CX"),  # Christmas Island
    ("Indian Ocean Ter.", (96.5, -12.5, 97.5, -11.5), "CC"),  # Cocos (Keeling) Islands
]
LEFT_OUT = {"AQ"}  # Antarctica: south of what the map shows


def main(argv: list[str] | None = None) -> int:
    """Check the archive, convert it, and write the data file and the licence."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path, help=f"the file `npm pack {PACKAGE}` wrote")
    args = parser.parse_args(argv)
    blob = args.archive.read_bytes()
    found = "sha512-" + base64.b64encode(hashlib.sha512(blob).digest()).decode()
    if found != INTEGRITY:
        print(f"{args.archive} is not {PACKAGE}: {found}", file=sys.stderr)
        return 1
    with tarfile.open(args.archive) as archive:
        topology = json.load(archive.extractfile(SOURCE))
        licence = archive.extractfile(LICENCE).read()
    data = convert(topology)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    target = OUTPUT / "countries.json"
    target.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n")
    (OUTPUT / "LICENSE-world-atlas").write_bytes(licence)
    print(f"{target}: {target.stat().st_size:,} bytes, {len(data['points'])} countries")
    return 0


def convert(topology: dict) -> dict:
    """Return the views and points of the data file from world-atlas's TopoJSON."""
    arcs = _decode_arcs(topology)
    polygons = _polygons_by_code(topology, arcs)
    views = {
        "world": _view(arcs, polygons, None),
        "europe": _view(arcs, polygons, EUROPE_BOX),
    }
    points = {code: _label_point(arcs, parts) for code, parts in sorted(polygons.items())}
    return {
        "about": (
            f"Natural Earth 4.1.0 Admin 0 countries (public domain), 1:50m, from {PACKAGE} "
            "(ISC); made by tools/world_map_data.py. Coordinates in hundredths of a degree."
        ),
        "quantum": QUANTUM,
        "views": views,
        "points": points,
    }


def _decode_arcs(topology: dict) -> list[list[tuple[int, int]]]:
    """Return every arc as absolute points in hundredths of a degree."""
    (kx, ky), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points: list[tuple[int, int]] = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            point = (round((x * kx + tx) * QUANTUM), round((y * ky + ty) * QUANTUM))
            if not points or point != points[-1]:
                points.append(point)
        decoded.append(points)
    return decoded


def _polygons_by_code(topology: dict, arcs: list) -> dict[str, list[list[list[int]]]]:
    """Return each country's polygons (rings of arc indices), keyed by alpha-2 code."""
    aliases = get_global("territory_aliases")
    found: dict[str, list[list[list[int]]]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry["properties"]["name"]
        if "id" in geometry:
            (code,) = aliases[geometry["id"]]  # one country per numeric code, or fail here
        else:
            code = SPECIAL_NAMES.get(name)
        parts = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
        for part in parts:
            part_code = _split_code(name, part, arcs) or code
            if part_code is None and name in SPECIAL_NAMES:
                continue
            if part_code in LEFT_OUT:
                continue
            if part_code not in COUNTRY_CODES:
                raise SystemExit(f"{name}: no country code for a part of it")
            found.setdefault(part_code, []).append(part)
    return found


def _split_code(name: str, part: list[list[int]], arcs: list) -> str | None:
    """Return the code SPLITS gives this part of the shape, or None."""
    west, south, east, north = _bounds(_ring_points(arcs, part[0]))
    lon, lat = (west + east) / 2 / QUANTUM, (south + north) / 2 / QUANTUM
    for shape, (w, s, e, n), code in SPLITS:
        if shape == name and w <= lon <= e and s <= lat <= n:
            return code
    return None


def _ring_points(arcs: list[list[tuple[int, int]]], ring: list[int]) -> list[tuple[int, int]]:
    points: list[tuple[int, int]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _bounds(points: list[tuple[int, int]]) -> tuple[int, int, int, int]:
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def _area(points: list[tuple[int, int]]) -> float:
    """Return a ring's area in square degrees, longitude scaled by the cosine of the latitude."""
    if len(points) < 3:
        return 0.0
    mid = sum(y for _, y in points) / len(points) / QUANTUM
    scale = math.cos(math.radians(mid)) / QUANTUM / QUANTUM
    total = 0
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2 * scale


def _inside(point: tuple[int, int], box: tuple[float, float, float, float]) -> bool:
    west, south, east, north = box
    return west * QUANTUM <= point[0] <= east * QUANTUM and south * QUANTUM <= point[1] <= (
        north * QUANTUM
    )


def _view(arcs, polygons, box):
    """Return one view: simplified arcs (cut at the box's edge if any) and rings using them."""
    # Cut each arc where it enters or leaves the box, so that each piece gets one tolerance.
    pieces: list[list[tuple[int, int]]] = []
    fine: list[bool] = []
    arc_pieces: list[list[int]] = []
    for arc in arcs:
        ids = []
        start = 0
        for i in range(1, len(arc) + 1):
            end_of_run = i == len(arc) or (
                box is not None and _inside(arc[i], box) != _inside(arc[start], box)
            )
            if end_of_run:
                stop = min(i, len(arc) - 1)
                if stop > start or not ids:
                    ids.append(len(pieces))
                    pieces.append(arc[start : stop + 1])
                    fine.append(box is not None and _inside(arc[start], box))
                start = stop
        arc_pieces.append(ids)
    simplified = [
        _simplify(piece, EUROPE_TOLERANCE if detailed else WORLD_TOLERANCE)
        for piece, detailed in zip(pieces, fine, strict=True)
    ]

    def expand(ring: list[int]) -> list[int]:
        out: list[int] = []
        for index in ring:
            ids = arc_pieces[index] if index >= 0 else [~i for i in reversed(arc_pieces[~index])]
            out.extend(ids)
        return out

    def ring_area(ring: list[int]) -> float:
        return _area(_ring_points(simplified, ring))

    countries: dict[str, list[list[list[int]]]] = {}
    for code, parts in sorted(polygons.items()):
        kept = []
        for part in parts:
            rings = [expand(ring) for ring in part]
            detailed = box is not None and any(fine[i if i >= 0 else ~i] for i in rings[0])
            threshold = EUROPE_RING_AREA if detailed else WORLD_RING_AREA
            if ring_area(rings[0]) < threshold:
                continue
            kept.append([rings[0]] + [r for r in rings[1:] if ring_area(r) >= threshold])
        if not kept:  # too small for the view: keep its largest part, the map marks it too
            largest = max(parts, key=lambda part: ring_area(expand(part[0])))
            kept = [[expand(largest[0])]]
        countries[code] = kept

    # Keep the pieces some ring uses, renumbered, as flat delta-encoded lists.
    used = sorted(
        {i if i >= 0 else ~i for parts in countries.values() for p in parts for r in p for i in r}
    )
    number = {old: new for new, old in enumerate(used)}
    for parts in countries.values():
        for part in parts:
            for ring in part:
                ring[:] = [number[i] if i >= 0 else ~number[~i] for i in ring]
    encoded = []
    for old in used:
        flat: list[int] = []
        px = py = 0
        for x, y in simplified[old]:
            flat += [x - px, y - py]
            px, py = x, y
        encoded.append(flat)
    return {"arcs": encoded, "countries": countries}


def _simplify(points: list[tuple[int, int]], tolerance: float) -> list[tuple[int, int]]:
    """Return the points Visvalingam-Whyatt keeps: both ends, and every point whose triangle
    with its neighbours is at least ``tolerance`` square degrees."""
    n = len(points)
    if n <= 3:
        return points
    closed = points[0] == points[-1]
    limit = tolerance * QUANTUM * QUANTUM
    mid = sum(y for _, y in points) / n / QUANTUM
    scale = math.cos(math.radians(mid))
    prev = list(range(-1, n - 1))
    nxt = list(range(1, n + 1))
    alive = [True] * n

    def area(i: int) -> float:
        (ax, ay), (bx, by), (cx, cy) = points[prev[i]], points[i], points[nxt[i]]
        return abs((bx - ax) * (cy - ay) - (cx - ax) * (by - ay)) / 2 * scale

    heap = [(area(i), i) for i in range(1, n - 1)]
    heapq.heapify(heap)
    current = {i: a for a, i in heap}
    remaining = n
    minimum = 4 if closed else 2  # a closed ring keeps at least a triangle
    while heap and remaining > minimum:
        value, i = heapq.heappop(heap)
        if not alive[i] or current.get(i) != value:
            continue
        if value >= limit:
            break
        alive[i] = False
        remaining -= 1
        p, q = prev[i], nxt[i]
        nxt[p], prev[q] = q, p
        for j in (p, q):
            if 0 < j < n - 1:
                # Visvalingam: a neighbour's area never drops below the point just removed.
                current[j] = max(area(j), value)
                heapq.heappush(heap, (current[j], j))
    return [point for point, keep in zip(points, alive, strict=True) if keep]


def _label_point(arcs, parts) -> list[int]:
    """Return the centroid of the country's largest part, in hundredths of a degree.

    Longitudes are unwrapped first, so a part across 180° (in Fiji and Russia) has its
    own size and centre, not those of a band half-way round the world.
    """
    ring = max((_unwrapped(_ring_points(arcs, part[0])) for part in parts), key=_area)
    twice_area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        twice_area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if twice_area == 0:
        return list(ring[0])
    half_turn = 180 * QUANTUM
    lon = (round(cx / (3 * twice_area)) + half_turn) % (2 * half_turn) - half_turn
    return [lon, round(cy / (3 * twice_area))]


def _unwrapped(ring: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the ring with no jump of more than 180° in longitude between two points."""
    full_turn = 360 * QUANTUM
    points = [ring[0]]
    for x, y in ring[1:]:
        points.append((x + full_turn * round((points[-1][0] - x) / full_turn), y))
    return points


if __name__ == "__main__":
    sys.exit(main())
