"""Human-readable, translated names for the domain's enumerations."""

from enum import Enum

from flask_babel import lazy_gettext as _l

from tracker.domain.vocabulary import (
    ActivityStatus,
    ActivityType,
    EnrolmentKind,
    EnrolmentStatus,
    Funding,
    PlanEvent,
    PlanState,
    PlanStatus,
    StayPurpose,
    StayStatus,
)

# Members of different enumerations may share a value, and then compare equal (they are
# strings: EnrolmentStatus.WITHDRAWN == PlanEvent.WITHDRAWN): a list of pairs, not a dict.
LABELS: list[tuple[Enum, object]] = [
    (EnrolmentKind.PHD, _l("PhD")),
    (EnrolmentKind.POSTDOC, _l("Postdoc")),
    (EnrolmentKind.STAFF, _l("New staff")),  # new permanent academic staff (DESIGN §2)
    (EnrolmentStatus.ACTIVE, _l("Active")),
    (EnrolmentStatus.COMPLETED, _l("Completed")),
    (EnrolmentStatus.WITHDRAWN, _l("Withdrawn")),
    (PlanStatus.DRAFT, _l("Draft")),
    (PlanStatus.SUBMITTED, _l("Submitted")),
    (PlanStatus.CHANGES_REQUESTED, _l("Changes requested")),
    (PlanStatus.APPROVED, _l("Approved")),
    (PlanState.DRAFT, _l("Draft")),
    (PlanState.SUBMITTED, _l("Submitted")),
    (PlanState.CHANGES_REQUESTED, _l("Changes requested")),
    (PlanState.APPROVED, _l("Approved")),
    (PlanState.REVISION, _l("Approved — revision in progress")),
    (StayStatus.PLANNED, _l("Planned")),
    (StayStatus.COMPLETED, _l("Completed")),
    (StayStatus.CANCELLED, _l("Cancelled")),
    (StayPurpose.RESEARCH_STAY, _l("Research stay")),
    (StayPurpose.FIELDWORK, _l("Fieldwork")),
    (Funding.OVERSEAS_RESEARCH_GRANT, _l("Overseas research grant")),
    (Funding.ERASMUS_PLUS, _l("Erasmus+")),
    (Funding.INSTITUTION, _l("Institution")),
    (Funding.HOST, _l("Host institution")),
    (Funding.OWN_PROJECT, _l("Own project")),
    (Funding.OTHER, _l("Other")),
    (Funding.NONE, _l("None")),
    (ActivityType.CONFERENCE, _l("Conference")),
    (ActivityType.PUBLICATION, _l("Publication")),
    (ActivityType.COLLABORATION, _l("Collaboration")),
    (ActivityType.COURSE, _l("Course or summer school abroad")),
    (ActivityType.CO_SUPERVISION, _l("Co-supervision")),
    (ActivityType.OTHER, _l("Other")),
    (ActivityStatus.PLANNED, _l("Planned")),
    (ActivityStatus.DONE, _l("Done")),
    (PlanEvent.SUBMITTED, _l("Submitted")),
    (PlanEvent.APPROVED, _l("Approved")),
    (PlanEvent.CHANGES_REQUESTED, _l("Changes requested")),
    (PlanEvent.REVISION_STARTED, _l("Revision started")),
    (PlanEvent.IMPORTED, _l("Imported")),
    (PlanEvent.WITHDRAWN, _l("Withdrawn by the candidate")),
]

NO_PLAN = _l("No plan yet")


_BY_KIND: dict[tuple[type, str], object] = {
    (type(member), member.value): text for member, text in LABELS
}


def label(value: Enum | None) -> str:
    """Return the translated name of an enumeration member; no plan for None."""
    if value is None:
        return str(NO_PLAN)
    return str(_BY_KIND.get((type(value), value.value), value.value))


def choices(enum_class: type[Enum]) -> list[tuple[str, str]]:
    """Return (value, label) pairs of an enumeration, for select fields."""
    return [(member.value, label(member)) for member in enum_class]
