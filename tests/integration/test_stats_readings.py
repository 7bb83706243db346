"""The statistics document read once for the same rows (tracker.queries.sql.KeptReadings):
what changes in the data or the scope's codes shows at once, and no page changes the
document it is given (both databases)."""

import copy
from datetime import date

from flask_babel import force_locale

from tracker import figures
from tracker.domain.vocabulary import EnrolmentKind, StayStatus
from tracker.extensions import db
from tracker.models import Faculty
from tracker.queries import stats
from tracker.queries.comparison import get_compared_statistics
from tracker.queries.scope import Filters, parse_filters
from tracker.reports.cli import Operator

AS_OF = date(2026, 11, 26)


def _fresh(filters: Filters) -> dict:
    """Return the document read from its rows now, past any kept reading."""
    stats.forget_readings()
    return stats.build_statistics(AS_OF, filters, stats.current_settings())


def _achieved(document: dict) -> int:
    return sum(group["achieved"] for group in document["phd"]["by_admission_year"])


def test_the_same_rows_give_the_same_document_and_a_change_a_new_one(
    people, make_user, make_enrolment, make_stay
):
    settings = stats.current_settings()
    first = stats.build_statistics(AS_OF, Filters(), settings)
    assert stats.build_statistics(AS_OF, Filters(), settings) is first
    assert _achieved(first) == 2
    enrolment = make_enrolment(
        make_user("new@example.org"), kind=EnrolmentKind.PHD, start_date=date(2022, 9, 1)
    )
    make_stay(
        enrolment,
        status=StayStatus.COMPLETED,
        start_date=date(2024, 2, 1),
        end_date=date(2024, 5, 31),
    )
    changed = stats.build_statistics(AS_OF, Filters(), settings)
    assert _achieved(changed) == 3
    assert changed == _fresh(Filters())


def test_a_faculty_given_a_new_code_shows_it_at_once(people):
    settings = stats.current_settings()
    before = stats.build_statistics(AS_OF, parse_filters("IE", None), settings)
    faculty = db.session.scalar(db.select(Faculty).where(Faculty.code == "IE"))
    faculty.code = "IEX"
    db.session.commit()
    after = stats.build_statistics(AS_OF, parse_filters("IEX", None), settings)
    assert before["filters"]["faculty"] == "IE"
    assert after["filters"]["faculty"] == "IEX"
    assert after["phd"] == before["phd"]


SCOPES = {"": (None, None), "&faculty=IE": ("IE", None), "&faculty=IE&programme=P1": ("IE", "P1")}


def _documents() -> dict:
    """Return, per scope, its document and its document with the programmes compared."""
    settings = stats.current_settings()
    found = {}
    for scope, codes in SCOPES.items():
        filters = parse_filters(*codes)
        document, compared = get_compared_statistics(Operator(), AS_OF, filters, settings)
        found[scope] = (
            stats.build_statistics(AS_OF, filters, settings),
            document,
            compared.by_programme if compared else None,
        )
    return found


def test_no_page_changes_the_document_it_was_given(people, make_user, login):
    client = login(make_user("admin@example.org", admin=True))
    before = copy.deepcopy(_documents())
    for scope in SCOPES:
        for url in (
            "/coordinator/",
            "/coordinator/statistics.csv",
            "/api/v1/stats",
            "/reports/summary.pdf",
        ):
            response = client.get(f"{url}?as_of={AS_OF.isoformat()}{scope}")
            assert response.status_code == 200, (url, scope)
    # The documents kept, as the pages were given them, are as they were read.
    assert _documents() == before
    stats.forget_readings()
    assert _documents() == before


def test_a_document_s_figures_are_worked_out_once_per_language(people, app):
    document = stats.get_statistics(AS_OF, Filters())
    with app.test_request_context():
        english = figures.page_figures(document, None)
        assert figures.page_figures(document, None)["panels"] is english["panels"]
        with force_locale("nb"):
            norwegian = figures.page_figures(document, None)
        assert norwegian["panels"] is not english["panels"]
        assert norwegian["answers"][0].title != english["answers"][0].title
        # An equal document that is another object is worked out on its own.
        copied = figures.page_figures(copy.deepcopy(document), None)
        assert copied["panels"] is not english["panels"]
        assert copied["answers"] == english["answers"]
