"""Benchmark of the destinations map (tracker/worldmap/): first map in a process, then each map.

    .venv/bin/python bench/worldmap_bench.py
    .venv/bin/python bench/worldmap_bench.py --repeat 200 --countries 120

Each figure comes from a fresh Python process, so the first map pays for reading the
outline and projecting both views, as the first page of an app server does:

* the first map (read ``static/vendor/world/countries.json``, project, draw);
* the median and the slowest of the following maps, each with other counts;
* the size of the SVG;
* what the map adds to a WeasyPrint PDF: a page with the map against the same page
  without it (median of five, after one of each to warm WeasyPrint up).

Target (issue 15): drawing a map within 20 ms.

Results (2 vCPUs shared with other test runs, load average 2.6-4.4, so pessimistic;
six runs of 60 countries with stays, two of 150):

    first map in a process      97-233 ms (60 countries), 184-253 ms (150)
    each following map          median 0.9-1.6 ms, slowest 4.8-10.1 ms (60);
                                median 2.3-6.5 ms, slowest 10.4-11.6 ms (150)
    SVG                         78 kB (60 countries), 90 kB (150)
    PDF page with / without     0.47-1.9 s / 26-93 ms

Drawing is far inside the budget once the outline is projected; the first map of a
process pays about 0.1 s for reading and projecting it (about 8,000 points). In a PDF
the map costs WeasyPrint about half a second: its SVG path parser spends tens of
microseconds on each number, which is why the outline is simplified as far as it
still looks right.
"""

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _text():
    from tracker.worldmap import MapText

    return MapText(
        title="Stays abroad by country",
        description="World map of the stays; the numbers are in the table.",
        legend="Number of stays",
        stays=lambda n: f"{n} stay" if n == 1 else f"{n} stays",
        no_stays="No stays",
        home="home country",
        europe="Europe",
        small="Country too small to see",
        not_shown="Not on the map",
        empty="No stays abroad yet.",
    )


def _counts(rng: random.Random, codes: list[str], how_many: int) -> dict[str, int]:
    """Return stays for some countries, skewed as real ones are: a few get most."""
    chosen = rng.sample(codes, how_many)
    return {code: max(1, int(rng.paretovariate(1.2))) for code in chosen}


def measure(repeat: int, countries: int) -> dict[str, float]:
    """Return the figures of one process (run by main in a child)."""
    from tracker.domain.countries import COUNTRY_CODES
    from tracker.worldmap import world_map

    rng = random.Random(15)
    codes = sorted(COUNTRY_CODES - {"NO"})
    text = _text()
    started = time.perf_counter()
    svg = world_map(_counts(rng, codes, countries), text, home_country="NO")
    first = time.perf_counter() - started
    times = []
    for _ in range(repeat):
        counts = _counts(rng, codes, countries)
        started = time.perf_counter()
        world_map(counts, text, home_country="NO")
        times.append(time.perf_counter() - started)
    return {
        "first_ms": first * 1000,
        "median_ms": statistics.median(times) * 1000,
        "slowest_ms": max(times) * 1000,
        "svg_kb": len(svg.encode()) / 1000,
        **_pdf(svg),
    }


def _pdf(svg: str) -> dict[str, float]:
    from weasyprint import HTML

    page = '<html><body><h1>Destinations</h1><div style="width: 170mm">{}</div></body></html>'
    with_map, without = page.format(svg), page.format("")
    HTML(string=with_map).write_pdf()
    HTML(string=without).write_pdf()
    figures = {}
    for name, html in (("pdf_with_map_ms", with_map), ("pdf_without_map_ms", without)):
        times = []
        for _ in range(5):
            started = time.perf_counter()
            HTML(string=html).write_pdf()
            times.append(time.perf_counter() - started)
        figures[name] = statistics.median(times) * 1000
    return figures


def main() -> None:
    """Run the measurement in a fresh process and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=100, help="maps after the first")
    parser.add_argument("--countries", type=int, default=60, help="countries with stays")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.repeat, args.countries)))
        return
    command = [sys.executable, __file__, "--child", "--repeat", str(args.repeat)]
    command += ["--countries", str(args.countries)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    figures = json.loads(output)
    print(f"countries with stays: {args.countries}, maps after the first: {args.repeat}")
    print(f"first map in a process (read + project + draw): {figures['first_ms']:.0f} ms")
    print(
        f"each following map: median {figures['median_ms']:.1f} ms, "
        f"slowest {figures['slowest_ms']:.1f} ms"
    )
    print(f"SVG size: {figures['svg_kb']:.0f} kB")
    print(
        f"PDF page with the map: {figures['pdf_with_map_ms']:.0f} ms, "
        f"without: {figures['pdf_without_map_ms']:.0f} ms"
    )


if __name__ == "__main__":
    main()
