"""Summary PDFs too large to make while the reader waits are made by a background job."""

import re
from datetime import timedelta

import pytest

from tests.integration.test_pdf_summary import institution, pdf_text  # noqa: F401 - fixture
from tests.plan_support import signed_in
from tracker import jobs
from tracker.domain.vocabulary import JobStatus
from tracker.extensions import db
from tracker.models import ReportJob
from tracker.models.base import utcnow
from tracker.services import reports


@pytest.fixture()
def small_threshold(app):
    before = app.config["PDF_BACKGROUND_OVER"]
    app.config["PDF_BACKGROUND_OVER"] = 3
    yield
    app.config["PDF_BACKGROUND_OVER"] = before


def _job() -> ReportJob:
    db.session.expire_all()
    (job,) = db.session.scalars(db.select(ReportJob)).all()
    return job


def _start(client, query: str = "") -> str:
    """Open the summary, ask for it to be prepared; return the address of its page."""
    offer = client.get(f"/reports/summary.pdf{query}")
    assert offer.status_code == 200 and offer.mimetype == "text/html"
    page = offer.get_data(as_text=True)
    assert "This summary is prepared in the background" in page
    fields = dict(re.findall(r'name="(\w+)" type="hidden" value="([^"]*)"', page))
    response = client.post("/reports/summary/jobs", data=fields)
    assert response.status_code == 302
    return response.location


def test_a_large_summary_is_made_in_the_background_for_its_requester(
    institution, small_threshold, isolated_client, make_user  # noqa: F811 - the fixture
):
    admin = signed_in(isolated_client, institution["admin"])
    page_url = _start(admin, "?as_of=2026-11-26")
    # The in-process job ran once the response was out; the page shows the result.
    job = _job()
    assert job.status == JobStatus.DONE and job.total > 3 and job.done == job.total
    assert job.requester_id == institution["admin"].id
    page = admin.get(page_url).get_data(as_text=True)
    assert "The PDF is ready" in page and 'http-equiv="refresh"' not in page
    download = admin.get(f"{page_url}/download")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert "summary-institution-2026-11-26.pdf" in download.headers["Content-Disposition"]
    assert "Otto Olsen" in pdf_text(download.data)

    # Only its requester may follow or download it; another administrator may not.
    other = signed_in(isolated_client, make_user("admin2@example.org", "Bo Admin", admin=True))
    assert other.get(page_url).status_code == 403
    assert other.get(f"{page_url}/download").status_code == 403


def test_a_queued_job_shows_its_progress_and_reloads_itself(
    institution, isolated_client  # noqa: F811
):
    from tracker.queries.scope import Filters

    job = reports.start_summary_job(institution["admin"], Filters(), utcnow().date(), "en")
    db.session.commit()  # queued for when this context ends: not yet run
    admin = signed_in(isolated_client, institution["admin"])
    page = admin.get(f"/reports/jobs/{job.token}").get_data(as_text=True)
    assert "Waiting for its turn" in page and 'http-equiv="refresh"' in page
    jobs.run_pending()
    assert _job().status == JobStatus.DONE


def test_progress_is_written_while_the_pdf_is_made(institution, app):  # noqa: F811
    seen: list[tuple[int, int]] = []
    real = reports._write_progress

    def watch(job_id: int, done: int, total: int) -> None:
        real(job_id, done, total)
        seen.append((done, total))

    from tracker.queries.scope import Filters

    job = reports.start_summary_job(institution["admin"], Filters(), utcnow().date(), "en")
    db.session.commit()
    db.session.info.clear()
    reports._write_progress = watch
    try:
        reports.run_summary_job(job.id)
    finally:
        reports._write_progress = real
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1] == _job().total
    assert [done for done, _total in seen] == sorted(done for done, _total in seen)


def test_a_finished_report_is_removed_after_its_time(institution, app):  # noqa: F811
    from tracker.queries.scope import Filters

    job = reports.start_summary_job(institution["admin"], Filters(), utcnow().date(), "en")
    db.session.commit()
    db.session.info.clear()
    reports.run_summary_job(job.id)
    job = _job()
    assert job.data and job.expires_at.replace(tzinfo=None) > utcnow().replace(tzinfo=None)
    job.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert reports.purge_expired() == 1
    assert db.session.scalars(db.select(ReportJob)).all() == []


def test_a_gone_report_answers_404(institution, small_threshold, isolated_client):  # noqa: F811
    admin = signed_in(isolated_client, institution["admin"])
    page_url = _start(admin)
    job = _job()
    job.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    reports.purge_expired()
    assert admin.get(page_url).status_code == 404
    assert admin.get(f"{page_url}/download").status_code == 404


def test_an_rq_worker_makes_the_pdf(
    institution, small_threshold, isolated_client, runner, redis_url, app  # noqa: F811
):
    app.config["REDIS_URL"] = redis_url
    try:
        admin = signed_in(isolated_client, institution["admin"])
        page_url = _start(admin)
        assert _job().status == JobStatus.QUEUED  # waiting on Redis for a worker
        assert "Waiting for its turn" in admin.get(page_url).get_data(as_text=True)
        result = runner.invoke(args=["worker", "--burst"])
        assert result.exit_code == 0, result.output
    finally:
        app.config["REDIS_URL"] = None
    assert _job().status == JobStatus.DONE
    assert admin.get(f"{page_url}/download").mimetype == "application/pdf"


def test_a_small_summary_still_downloads_at_once(institution, isolated_client):  # noqa: F811
    admin = signed_in(isolated_client, institution["admin"])
    response = admin.get("/reports/summary.pdf?programme=PHD-HIST")
    assert response.mimetype == "application/pdf"
    assert db.session.scalars(db.select(ReportJob)).all() == []


def test_asking_for_a_job_needs_a_post_with_a_valid_scope(institution, isolated_client):  # noqa: F811
    admin = signed_in(isolated_client, institution["admin"])
    assert admin.get("/reports/summary/jobs").status_code == 405
    assert admin.post("/reports/summary/jobs", data={"programme": "NOPE"}).status_code == 404
    assert jobs.JOBS["render_summary"]
