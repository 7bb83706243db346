"""The SVG charts: well-formed, accessible, escaped, and drawn to scale."""

import xml.etree.ElementTree as ET

import pytest

from tracker import charts
from tracker.charts import ChartText, target_chart

SVG = "{http://www.w3.org/2000/svg}"
TEXT = ChartText(
    title="PhD <candidates> & stays",
    description='Share per year; "numbers" in the table.',
    achieved="Achieved",
    projected="Projected",
    target="Target",
    empty="Nobody yet",
)
ROWS = [
    {"year": 2024, "n": 10, "rate": 0.2, "projected_rate": 0.5},
    {"year": 2025, "n": 120, "rate": 0.3917, "projected_rate": 0.45},
]


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input


def _bars(root: ET.Element) -> list[ET.Element]:
    # Bars are the rects that carry a <title> (the background and legend do not).
    return [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]


def test_chart_is_well_formed_and_labelled():
    root = _parse(target_chart(ROWS, target_percent=40, chart_id="c1", text=TEXT))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title.get("id") == "c1-title" and title.text == TEXT.title
    assert desc.get("id") == "c1-desc" and desc.text == TEXT.description


def test_text_is_escaped():
    svg = target_chart(ROWS, target_percent=40, chart_id="c1", text=TEXT)
    assert "<candidates>" not in svg and "&lt;candidates&gt; &amp; stays" in svg
    hostile = ChartText("</title><script>x</script>", "d", "a", "p", "t", "e")
    svg = target_chart(ROWS, target_percent=40, chart_id='x" onload="y', text=hostile)
    assert "<script>" not in svg and 'onload="y"' not in svg
    _parse(svg)


def test_no_inline_style_for_the_content_security_policy():
    svg = target_chart(ROWS, target_percent=40, chart_id="c1", text=TEXT)
    assert "style=" not in svg and "<style" not in svg and "<script" not in svg


def test_two_bars_per_year_drawn_to_scale():
    root = _parse(target_chart(ROWS, target_percent=40, chart_id="c1", text=TEXT))
    bars = _bars(root)
    assert len(bars) == 4
    labels = [bar.find(f"{SVG}title").text for bar in bars]
    assert labels == [
        "2024: Achieved 20.00 % (n = 10)",
        "2024: Projected 50.00 % (n = 10)",
        "2025: Achieved 39.17 % (n = 120)",
        "2025: Projected 45.00 % (n = 120)",
    ]
    heights = [float(bar.get("height")) for bar in bars]
    # The axis tops at 60 % (a multiple of 20 above the highest bar, 50 %).
    plot = charts.HEIGHT - charts.MARGIN_TOP - charts.MARGIN_BOTTOM
    for height, percent in zip(heights, [20, 50, 39.17, 45], strict=True):
        assert height == pytest.approx(percent / 60 * plot, abs=0.01)
    bottom = charts.MARGIN_TOP + plot
    for bar in bars:
        assert float(bar.get("y")) + float(bar.get("height")) == pytest.approx(bottom, abs=0.01)


def test_target_line_sits_at_the_target():
    root = _parse(target_chart(ROWS, target_percent=40, chart_id="c1", text=TEXT))
    dashed = [line for line in root.iter(f"{SVG}line") if line.get("class") == "target-line"]
    plot = charts.HEIGHT - charts.MARGIN_TOP - charts.MARGIN_BOTTOM
    expected = charts.MARGIN_TOP + plot - 40 / 60 * plot
    assert len(dashed) == 1
    assert float(dashed[0].get("y1")) == pytest.approx(expected, abs=0.01)
    label = next(t for t in root.iter(f"{SVG}text") if t.get("class") == "target-label")
    assert label.text == "40 %"
    assert float(label.get("x")) > float(dashed[0].get("x2"))  # beside the line, not on a bar
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert {"Target", "2024", "2025"} <= set(texts)


def test_empty_chart_says_so():
    root = _parse(target_chart([], target_percent=30, chart_id="c2", text=TEXT))
    assert _bars(root) == []
    assert "Nobody yet" in ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    ("rates", "target", "top"),
    [([0.1], 40, 60), ([0.95], 40, 100), ([1.0], 30, 100), ([0.0], 10, 20), ([0.59], 30, 60)],
)
def test_axis_top_is_a_multiple_of_twenty_above_everything(rates, target, top):
    rows = [{"year": 2020 + i, "n": 1, "rate": r, "projected_rate": r} for i, r in enumerate(rates)]
    svg = target_chart(rows, target_percent=target, chart_id="c", text=TEXT)
    texts = ["".join(t.itertext()) for t in _parse(svg).iter(f"{SVG}text")]
    assert f"{top} %" in texts and f"{top + 20} %" not in texts
