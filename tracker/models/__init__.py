"""The data model (DESIGN §2), one module per entity."""

from tracker.models.activity import Activity
from tracker.models.audit import AuditEntry, SentReminder
from tracker.models.base import Base
from tracker.models.enrolment import Enrolment, co_supervision
from tracker.models.identity import ExternalIdentity
from tracker.models.organisation import Faculty, Programme
from tracker.models.outbox import OutboxMessage
from tracker.models.plan import Plan, PlanVersion
from tracker.models.report import ReportJob
from tracker.models.stay import Stay
from tracker.models.stay_approval import StayApproval
from tracker.models.upload import PendingUpload
from tracker.models.user import CoordinatorScope, User

__all__ = [
    "Activity",
    "AuditEntry",
    "Base",
    "CoordinatorScope",
    "Enrolment",
    "ExternalIdentity",
    "Faculty",
    "OutboxMessage",
    "PendingUpload",
    "Plan",
    "Programme",
    "ReportJob",
    "PlanVersion",
    "SentReminder",
    "Stay",
    "StayApproval",
    "User",
    "co_supervision",
]
