"""activity done date and approved type: what the activity statistics read

An activity done gets the day it was done (``done_on``: set exactly when the status
is done, within the accepted dates), and every activity the type the approved
version in force gives it (``approved_type``; NULL outside the approved version), as
stays have their approved values. Activities already done get the day they were last
changed, the closest the data can tell; approved types come from each plan's
approved version.

Revision ID: 594ff16e45d3
Revises: 3f7a2c91d5e8
Create Date: 2026-12-03 09:00:00.000000

"""
from datetime import UTC, date, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '594ff16e45d3'
down_revision = '3f7a2c91d5e8'
branch_labels = None
depends_on = None

EARLIEST, LATEST = date(1950, 1, 1), date(2100, 12, 31)
TYPES = ('conference', 'publication', 'collaboration', 'course', 'co_supervision', 'other')
DONE_ON_WHEN_DONE = (
    "(status = 'done' AND done_on IS NOT NULL) OR (status <> 'done' AND done_on IS NULL)"
)
DONE_ON_IN_RANGE = (
    f"done_on IS NULL OR (done_on >= '{EARLIEST.isoformat()}'"
    f" AND done_on <= '{LATEST.isoformat()}')"
)

activity = sa.table(
    'activity',
    sa.column('id', sa.Integer()),
    sa.column('enrolment_id', sa.Integer()),
    sa.column('status', sa.String()),
    sa.column('updated_at', sa.DateTime(timezone=True)),
    sa.column('done_on', sa.Date()),
    sa.column('approved_type', sa.String()),
)
plan = sa.table(
    'plan',
    sa.column('enrolment_id', sa.Integer()),
    sa.column('approved_version_id', sa.Integer()),
)
plan_version = sa.table(
    'plan_version',
    sa.column('id', sa.Integer()),
    sa.column('snapshot', sa.JSON()),
)


def _day(moment):
    """Return the UTC day of a stored time (SQLite hands it back naive, in UTC)."""
    if moment is None:
        return EARLIEST
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return min(max(moment.date(), EARLIEST), LATEST)


def _date_done(connection):
    rows = connection.execute(
        sa.select(activity.c.id, activity.c.updated_at).where(activity.c.status == 'done')
    ).all()
    for activity_id, updated_at in rows:
        connection.execute(
            activity.update().where(activity.c.id == activity_id).values(done_on=_day(updated_at))
        )


def _approved_types(connection):
    rows = connection.execute(
        sa.select(plan.c.enrolment_id, plan_version.c.snapshot)
        .join(plan_version, plan_version.c.id == plan.c.approved_version_id)
    ).all()
    for enrolment_id, snapshot in rows:
        for row in (snapshot or {}).get('activities', []):
            if not (row.get('id') and row.get('type') in TYPES):
                continue
            connection.execute(
                activity.update()
                .where(activity.c.id == int(row['id']), activity.c.enrolment_id == enrolment_id)
                .values(approved_type=row['type'])
            )


def upgrade():
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('done_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('approved_type', sa.String(length=32), nullable=True))
    connection = op.get_bind()
    _date_done(connection)
    _approved_types(connection)
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_activity_done_on_when_done'), DONE_ON_WHEN_DONE)
        batch_op.create_check_constraint(op.f('ck_activity_done_on_in_range'), DONE_ON_IN_RANGE)
        # What sa.Enum(..., name='approvedactivitytype', create_constraint=True) makes.
        listed = ', '.join(f"'{value}'" for value in TYPES)
        batch_op.create_check_constraint(
            op.f('ck_activity_approvedactivitytype'), f'approved_type IN ({listed})'
        )


def downgrade():
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_activity_approvedactivitytype'), type_='check')
        batch_op.drop_constraint(op.f('ck_activity_done_on_in_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_activity_done_on_when_done'), type_='check')
        batch_op.drop_column('approved_type')
        batch_op.drop_column('done_on')
