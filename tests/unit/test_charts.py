"""The SVG charts: well-formed, accessible, escaped, drawn to scale, every bar labelled."""

import re
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest

from tracker import charts
from tracker.charts import ChartText, ComparisonBar, comparison_chart, target_chart

SVG = "{http://www.w3.org/2000/svg}"
TEXT = ChartText(
    title="PhD <candidates> & stays",
    description='Share per year; "numbers" in the table.',
    achieved="Achieved",
    projected="Projected",
    target="Target 40 %",
    empty="Nobody yet",
    nobody="nobody",
    so_far="so far",
    small="fewer than 5 people",
)
ROWS = [
    {"year": 2023, "n": 10, "achieved": 2, "projected": 5},
    {"year": 2025, "n": 120, "achieved": 47, "projected": 54},
    {"year": 2026, "n": 3, "achieved": 0, "projected": 1},
]


def percent(part: int, n: int) -> str:
    """A stand-in for the reader's percentages: one decimal, trailing zero dropped."""
    value = round(Fraction(part * 100, n), 1)
    return f"{float(value):g} %"


def chart(rows=ROWS, **kw):
    options = {"target_percent": 40, "chart_id": "c1", "text": TEXT, "percent": percent}
    return target_chart(rows, **(options | {"projected": True, "so_far_year": 2026} | kw))


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input


def _bars(root: ET.Element) -> list[ET.Element]:
    # Bars are the rects that carry a <title> (the background and legend do not).
    return [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_chart_is_well_formed_labelled_and_fills_the_width():
    root = _parse(chart())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.get("width") == "100%" and root.get("height") is None
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title.get("id") == "c1-title" and title.text == TEXT.title
    assert desc.get("id") == "c1-desc" and desc.text == TEXT.description


def test_text_is_escaped():
    svg = chart()
    assert "<candidates>" not in svg and "&lt;candidates&gt; &amp; stays" in svg
    hostile = ChartText("</title><script>x</script>", "d", "a", "p", "t", "e", "n", "s", "f")
    svg = target_chart(
        ROWS, target_percent=40, chart_id='x" onload="y', text=hostile, percent=percent,
        projected=False,
    )  # fmt: skip
    assert "<script>" not in svg and 'onload="y"' not in svg
    _parse(svg)


def test_no_inline_style_for_the_content_security_policy():
    for svg in (chart(), comparison_chart([], target_percent=40, chart_id="c", text=TEXT,
                                          percent=percent)):  # fmt: skip
        assert not re.search(r"\sstyle=", svg) and "<style" not in svg and "<script" not in svg


def test_every_bar_carries_its_value_and_n_and_is_drawn_to_scale():
    root = _parse(chart())
    bars = _bars(root)
    labels = [bar.find(f"{SVG}title").text for bar in bars]
    assert labels == [
        "2023: Achieved 20 % (n = 10)",
        "2023: Projected 50 % (n = 10)",
        "2025: Achieved 39.2 % (n = 120)",
        "2025: Projected 45 % (n = 120)",
        "2026: Achieved 0 % (n = 3)",
        "2026: Projected 33.3 % (n = 3)",
    ]
    texts = _texts(root)
    for value in ("20 %", "50 %", "39.2 %", "45 %", "n = 10", "n = 120", "n = 3"):
        assert value in texts
    # Small numbers: the value is starred and the bars are dashed.
    assert "0 %*" in texts and "33.3 %*" in texts and "* fewer than 5 people" in texts
    assert all(bar.get("stroke-dasharray") for bar in bars[4:])
    assert not any(bar.get("stroke-dasharray") for bar in bars[:4])
    # The axis tops at 60 % (a multiple of 20 above the highest bar, 50 %).
    plot = charts.HEIGHT - charts.MARGIN_TOP - charts.MARGIN_BOTTOM
    bottom = charts.MARGIN_TOP + plot
    for bar, share in zip(bars[:4], [20, 50, 47 / 1.2, 45], strict=True):
        assert float(bar.get("height")) == pytest.approx(share / 60 * plot, abs=0.01)
        assert float(bar.get("y")) + float(bar.get("height")) == pytest.approx(bottom, abs=0.01)
    # 0 % is a sliver, so it is not mistaken for a year with nobody.
    assert 0 < float(bars[4].get("height")) <= 2


def test_a_year_with_nobody_says_so_and_the_current_year_is_so_far():
    texts = _texts(_parse(chart()))
    assert texts.count("nobody") == 1  # 2024, between 2023 and 2025
    assert {"2023", "2024", "2025", "2026"} <= set(texts)
    assert texts.count("so far") == 1


def test_people_who_finished_have_one_bar_a_year():
    root = _parse(chart(projected=False, so_far_year=None))
    assert [b.find(f"{SVG}title").text.split(":")[1].split()[0] for b in _bars(root)] == [
        "Achieved"
    ] * 3
    assert "Projected" not in _texts(root)


def test_at_most_eight_years_are_drawn():
    rows = [{"year": 2010 + i, "n": 10, "achieved": i % 10, "projected": 5} for i in range(12)]
    texts = _texts(_parse(chart(rows, projected=False)))
    assert "2013" not in texts and {"2014", "2021"} <= set(texts)


def test_target_line_sits_at_the_target_and_is_labelled_beside_it():
    root = _parse(chart())
    dashed = [line for line in root.iter(f"{SVG}line") if line.get("class") == "target-line"]
    plot = charts.HEIGHT - charts.MARGIN_TOP - charts.MARGIN_BOTTOM
    expected = charts.MARGIN_TOP + plot - 40 / 60 * plot
    assert len(dashed) == 1
    assert float(dashed[0].get("y1")) == pytest.approx(expected, abs=0.01)
    label = next(t for t in root.iter(f"{SVG}text") if t.get("class") == "target-label")
    assert label.text == "Target 40 %"
    assert float(label.get("x")) > float(dashed[0].get("x2"))  # beside the plot, not on a bar


def test_empty_chart_says_so():
    root = _parse(chart([]))
    assert _bars(root) == []
    assert "Nobody yet" in _texts(root)


@pytest.mark.parametrize(
    ("shares", "target", "top"),
    [([10], 40, 60), ([95], 40, 100), ([100], 30, 100), ([0], 10, 20), ([59], 30, 60)],
)
def test_axis_top_is_a_multiple_of_twenty_above_everything(shares, target, top):
    rows = [
        {"year": 2020 + i, "n": 100, "achieved": s, "projected": s} for i, s in enumerate(shares)
    ]
    texts = _texts(_parse(chart(rows, target_percent=target, projected=False)))
    assert f"{top} %" in texts and f"{top + 20} %" not in texts


def test_comparison_has_a_bar_per_programme_in_order_with_value_and_n():
    bars = [
        ComparisonBar("PHD-A", n=10, part=1),
        ComparisonBar("PHD-B", n=4, part=2),
        ComparisonBar("PHD-C", n=0, part=0),
    ]
    text = ChartText(**{**TEXT.__dict__, "left_out": "1 programme had nobody: see the table."})
    root = _parse(
        comparison_chart(bars, target_percent=40, chart_id="cmp", text=text, percent=percent)
    )
    drawn = _bars(root)
    assert [bar.find(f"{SVG}title").text for bar in drawn] == [
        "PHD-A: 10 % (n = 10)",
        "PHD-B: 50 % (n = 4)",
    ]
    texts = _texts(root)
    assert "10 % (n = 10)" in texts and "50 %* (n = 4)" in texts  # small numbers starred
    assert texts.index("PHD-A") < texts.index("PHD-B")
    # PHD-C had nobody that year: no 0 % bar, and the chart says it is left out.
    assert "PHD-C" not in texts and "1 programme had nobody: see the table." in texts
    assert float(drawn[1].get("width")) == pytest.approx(5 * float(drawn[0].get("width")), abs=0.05)
    target = next(line for line in root.iter(f"{SVG}line") if line.get("class") == "target-line")
    left = float(drawn[0].get("x"))
    # 40 % of the axis (which tops at 60 %) from the bars' left edge.
    tenth = float(drawn[0].get("width"))  # PHD-A's 10 %
    assert float(target.get("x1")) - left == pytest.approx(4 * tenth, abs=0.05)
