"""Every member of every enumeration reads as its own label, also when another enumeration
has a member with the same value (EnrolmentStatus.WITHDRAWN and PlanEvent.WITHDRAWN)."""

from tracker.domain.vocabulary import EnrolmentStatus, PlanEvent, StayStatus
from tracker.labels import LABELS, label


def test_each_member_has_its_own_label(app):
    with app.test_request_context():
        for member, text in LABELS:
            assert label(member) == str(text), member
        assert label(EnrolmentStatus.WITHDRAWN) == "Withdrawn"
        assert label(PlanEvent.WITHDRAWN) == "Withdrawn by the candidate"
        assert label(StayStatus.COMPLETED) == "Completed"
