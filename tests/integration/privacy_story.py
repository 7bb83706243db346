"""One candidate's whole life in the tracker, leaving personal data in every table it can.

Kari starts as "Kari Zyxwortel" and an administrator renames her (so her old name
and address live on in the audit log); she writes a plan that names her, plans a
stay with a contact and notes, an activity, is asked for changes with a comment,
approved, reports her stay, has it returned with a comment, reports again, and it
is confirmed. E-mails go to her and to her supervisor (naming her), she fails a
log-in and asks for a password link; a coordinator has an upload waiting that
lists her and a summary PDF of her programme. Every distinctive word is in
``NEEDLES``: after an erasure none may be left anywhere in the database.
"""

from datetime import date
from typing import Any

from tests.conftest import PASSWORD
from tracker import jobs
from tracker.domain.vocabulary import (
    ActivityStatus,
    ActivityType,
    Funding,
    JobStatus,
    MailStatus,
    StayPurpose,
)
from tracker.extensions import db
from tracker.models import OutboxMessage, PendingUpload, ReportJob, SentReminder, User
from tracker.models.base import utcnow
from tracker.services import plans, stays

OLD_NAME, OLD_EMAIL = "Kari Zyxwortel", "kari.zyxwortel@example.org"
NAME, EMAIL = "Kari Nordqvist-Zyx", "kari.nordqvist@example.org"
NEEDLES = [
    OLD_NAME,
    OLD_EMAIL,
    NAME,
    EMAIL,
    "Quokka",
    "Wallaby",
    "Rottnest",
    "visa worries",
    "marsupial",
]


def build(client: Any, login: Any, make_user: Any, make_programme: Any, make_enrolment: Any):
    """Play the story and commit; return the people in it."""
    programme = make_programme("PHD-CS", "IE")
    admin = make_user("admin@example.org", "Ada Admin", admin=True)
    supervisor = make_user("supervisor@example.org", "Siri Veileder")
    coordinator = make_user(
        "coordinator@example.org", "Kari Koordinator", coordinator_of=[programme]
    )
    kari = make_user(OLD_EMAIL, OLD_NAME)
    enrolment = make_enrolment(
        kari, programme=programme, supervisor=supervisor, start_date=date(2024, 1, 15)
    )

    # The administrator corrects her name and address on the web (with a network address).
    login(admin)
    response = client.post(
        f"/admin/users/{kari.id}", data={"name": NAME, "email": EMAIL, "active": "y"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    client.post("/auth/logout")
    # She mistypes her password once, then asks for a link (sent at once: a real request).
    client.post("/auth/login", data={"email": EMAIL, "password": "not her password"})
    client.post("/auth/forgot", data={"email": EMAIL})
    db.session.expire_all()

    plan = plans.start_plan(enrolment, kari)
    plans.save_plan(
        plan,
        kari,
        narrative=f"{NAME} will spend spring with the Quokka lab.",
        no_stay_justification="",
        lock_version=plan.lock_version,
    )
    stay = stays.add_stay(
        enrolment,
        kari,
        host_institution="University of Western Australia",
        host_contact="Prof. Wallaby",
        city="Rottnest",
        country="AU",
        start_date=date(2025, 3, 1),
        end_date=date(2025, 5, 31),
        purpose=StayPurpose.RESEARCH_STAY,
        funding=Funding.HOST,
        notes="visa worries",
    )
    plans.add_activity(
        enrolment,
        kari,
        type=ActivityType.CONFERENCE,
        title="A talk on marsupial robotics",
        planned_term="2025 spring",
        status=ActivityStatus.PLANNED,
        evidence="https://doi.org/10.0/marsupial",
    )
    plans.submit_plan(plan, kari)
    plans.request_changes(plan, supervisor, "Add the Quokka budget, please.")
    plans.submit_plan(plan, kari)
    plans.approve_plan(plan, supervisor, f"Well planned, {NAME}.")
    today = date(2026, 1, 10)
    stays.report_stay(
        stay, kari, start_date=date(2025, 3, 1), end_date=date(2025, 5, 31),
        report="Rottnest was wonderful.", lock_version=stay.lock_version, today=today,
    )  # fmt: skip
    stays.return_stay(stay, supervisor, "Which marsupial lab exactly?")
    stays.report_stay(
        stay, kari, start_date=date(2025, 3, 2), end_date=date(2025, 5, 31),
        report="The Quokka lab.", lock_version=stay.lock_version, today=today,
    )  # fmt: skip
    stays.confirm_stay(stay, supervisor)
    db.session.commit()
    jobs.run_pending()  # the notifications are sent (status sent) …
    # … and one more waits unsent.
    db.session.add(
        OutboxMessage(
            recipient_id=kari.id, to_address=EMAIL, subject="Reminder", kind="reminder",
            body=f"Dear {NAME}, your Quokka report.", status=MailStatus.QUEUED,
        )
    )  # fmt: skip
    db.session.add(SentReminder(user_id=kari.id, kind="stay_not_reported", day=today))
    db.session.add(
        PendingUpload(
            token="upload-token", user_id=coordinator.id, kind="enrolments",
            data=f"kind,email,name\nphd,{EMAIL},{NAME}\n".encode(),
        )
    )  # fmt: skip
    db.session.add(
        ReportJob(
            token="report-token", requester_id=coordinator.id, status=JobStatus.DONE,
            params={"faculty_id": None, "programme_id": programme.id, "as_of": "2026-01-10",
                    "locale": "en"},
            total=1, done=1, expires_at=utcnow(), filename="summary.pdf",
            data=f"%PDF listing {NAME}".encode(),
        )
    )  # fmt: skip
    db.session.commit()
    return {
        "kari": kari,
        "admin": admin,
        "supervisor": supervisor,
        "coordinator": coordinator,
        "programme": programme,
        "enrolment": enrolment,
        "stay": stay,
        "plan": plan,
    }


def log_in_fails(client: Any, address: str) -> bool:
    """Return whether logging in with this address and the test password is refused."""
    response = client.post("/auth/login", data={"email": address, "password": PASSWORD})
    return response.status_code != 302


def reload(user: User) -> User:
    """Return the user as the database has it now."""
    db.session.expire_all()
    return db.session.get(User, user.id)
