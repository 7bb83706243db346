"""The words of the domain (DESIGN §2) as enumerations shared by models and rules."""

import enum


class EnrolmentKind(enum.StrEnum):
    PHD = "phd"
    POSTDOC = "postdoc"
    STAFF = "staff"  # new permanent academic staff; start_date is the appointment date


class EnrolmentStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"


class PlanState(enum.StrEnum):
    """How a plan reads to people: its status, and whether an approved version is in force.

    While a revision is drafted, submitted or returned, the approved version still holds
    (and counts): such a plan is "approved, revision in progress", not a draft.
    """

    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REVISION = "revision"


class StayStatus(enum.StrEnum):
    PLANNED = "planned"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class MailStatus(enum.StrEnum):
    """Where a message in the outbox stands."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class JobStatus(enum.StrEnum):
    """Where a report made in the background stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class StayPurpose(enum.StrEnum):
    RESEARCH_STAY = "research_stay"
    FIELDWORK = "fieldwork"


class Funding(enum.StrEnum):
    OVERSEAS_RESEARCH_GRANT = "overseas_research_grant"
    ERASMUS_PLUS = "erasmus_plus"
    INSTITUTION = "institution"
    HOST = "host"
    OWN_PROJECT = "own_project"
    OTHER = "other"
    NONE = "none"


class ActivityType(enum.StrEnum):
    CONFERENCE = "conference"
    PUBLICATION = "publication"
    COLLABORATION = "collaboration"
    COURSE = "course"
    CO_SUPERVISION = "co_supervision"
    OTHER = "other"


class ActivityStatus(enum.StrEnum):
    PLANNED = "planned"
    DONE = "done"


class PlanEvent(enum.StrEnum):
    """What happened to a plan in one entry of its version history."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    REVISION_STARTED = "revision_started"
    IMPORTED = "imported"
    WITHDRAWN = "withdrawn"  # the candidate took a submission back before the decision
