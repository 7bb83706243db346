"""Activities, funding and destinations as the dashboard shows them (tracker.figures)."""

import copy
import re

import pytest
from flask_babel import force_locale

from tests.integration import stats_dataset as data
from tests.integration.test_stats_surfaces import _dashboard_rows
from tracker import figures

AS_OF = data.AS_OF.isoformat()


def _text(html: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", html).replace("\xa0", " ")


def _empty_document() -> dict:
    document = copy.deepcopy(data.expected_document())
    document["activities"] = {"phd": {"by_admission_year": []}, "postdoc": {"by_start_year": []}}
    document["funding"] = {
        "by_completion_year": [],
        "planned_stays": 0,
        "planned_stays_without_funding": 0,
    }
    document["destinations"] = {"stays": 0, "by_country": [], "hosts": 0, "by_host": []}
    return document


def test_activity_panels_answer_with_the_latest_complete_cohort(app) -> None:
    with app.test_request_context(), force_locale("en"):
        phd, postdoc = figures.activity_panels(data.expected_document())
    # PhD: 2026 is the as-of date's cohort; 2025's 11 have 2 done, 3 planned or done.
    assert phd.headline is not None and phd.headline.year == 2025
    assert (phd.done, phd.planned_or_done) == ("18.2\xa0%", "27.3\xa0%")
    assert phd.target == "target 100 %"
    assert phd.of_whom == "had an international activity done, of the 11 people who started in 2025"
    assert phd.needed == "9 more people need an international activity done to reach the target."
    assert [(r.year, r.n, r.any.done, r.any.planned_or_done, r.needed) for r in phd.rows] == [
        (2020, 1, 1, 1, 0),
        (2021, 8, 2, 4, 6),
        (2025, 11, 2, 3, 9),
        (2026, 4, 0, 0, 4),
    ]
    # Conference, publication, ... in the vocabulary's order: 2021 had 1 conference done of 3.
    assert phd.types[:2] == ["Conference", "Publication"]
    assert (phd.rows[1].by_type[0].done, phd.rows[1].by_type[0].planned_or_done) == (1, 3)
    assert phd.rows[-1].so_far and not phd.rows[-2].so_far
    assert 'class="target-line"' in phd.chart and "Planned or done" in phd.chart
    # Postdocs: no target, so nothing needed and no target line.
    assert postdoc.target == "no target set" and postdoc.needed == ""
    assert postdoc.headline is not None and postdoc.headline.year == 2025 and postdoc.small
    assert "target-line" not in postdoc.chart


def test_funding_and_destinations_read_as_the_document(app) -> None:
    with app.test_request_context(), force_locale("en"):
        found = figures.international(data.expected_document())
    funding = found.funding
    assert funding.sources[0] == "Overseas research grant" and funding.sources[-1] == "None"
    assert [(r.year, r.stays) for r in funding.rows] == [(2022, 2), (2024, 4), (2025, 3)]
    assert funding.rows[0].by_source[:2] == [(1, "50\xa0%"), (1, "50\xa0%")]
    assert funding.planned == "3 planned stays ahead, 2 of them without a funding source yet."
    places = found.destinations
    assert places.sentence == "9 stays at 5 host institutions."
    assert places.countries == [("Germany", 6), ("France", 1), ("Japan", 1), ("United States", 1)]
    assert (places.hosts[0].name, places.hosts[0].countries, places.hosts[0].stays) == (
        "TU München",
        "Germany",
        4,
    )
    assert places.map is not None and 'id="destinations-map"' in places.map
    assert "style=" not in places.map  # the Content-Security-Policy forbids inline styles


def test_empty_sections_say_so(app) -> None:
    with app.test_request_context(), force_locale("en"):
        found = figures.international(_empty_document())
    assert all(panel.headline is None and not panel.rows for panel in found.activities)
    assert found.funding.rows == [] and found.funding.empty
    assert found.funding.planned == "0 planned stays ahead, 0 of them without a funding source yet."
    assert found.destinations.map is None and found.destinations.sentence == ""
    assert found.destinations.empty == "No qualifying stay abroad yet."


def test_a_baseline_reads_with_at_most_one_decimal(app) -> None:
    document = copy.deepcopy(data.expected_document())
    document["settings"]["phd_baseline"] = {"percent": 25.25, "year": 2012}
    document["settings"]["staff_baseline"] = {"percent": 30, "year": 2019}
    with app.test_request_context(), force_locale("en"):
        answers = {a.section.kind.value: a.baseline for a in figures.answers(document)}
        assert answers == {
            "phd": "Baseline: 25.3\xa0% in 2012",
            "postdoc": "",
            "staff": "Baseline: 30\xa0% in 2019",
        }
        assert {p.baseline for p in figures.panels(document)} == set(answers.values())
    with app.test_request_context(), force_locale("nb"):
        assert figures.baseline_text(document, "phd") == "Utgangspunkt: 25,3\xa0% i 2012"


@pytest.fixture()
def admin(app, make_user):
    data.build()
    return make_user("admin@example.org", admin=True)


def test_the_dashboard_shows_activities_funding_and_destinations(admin, login, client) -> None:
    login(admin)
    page = client.get("/coordinator/", query_string={"as_of": AS_OF, "faculty": "IE"})
    html = page.get_data(as_text=True)
    tables = _dashboard_rows(html)
    phd = tables["table-activities-phd-by-admission-year"]
    assert phd[2][:4] == ["2025", "11", "2 (18.2\xa0%)", "3 (27.3\xa0%)"]
    assert phd[2][-1] == "9"  # more needed
    assert phd[1][4:8] == ["1", "3", "1", "2"]  # conferences, publications: done, either
    postdoc = tables["table-activities-postdoc-by-start-year"]
    assert postdoc[1][:2] == ["2024", "10"] and len(postdoc[1]) == 2 + 2 + 12  # no "needed"
    assert tables["table-funding"][1][:3] == ["2024", "4", "0 (0\xa0%)"]
    assert tables["table-countries"][0] == ["Germany", "6"]
    assert tables["table-hosts"][0] == ["TU München", "Germany", "4"]
    text = _text(html)
    assert "3 planned stays ahead, 2 of them without a funding source yet." in text
    assert "9 stays at 5 host institutions." in text
    assert "no target set" in text
    assert f"/coordinator/lists/no-activity?faculty=IE&amp;as_of={AS_OF}" in html
    assert f"/coordinator/lists/unfunded-stays?faculty=IE&amp;as_of={AS_OF}" in html
    assert 'id="destinations-map"' in html


def test_an_empty_scope_says_nothing_yet(admin, login, client, make_programme) -> None:
    make_programme("PHD-EMPTY", "IE", name="Empty")
    login(admin)
    html = client.get(
        "/coordinator/", query_string={"as_of": AS_OF, "programme": "PHD-EMPTY"}
    ).get_data(as_text=True)
    text = _text(html)
    assert "No qualifying stay abroad completed yet." in text
    assert "No qualifying stay abroad yet." in text
    assert "destinations-map" not in html
    assert "table-funding" not in html and "table-countries" not in html
def test_the_dashboard_in_bokmal(admin, login, client) -> None:
    login(admin)
    page = client.get(
        "/coordinator/", query_string={"as_of": AS_OF}, headers={"Accept-Language": "nb"}
    )
    text = _text(page.get_data(as_text=True))
    assert "Internasjonale aktiviteter" in text
    assert "3 planlagte opphold framover, 2 av dem uten finansieringskilde ennå." in text
    assert "9 opphold ved 5 vertsinstitusjoner." in text
    assert "Tyskland" in text and "ingen mål satt" in text


