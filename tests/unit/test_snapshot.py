import hashlib
import json
from datetime import date
from types import SimpleNamespace

from tracker.domain.snapshot import (
    FieldChange,
    build_snapshot,
    canonical_json,
    diff_snapshots,
    snapshot_digest,
)
from tracker.domain.vocabulary import (
    ActivityStatus,
    ActivityType,
    Funding,
    StayPurpose,
    StayStatus,
)


def stay(id_, start, **overrides):
    values = {
        "id": id_,
        "host_institution": "ETH Zürich",
        "host_contact": None,
        "city": "Zürich",
        "country": "CH",
        "start_date": start,
        "end_date": date(start.year, start.month, 28),
        "purpose": StayPurpose.RESEARCH_STAY,
        "funding": Funding.OVERSEAS_RESEARCH_GRANT,
        "notes": "",
        "status": StayStatus.PLANNED,
    }
    values.update(overrides)
    return SimpleNamespace(**values)


def activity(id_, title="ICML"):
    return SimpleNamespace(
        id=id_,
        type=ActivityType.CONFERENCE,
        title=title,
        planned_term="2026 summer",
        status=ActivityStatus.PLANNED,
        done_on=None,
        evidence="",
    )


PLAN = SimpleNamespace(narrative="Mobility matters.", no_stay_justification=None)


def test_snapshot_holds_only_strings():
    snapshot = build_snapshot(PLAN, [stay(3, date(2026, 2, 1))], [activity(7)])
    assert snapshot == {
        "narrative": "Mobility matters.",
        "no_stay_justification": "",
        "stays": [
            {
                "id": "3",
                "host_institution": "ETH Zürich",
                "host_contact": "",
                "city": "Zürich",
                "country": "CH",
                "start_date": "2026-02-01",
                "end_date": "2026-02-28",
                "purpose": "research_stay",
                "funding": "overseas_research_grant",
                "notes": "",
                "status": "planned",
            }
        ],
        "activities": [
            {
                "id": "7",
                "type": "conference",
                "title": "ICML",
                "planned_term": "2026 summer",
                "status": "planned",
                "done_on": "",
                "evidence": "",
            }
        ],
    }


def test_rows_are_ordered_whatever_order_they_come_in():
    stays = [stay(9, date(2026, 5, 1)), stay(2, date(2026, 5, 1)), stay(5, date(2026, 1, 1))]
    activities = [activity(11), activity(3)]
    snapshot = build_snapshot(PLAN, stays, activities)
    assert [row["id"] for row in snapshot["stays"]] == ["5", "2", "9"]
    assert [row["id"] for row in snapshot["activities"]] == ["3", "11"]
    again = build_snapshot(PLAN, list(reversed(stays)), list(reversed(activities)))
    assert snapshot_digest(again) == snapshot_digest(snapshot)


def test_canonical_json_sorts_keys_without_spaces_and_keeps_unicode():
    assert canonical_json({"b": "ø", "a": ["x", {"d": "1", "c": "2"}]}) == (
        '{"a":["x",{"c":"2","d":"1"}],"b":"ø"}'.encode()
    )


def test_digest_is_sha256_of_canonical_json():
    snapshot = build_snapshot(PLAN, [stay(3, date(2026, 2, 1))], [])
    expected = hashlib.sha256(
        json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    assert snapshot_digest(snapshot) == expected
    assert snapshot_digest({}) == hashlib.sha256(b"{}").hexdigest()


def test_digest_survives_a_json_round_trip_and_changes_with_content():
    snapshot = build_snapshot(PLAN, [stay(3, date(2026, 2, 1))], [activity(7)])
    assert snapshot_digest(json.loads(json.dumps(snapshot))) == snapshot_digest(snapshot)
    changed = build_snapshot(PLAN, [stay(3, date(2026, 2, 2))], [activity(7)])
    assert snapshot_digest(changed) != snapshot_digest(snapshot)


def test_diff_against_nothing_lists_everything_as_added():
    new = build_snapshot(PLAN, [stay(3, date(2026, 2, 1))], [activity(7)])
    diff = diff_snapshots(None, new)
    assert diff.texts == (FieldChange("narrative", "", "Mobility matters."),)
    assert [(c.kind, c.row["id"]) for c in diff.stays] == [("added", "3")]
    assert [(c.kind, c.row["id"]) for c in diff.activities] == [("added", "7")]
    assert not diff.is_empty


def test_diff_of_equal_snapshots_is_empty():
    snapshot = build_snapshot(PLAN, [stay(3, date(2026, 2, 1))], [activity(7)])
    assert diff_snapshots(snapshot, json.loads(json.dumps(snapshot))).is_empty


def test_diff_lists_added_removed_and_changed_rows_with_their_fields():
    old = build_snapshot(
        PLAN,
        [stay(1, date(2026, 2, 1)), stay(2, date(2026, 6, 1))],
        [activity(7), activity(8, "NeurIPS")],
    )
    new_plan = SimpleNamespace(narrative="Mobility matters.", no_stay_justification="Also this.")
    new = build_snapshot(
        new_plan,
        [
            stay(1, date(2026, 2, 1), end_date=date(2026, 3, 31), country="DK"),
            stay(4, date(2026, 9, 1)),
        ],
        [activity(7), activity(8, "NeurIPS 2026")],
    )
    diff = diff_snapshots(old, new)
    assert diff.texts == (FieldChange("no_stay_justification", "", "Also this."),)
    changed, added, removed = diff.stays
    assert (changed.kind, changed.row["id"], changed.old["id"]) == ("changed", "1", "1")
    assert changed.fields == (
        FieldChange("country", "CH", "DK"),
        FieldChange("end_date", "2026-02-28", "2026-03-31"),
    )
    assert (added.kind, added.row["id"], added.old) == ("added", "4", None)
    assert (removed.kind, removed.row["id"]) == ("removed", "2")
    (title_change,) = diff.activities
    assert title_change.fields == (FieldChange("title", "NeurIPS", "NeurIPS 2026"),)


def test_rows_without_ids_are_matched_by_their_content():
    row = {
        "id": "",
        "type": "course",
        "title": "Summer school",
        "planned_term": "",
        "status": "planned",
        "evidence": "",
    }
    old = {"narrative": "", "no_stay_justification": "", "stays": [], "activities": [row]}
    assert diff_snapshots(old, dict(old)).is_empty
    new = dict(old, activities=[dict(row, title="Winter school")])
    kinds = [c.kind for c in diff_snapshots(old, new).activities]
    assert kinds == ["added", "removed"]
