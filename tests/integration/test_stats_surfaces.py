"""The same figures from the command line, the API and the dashboard (one code path)."""

import json
import re
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import pytest

from tests.integration import stats_dataset as data

# (kind, key, page id, the year shown "so far"): staff by appointment year are counted on
# their third anniversary, so the year still filling is three years back.
SECTIONS = [
    ("phd", "by_completion_year", "phd-by-completion-year", data.AS_OF.year),
    ("phd", "by_admission_year", "phd-by-admission-year", data.AS_OF.year),
    ("postdoc", "by_end_year", "postdoc-by-end-year", data.AS_OF.year),
    ("postdoc", "by_start_year", "postdoc-by-start-year", data.AS_OF.year),
    ("staff", "by_deadline_year", "staff-by-deadline-year", data.AS_OF.year),
    ("staff", "by_start_year", "staff-by-start-year", data.AS_OF.year - 3),
]


class TableReader(HTMLParser):
    """Collect the cell texts of every table with an id, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self._table = attrs["id"]
            self.tables[self._table] = []
        elif self._table and tag == "tbody":
            self._in_body = True
        elif self._table and self._in_body and tag == "tr":
            self.tables[self._table].append([])
        elif self._table and self._in_body and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            # Collapse markup whitespace but keep the no-break space before "%".
            text = re.sub(r"[ \t\r\n]+", " ", "".join(self._cell)).strip()
            self.tables[self._table][-1].append(text)
            self._cell = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None

    def handle_data(self, text):
        if self._cell is not None:
            self._cell.append(text)


def _dashboard_rows(html: str) -> dict[str, list[list[str]]]:
    reader = TableReader()
    reader.feed(html)
    return reader.tables


def _share(part: int, n: int) -> str:
    """Return a share as the page prints it: at most one decimal, exact from the counts."""
    value = (Decimal(part * 100) / Decimal(n)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{value.normalize():f}\xa0%"


def _as_cells(group: dict, as_of_year: int = data.AS_OF.year) -> list[str]:
    return [
        f"{group['year']} (so far)" if group["year"] == as_of_year else str(group["year"]),
        f"{group['n']}*" if group["n"] < 5 else str(group["n"]),  # small numbers, starred
        str(group["achieved"]),
        str(group["projected"]),
        str(group["approved_plans"]),
        str(group["overdue_plans"]),
        _share(group["achieved"], group["n"]),
        _share(group["projected"], group["n"]),
        f"{group['target_percent']}\xa0%",
        str(group["needed"]),
    ]


@pytest.fixture()
def admin(app, make_user):
    data.build()
    return make_user("admin@example.org", admin=True)


@pytest.mark.parametrize(
    ("options", "params", "filters"),
    [
        ([], {}, {"faculty": None, "programme": None}),
        (["--faculty", "IE"], {"faculty": "IE"}, {"faculty": "IE", "programme": None}),
        (
            ["--programme", "PHD-CS"],
            {"programme": "PHD-CS"},
            {"faculty": None, "programme": "PHD-CS"},
        ),
    ],
)
def test_cli_api_and_dashboard_agree(admin, runner, login, client, options, params, filters):
    as_of = data.AS_OF.isoformat()
    result = runner.invoke(args=["stats", "--json", "--as-of", as_of, *options])
    assert result.exit_code == 0, result.output
    from_cli = json.loads(result.output)
    assert from_cli == data.expected_document(filters)

    login(admin)
    from_api = client.get("/api/v1/stats", query_string={"as_of": as_of, **params}).get_json()
    assert from_api == from_cli

    page = client.get("/coordinator/", query_string={"as_of": as_of, **params})
    assert page.status_code == 200
    tables = _dashboard_rows(page.get_data(as_text=True))
    for kind, key, dom_id, so_far in SECTIONS:
        expected = [_as_cells(g, so_far) for g in from_cli[kind][key]]
        assert tables.get(f"table-{dom_id}", []) == expected


def test_dashboard_answers_with_the_latest_completed_year(admin, login, client):
    login(admin)
    html = client.get("/coordinator/", query_string={"as_of": "2026-06-30"}).get_data(as_text=True)
    text = re.sub(r"[ \t\r\n]+", " ", html)
    # PhD: 2025 is the latest completed year: 2 of 7, 28.6 %, one more needed.
    assert "28.6\xa0%" in text
    assert "had a stay abroad, of the 7 people who finished in 2025." in text
    assert "1 more person would have needed a stay to reach the target." in text
    # Postdocs: P1 alone in 2025, achieved: target reached (on small numbers).
    assert "had a stay abroad, of the 1 person who finished in 2025." in text
    assert "The target is reached." in text
    assert "Small numbers: fewer than 5 people." in text
    # Where the institution stands, in sentences.
    assert (
        "The institution is below the 40 % target for PhD candidates: 28.6 % of those who "
        "finished in 2025 had a stay abroad." in text.replace("\xa0", " ")
    )


def test_staff_figures_agree_on_every_surface(admin, runner, login, client):
    data.build_staff()
    as_of = data.AS_OF.isoformat()
    result = runner.invoke(args=["stats", "--json", "--as-of", as_of, "--faculty", "IE"])
    assert result.exit_code == 0, result.output
    from_cli = json.loads(result.output)
    assert from_cli["staff"] == {
        "by_deadline_year": data.EXPECTED_STAFF_DEADLINE,
        "by_start_year": data.EXPECTED_STAFF_START,
    }
    login(admin)
    params = {"as_of": as_of, "faculty": "IE"}
    assert client.get("/api/v1/stats", query_string=params).get_json() == from_cli
    page = client.get("/coordinator/", query_string=params)
    tables = _dashboard_rows(page.get_data(as_text=True))
    for kind, key, dom_id, so_far in SECTIONS:
        expected = [_as_cells(g, so_far) for g in from_cli[kind][key]]
        assert tables.get(f"table-{dom_id}", []) == expected
    csv = client.get("/coordinator/statistics.csv", query_string=params).get_data(as_text=True)
    assert "2026-06-30,IE,,staff,by_deadline_year,2026,5,1,2,3,1,0.2,0.4,100,4" in csv
    # The answers judge staff by what was achieved: S9 alone in 2025 (appointed in 2022).
    text = re.sub(r"[ \t\r\n]+", " ", page.get_data(as_text=True)).replace("\xa0", " ")
    assert (
        "had a stay abroad within their three years, of the 1 person whose three years "
        "ended in 2025." in text
    )
    assert "had a stay abroad within their three years, of the 1 person appointed in 2022." in text
    # Those appointed in 2023 are still being counted: S1 of the five so far.
    assert "So far in 2023: 20 % of 5 people." in text
    assert (
        "IE is below the 100 % target for new permanent staff without international "
        "experience: 0 % of those whose three years ended in 2025 had a stay abroad within "
        "them. 1 more person would have needed a stay to reach the target." in text
    )


def test_cli_readable_table(admin, runner):
    data.build_staff()  # in faculty IE too: no population is empty
    result = runner.invoke(args=["stats", "--as-of", "2026-06-30", "--faculty", "IE"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Progress toward the targets as of 2026-06-30: faculty IE."
    assert "PhD candidates by completion year" in lines
    assert (
        "New permanent staff without international experience by the year their three years "
        "ended" in lines
    )
    row_2025 = next(line for line in lines if line.split()[:2] == ["2025", "7"])
    assert row_2025.split() == [
        "2025",
        "7",
        "2",
        "2",
        "4",
        "0",
        "28.57",
        "%",
        "28.57",
        "%",
        "40",
        "%",
        "1",
    ]
    assert "  (nobody in this population)" not in lines
    # The activities, funding and destinations follow (figures of tests/integration/stats_dataset).
    start = lines.index("International activities of PhD candidates by admission cohort")
    assert lines[start + 3].split() == ["2021", "8", "4", "2", "25.00", "%", "100", "%", "6"]
    postdocs = lines.index(
        "International activities of postdocs without international experience by start cohort"
    )
    assert lines[postdocs + 3].split() == ["2024", "10", "2", "1", "10.00", "%", "–", "–"]
    # Funding and destinations count the stays of every kind: the staff's too ("Host 1").
    assert "  2024: 5 (erasmus_plus 1, institution 1, host 1, none 2)" in lines
    assert "  Stays planned ahead: 5, without a funding source: 4" in lines
    assert "  By country: DE 11, FR 1, JP 1, US 1" in lines
    hosts = "  Hosts (6, the first 20): Host 1 5; TU München 4;"
    assert any(line.startswith(hosts) for line in lines)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--faculty", "NOPE"], "There is no faculty with the code 'NOPE'."),
        (["--programme", "NOPE"], "There is no programme with the code 'NOPE'."),
        (["--faculty", "XX", "--programme", "PHD-CS"], "There is no faculty with the code 'XX'."),
        (["--as-of", "2026-13-01"], "--as-of"),
    ],
)
def test_cli_errors_exit_with_status_2(admin, runner, options, message):
    result = runner.invoke(args=["stats", "--json", *options])
    assert result.exit_code == 2
    assert message in result.output
    assert not result.output.lstrip().startswith("{")


def test_cli_programme_outside_the_faculty(admin, runner, make_programme):
    make_programme("PHD-MATH", "NV")
    result = runner.invoke(args=["stats", "--faculty", "NV", "--programme", "PHD-CS"])
    assert result.exit_code == 2
    assert "not in faculty" in result.output

