"""The one declaration of personal data covers every column, and export and erasure obey it."""

from datetime import date

import pytest
from sqlalchemy import Column, event
from sqlalchemy.sql import visitors

from tests.integration import privacy_story as story
from tests.integration import stats_dataset as data
from tracker.domain.targets import TargetSettings
from tracker.extensions import db
from tracker.models import (
    AuditEntry,
    CoordinatorScope,
    ExternalIdentity,
    PendingUpload,
    PlanVersion,
    ReportJob,
)
from tracker.queries.scope import Filters
from tracker.queries.stats import build_statistics
from tracker.services import privacy
from tracker.services.privacy.catalogue import HOLDERS, KEEP, Kind, holder


def test_every_column_of_every_table_is_classified(app):
    """A new table or column fails here until it is declared personal, statistical or technical."""
    tables = {table.name: table for table in db.metadata.sorted_tables}
    unclassified = [
        f"{name}.{column.name}"
        for name, table in tables.items()
        for column in table.columns
        if name not in HOLDERS or column.name not in HOLDERS[name].rules
    ]
    assert unclassified == [], "declare these in tracker/services/privacy/catalogue.py"
    stale = [
        f"{name}.{column}"
        for name, declared in HOLDERS.items()
        for column in declared.rules
        if name not in tables or column not in tables[name].columns
    ]
    assert stale == []


def test_every_personal_column_is_erased_and_exported_or_excused(app):
    for name, declared in HOLDERS.items():
        for column, rule in declared.rules.items():
            where = f"{name}.{column}"
            assert isinstance(rule.kind, Kind)
            if rule.kind is Kind.PERSONAL:
                # Erasure reaches it: a value of its own, its rows deleted, or a step of its own.
                assert rule.erase is not KEEP or declared.on_erase == "delete" or (
                    declared.erased_by
                ), where
                assert declared.owned is not None or declared.erased_by, where
            if rule.kind is Kind.STATISTICAL:
                assert rule.erase is KEEP, f"{where}: the statistics count it; erasure keeps it"
            if not rule.export:
                assert rule.reason.strip(), f"{where}: say why it is not exported"


def test_the_statistics_read_no_column_that_erasure_changes(app):
    """With the columns they read unchanged, no document at any as-of date can change."""
    data.build()
    statements = []

    def capture(conn, clause, *args):
        statements.append(clause)

    event.listen(db.engine, "before_execute", capture)
    try:
        unit = data.programme()
        for filters in (Filters(), Filters(faculty=unit.faculty), Filters(programme=unit)):
            build_statistics(date(2026, 6, 30), filters, TargetSettings())
    finally:
        event.remove(db.engine, "before_execute", capture)
    read = set()
    for statement in statements:
        for element in visitors.iterate(statement):
            table = getattr(element, "table", None)
            if isinstance(element, Column) and getattr(table, "name", None) in HOLDERS:
                read.add((table.name, element.name))
    assert ("stay", "country") in read and ("enrolment", "start_date") in read
    changed = sorted(
        f"{name}.{column}"
        for name, column in read
        if holder(name).rules[column].erase is not KEEP
        or holder(name).rules[column].kind is Kind.PERSONAL
    )
    assert changed == []


def test_the_export_holds_every_exported_column(
    client, login, make_user, make_programme, make_enrolment
):
    told = story.build(client, login, make_user, make_programme, make_enrolment)
    kari = told["kari"]
    # A role, a report and an upload of her own too, so that every section has a row.
    db.session.add(CoordinatorScope(user=kari, programme=told["programme"]))
    for job in db.session.scalars(db.select(ReportJob)):
        job.requester_id = kari.id
    for upload in db.session.scalars(db.select(PendingUpload)):
        upload.user_id = kari.id
    db.session.add(ExternalIdentity(user=kari, issuer="https://idp.example.org", subject="k1",
                                    linked_by="email", linked_value=kari.email))  # fmt: skip
    db.session.commit()

    document = privacy.build_export(kari)
    missing = []
    for declared in HOLDERS.values():
        if declared.export_as is None:
            continue
        rows = document[declared.export_as]
        rows = [rows] if isinstance(rows, dict) else rows
        assert rows, declared.export_as
        missing += [f"{declared.export_as}.{c}" for c in declared.exported() if c not in rows[0]]
    for key, table in (("audit_entries", AuditEntry), ("decisions", PlanVersion)):
        exported = holder(table.__tablename__).exported()
        if key == "decisions":
            exported = [c for c in exported if not c.startswith("snapshot")]
        rows = document[key] or privacy.build_export(told["supervisor"])[key]
        missing += [f"{key}.{c}" for c in exported if c not in rows[0]]
    assert missing == []
    # Nothing left out of the export by the catalogue appears in it.
    assert "password_hash" not in document["person"]
    assert "session_token" not in document["person"]
    assert all("data" not in row for row in document["reports"] + document["uploads"])


def test_register_refuses_a_table_declared_twice(app):
    with pytest.raises(ValueError, match="declared twice"):
        privacy.register(HOLDERS["stay"])
