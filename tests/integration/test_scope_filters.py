"""The faculty/programme filter on every surface: no one learns which codes exist elsewhere.

For a coordinator, a code that names nothing and a code that names something
outside their scope answer alike (same status, same text but the code itself);
an administrator, who may see everything, keeps the precise answers.
"""

import re

import pytest

from tracker.extensions import db
from tracker.models import AuditEntry

# (path, kind of answer): every surface that reads ?faculty= and ?programme=.
SURFACES = [
    ("/coordinator/", "html"),
    ("/coordinator/statistics.csv", "file"),
    ("/coordinator/lists/candidates", "html"),
    ("/coordinator/lists/overdue/export.csv", "file"),
    ("/api/v1/stats", "json"),
    ("/reports/summary.pdf", "file"),
]
PATHS = [path for path, _kind in SURFACES]


@pytest.fixture()
def org(make_user, make_programme):
    cs = make_programme("PHD-CS", "IE")
    make_programme("PHD-EE", "IE")
    math = make_programme("PHD-MATH", "NV")
    return {
        "admin": make_user("admin@example.org", admin=True),
        "programme_coord": make_user("prog@example.org", coordinator_of=[cs]),
        "faculty_coord": make_user("fac@example.org", coordinator_of=[cs.faculty]),
        "both": make_user("both@example.org", coordinator_of=[math.faculty, cs]),
    }


def _text(response, code: str) -> str:
    """Return the answer's text with the probed code and the per-request values blanked out."""
    text = re.sub(rf"(?<![\w-]){re.escape(code)}(?![\w-])", "CODE", response.get_data(as_text=True))
    text = re.sub(r'nonce="[^"]*"', 'nonce=""', text)
    text = re.sub(r"support: [0-9a-f]{32}", "support: ID", text)  # the request's own id
    return re.sub(r'name="csrf_token" value="[^"]*"', "csrf", text)


def _kind(path: str) -> str:
    return dict(SURFACES)[path]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("who", "param", "unknown", "hidden"),
    [
        ("programme_coord", "programme", "NOPE", "PHD-MATH"),
        ("programme_coord", "programme", "NOPE", "phd-math"),  # the stored spelling stays hidden
        ("programme_coord", "faculty", "NOPE", "NV"),
        ("programme_coord", "faculty", "NOPE", "IE"),  # its own programme's faculty, not its own
        ("faculty_coord", "programme", "NOPE", "PHD-MATH"),
        ("faculty_coord", "faculty", "nope", "nv"),
        ("both", "programme", "NOPE", "PHD-EE"),  # a programme of a faculty it does not follow
    ],
)
def test_unknown_and_out_of_scope_codes_answer_alike(
    org, login, client, path, who, param, unknown, hidden
):
    login(org[who])
    missing = client.get(path, query_string={param: unknown})
    outside = client.get(path, query_string={param: hidden})
    assert missing.status_code == outside.status_code == 404
    assert _text(missing, unknown) == _text(outside, hidden)
    if _kind(path) != "file":
        # The answer says what is wrong, without saying whether the code exists.
        assert f"There is no {param} with the code CODE that you may see." in _text(outside, hidden)


@pytest.mark.parametrize("path", PATHS)
def test_a_mismatch_outside_the_scope_does_not_reveal_the_structure(org, login, client, path):
    """Telling "programme X is not in faculty Y" would show a coordinator where X belongs."""
    login(org["programme_coord"])
    outside = client.get(path, query_string={"faculty": "NV", "programme": "PHD-MATH"})
    unknown = client.get(path, query_string={"faculty": "NOPE", "programme": "PHD-MATH"})
    assert outside.status_code == unknown.status_code == 404
    assert _text(outside, "NV") == _text(unknown, "NOPE")
    assert "is not in faculty" not in outside.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/coordinator/", "/api/v1/stats"])
def test_a_code_out_of_scope_is_recorded_as_refused(org, login, client, path):
    login(org["programme_coord"])
    client.get(path, query_string={"programme": "PHD-MATH"})
    refused = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "access_refused")
    ).all()
    assert len(refused) == 1


@pytest.mark.parametrize("path", PATHS)
def test_an_administrator_gets_the_precise_answers(org, login, client, path):
    login(org["admin"])
    unknown = client.get(path, query_string={"programme": "NOPE"})
    mismatch = client.get(path, query_string={"faculty": "NV", "programme": "PHD-CS"})
    # The dashboard shows the faculty's figures instead, with a note that says why.
    told = 200 if path == "/coordinator/" else 400
    assert (unknown.status_code, mismatch.status_code) == (404, told)
    if _kind(path) != "file":
        assert "There is no programme with the code NOPE." in unknown.get_data(as_text=True)
        assert "Programme PHD-CS is not in faculty NV." in mismatch.get_data(as_text=True)
        assert "that you may see" not in unknown.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/coordinator/", "/api/v1/stats"])
def test_a_mismatch_between_two_visible_codes_is_told(org, login, client, path):
    login(org["both"])
    response = client.get(path, query_string={"faculty": "NV", "programme": "PHD-CS"})
    assert response.status_code == (200 if path == "/coordinator/" else 400)
    assert "Programme PHD-CS is not in faculty NV." in response.get_data(as_text=True)


def test_codes_match_ignoring_case_and_spaces(org, login, client):
    login(org["faculty_coord"])
    response = client.get("/api/v1/stats", query_string={"faculty": " ie ", "programme": "phd-cs"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["filters"] == {"faculty": "IE", "programme": "PHD-CS"}
    page = client.get("/coordinator/lists/candidates", query_string={"programme": "Phd-Ee"})
    assert page.status_code == 200


@pytest.mark.parametrize("path", PATHS)
def test_codes_in_scope_are_served(org, login, client, path):
    login(org["both"])
    response = client.get(path, query_string={"programme": "PHD-MATH"})
    assert response.status_code == 200


def test_the_command_line_matches_codes_the_same_way(org, runner):
    result = runner.invoke(args=["stats", "--json", "--faculty", "ie", "--programme", " Phd-Cs "])
    assert result.exit_code == 0, result.output
    assert '"programme": "PHD-CS"' in result.output and '"faculty": "IE"' in result.output
