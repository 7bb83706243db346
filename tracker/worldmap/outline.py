"""The country outline vendored in static/vendor/world/, placed in the map's two views.

The file is read once per process and each view is projected once, on first use; what
a map then needs of a country is a ready SVG path, its area and the point where a
circle marks it when it is too small to see.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from tracker.worldmap.projections import (
    equal_earth,
    lambert_azimuthal,
    lambert_azimuthal_inverse,
)

DATA_FILE = (
    Path(__file__).resolve().parent.parent.parent / "static" / "vendor" / "world" / "countries.json"
)

WIDTH = 1000  # of the whole map, in SVG units
# The world, in Equal Earth: the whole width, latitudes 84° N (Greenland) to 58° S (Cape Horn).
WORLD_NORTH, WORLD_SOUTH = 84.0, -58.0
# Europe, in Lambert azimuthal equal-area around 52° N 10° E (as EPSG:3035), below the world;
# the frame in kilometres from the centre: Iceland and Portugal to Cyprus and Moscow,
# Malta and Crete to the North Cape.
EUROPE_CENTRE = (10.0, 52.0)
EUROPE_KM = (-1800.0, -1960.0, 2350.0, 2260.0)  # west, south, east, north
EUROPE_WIDTH = 560
EARTH_RADIUS_KM = 6371.0
GAP = 18  # between the two views

Point = tuple[float, float]
Box = tuple[float, float, float, float]  # left, top, right, bottom (or west, south, east, north)


@dataclass(frozen=True)
class Frame:
    """Where a view sits in the SVG, and how a longitude and latitude get there."""

    left: float
    top: float
    width: float
    height: float
    project: Callable[[float, float], Point]
    west: float  # the projected coordinates at the frame's left and top edges
    north: float
    scale: float  # SVG units per projected unit

    @property
    def box(self) -> Box:
        """Return the frame as left, top, right, bottom."""
        return (self.left, self.top, self.left + self.width, self.top + self.height)

    def place(self, lon: float, lat: float) -> Point:
        """Return a point's position in the SVG."""
        return self.place_all([(lon, lat)])[0]

    def place_all(self, points: list[Point]) -> list[Point]:
        """Return the positions of many points in the SVG (the loop is the hot path)."""
        project, west, north, scale = self.project, self.west, self.north, self.scale
        left, top = self.left, self.top
        placed = []
        for lon, lat in points:
            x, y = project(lon, lat)
            placed.append((left + (x - west) * scale, top + (north - y) * scale))
        return placed

    def contains(self, point: Point) -> bool:
        """Return whether a position in the SVG lies in the frame."""
        left, top, right, bottom = self.box
        return left <= point[0] <= right and top <= point[1] <= bottom


@dataclass(frozen=True)
class Shape:
    """One country in one view."""

    d: str  # the SVG path, clipped to the frame
    area: float  # in square SVG units, of what the frame shows
    point: Point | None  # where a circle marks the country, if that lies in the frame


@lru_cache(maxsize=1)
def world_frame() -> Frame:
    """Return the frame of the world view, at the top of the map."""
    east = equal_earth(180.0, 0.0)[0]
    north = equal_earth(0.0, WORLD_NORTH)[1]
    south = equal_earth(0.0, WORLD_SOUTH)[1]
    scale = WIDTH / (2 * east)
    return Frame(0.0, 0.0, WIDTH, (north - south) * scale, equal_earth, -east, north, scale)


def _europe(lon: float, lat: float) -> Point:
    return lambert_azimuthal(lon, lat, EUROPE_CENTRE)


@lru_cache(maxsize=1)
def europe_frame() -> Frame:
    """Return the frame of the Europe view, under the world's left part."""
    west, _south, east, north = (km / EARTH_RADIUS_KM for km in EUROPE_KM)
    scale = EUROPE_WIDTH / (east - west)
    height = (EUROPE_KM[3] - EUROPE_KM[1]) / EARTH_RADIUS_KM * scale
    top = world_frame().height + GAP
    return Frame(0.0, top, EUROPE_WIDTH, height, _europe, west, north, scale)


FRAMES = {"world": world_frame, "europe": europe_frame}


def europe_edge() -> list[tuple[float, float]]:
    """Return points along the Europe frame's edge as longitude and latitude, clockwise."""
    west, south, east, north = (km / EARTH_RADIUS_KM for km in EUROPE_KM)
    steps = 16
    corners = [(west, north), (east, north), (east, south), (west, south), (west, north)]
    edge = []
    for (x1, y1), (x2, y2) in pairwise(corners):
        for i in range(steps):
            edge.append(
                lambert_azimuthal_inverse(
                    x1 + (x2 - x1) * i / steps, y1 + (y2 - y1) * i / steps, EUROPE_CENTRE
                )
            )
    return edge


@lru_cache(maxsize=1)
def outline() -> dict[str, Any]:
    """Return the vendored outline, read once per process."""
    with DATA_FILE.open(encoding="utf-8") as data:
        return json.load(data)


@lru_cache(maxsize=1)
def codes() -> frozenset[str]:
    """Return the code of every country the outline draws."""
    return frozenset(outline()["points"])


@lru_cache(maxsize=1)
def europe_codes() -> frozenset[str]:
    """Return the countries whose point lies in the Europe view."""
    frame = europe_frame()
    quantum = outline()["quantum"]
    return frozenset(
        code
        for code, (x, y) in outline()["points"].items()
        if frame.contains(frame.place(x / quantum, y / quantum))
    )


@lru_cache(maxsize=2)
def shapes(view: str) -> dict[str, Shape]:
    """Return every country that shows in a view's frame, projected and clipped, by code."""
    data = outline()
    quantum = data["quantum"]
    frame = FRAMES[view]()
    arcs = [_decode(flat, quantum) for flat in data["views"][view]["arcs"]]
    bounds = [_bounds(arc) for arc in arcs]
    # Natural Earth's Russia and Fiji cross 180°, which only the world view shows.
    crossing = [view == "world" and _crosses_antimeridian(arc) for arc in arcs]
    holds_frame = region(view)
    placed: dict[int, list[Point]] = {}

    def place(index: int) -> list[Point]:
        if index not in placed:
            placed[index] = frame.place_all(arcs[index])
        return placed[index]

    found = {}
    for code, parts in sorted(data["views"][view]["countries"].items()):
        commands: list[str] = []
        area = 0.0
        for part in parts:
            for number, ring in enumerate(part):
                used = [i if i >= 0 else ~i for i in ring]
                if not _overlap(_union(bounds[i] for i in used), holds_frame):
                    continue
                if any(crossing[i] for i in used):
                    pieces = [
                        frame.place_all(piece)
                        for piece in _split_at_antimeridian(_ring(arcs, ring))
                    ]
                else:
                    pieces = [_ring({i: place(i) for i in used}, ring)]
                for piece in pieces:
                    points = _clip(piece, frame.box)
                    path = _path(points) if len(points) >= 3 else ""
                    if path:
                        piece_area = _area(points)
                        area += -piece_area if number else piece_area  # later rings are holes
                        commands.append(path)
        if commands:
            lon, lat = (value / quantum for value in data["points"][code])
            point = frame.place(lon, lat)
            found[code] = Shape("".join(commands), area, point if frame.contains(point) else None)
    return found


def region(view: str) -> Box:
    """Return longitudes and latitudes (west, south, east, north) that hold the view's frame."""
    if view == "world":
        return (-180.0, WORLD_SOUTH, 180.0, 90.0)
    edge = europe_edge()
    lons = [lon for lon, _ in edge]
    lats = [lat for _, lat in edge]
    margin = 1.0  # the frame's edges bend between the points sampled
    return (min(lons) - margin, min(lats) - margin, max(lons) + margin, max(lats) + margin)


def _decode(flat: list[int], quantum: int) -> list[Point]:
    points = []
    x = y = 0
    for i in range(0, len(flat), 2):
        x, y = x + flat[i], y + flat[i + 1]
        points.append((x / quantum, y / quantum))
    return points


def _bounds(points: list[Point]) -> Box:
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    return (min(xs), min(ys), max(xs), max(ys))


def _union(boxes: Any) -> Box:
    lefts, tops, rights, bottoms = zip(*boxes, strict=True)
    return (min(lefts), min(tops), max(rights), max(bottoms))


def _overlap(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _crosses_antimeridian(arc: list[Point]) -> bool:
    return any(abs(a[0] - b[0]) > 180 for a, b in pairwise(arc))


def _ring(arcs: Any, ring: list[int]) -> list[Point]:
    """Return a ring's points from its arcs (a negative index ~i is arc i backwards)."""
    points: list[Point] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _split_at_antimeridian(ring: list[Point]) -> list[list[Point]]:
    """Return a ring that crosses 180° as its parts east and west of it."""
    unwrapped = [ring[0]]
    for lon, lat in ring[1:]:
        unwrapped.append((lon + 360 * round((unwrapped[-1][0] - lon) / 360), lat))
    pieces = []
    for shift in (-360, 0, 360):
        moved = [(lon + shift, lat) for lon, lat in unwrapped]
        piece = _clip(moved, (-180.0, -90.0, 180.0, 90.0))
        if len(piece) >= 3:
            pieces.append(piece)
    return pieces


def _clip(points: list[Point], box: Box) -> list[Point]:
    """Return a ring clipped to a rectangle (Sutherland–Hodgman); a ring inside is kept as is."""
    left, top, right, bottom = box
    ring_box = _bounds(points)
    if not _overlap(ring_box, box):
        return []
    if (
        left <= ring_box[0]
        and ring_box[2] <= right
        and top <= ring_box[1]
        and ring_box[3] <= bottom
    ):
        return points
    # One edge at a time: keep the side where (coordinate − limit) · sign ≥ 0.
    for axis, limit, sign in ((0, left, 1), (0, right, -1), (1, top, 1), (1, bottom, -1)):
        kept: list[Point] = []
        previous = points[-1]
        was_inside = (previous[axis] - limit) * sign >= 0
        for current in points:
            inside = (current[axis] - limit) * sign >= 0
            if inside != was_inside:
                kept.append(_crossing(previous, current, axis, limit))
            if inside:
                kept.append(current)
            previous, was_inside = current, inside
        points = kept
        if not points:
            break
    return points


def _crossing(a: Point, b: Point, axis: int, limit: float) -> Point:
    """Return where the segment from a to b meets the line ``axis`` = ``limit``."""
    t = (limit - a[axis]) / (b[axis] - a[axis])
    return (limit, a[1] + (b[1] - a[1]) * t) if axis == 0 else (a[0] + (b[0] - a[0]) * t, limit)


def _area(points: list[Point]) -> float:
    total = 0.0
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def _path(points: list[Point]) -> str:
    """Return a closed SVG path in relative moves of tenths of a unit, repeated points dropped."""
    rounded = [(round(x * 10), round(y * 10)) for x, y in points]
    numbers: list[int] = list(rounded[0])
    px, py = rounded[0]
    for x, y in rounded[1:]:
        if (x, y) != (px, py):
            numbers += [x - px, y - py]
            px, py = x, y
    if len(numbers) < 6:  # fewer than three distinct points: nothing to see
        return ""
    text = [f"{value / 10:g}" for value in numbers]
    # A minus sign separates two numbers by itself; otherwise they need a space.
    moves = "".join(t if t.startswith("-") else " " + t for t in text[3:])
    return f"M{text[0]} {text[1]}l{text[2]}{moves}z"
