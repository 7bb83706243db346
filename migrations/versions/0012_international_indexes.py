"""international indexes: covering indexes for the activity, funding and destination figures

The activity statistics read each activity's enrolment, status, date and types; the
funding and destination figures read the qualifying stays (completed, ended by the
as-of date) with their dates, country, funding source and host, and the stays ahead
with their approved values. All are answered with index-only scans on SQLite, as the
stay counting is (migration 0002).

Revision ID: 8d2b6f0c4e17
Revises: 594ff16e45d3
Create Date: 2026-12-03 12:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '8d2b6f0c4e17'
down_revision = '594ff16e45d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_activity_counting', 'activity',
        ['enrolment_id', 'status', 'done_on', 'type', 'approved_type'], unique=False,
    )
    op.create_index(
        'ix_stay_abroad', 'stay',
        ['status', 'end_date', 'start_date', 'country', 'funding', 'host_institution',
         'approved_country', 'approved_start_date', 'approved_end_date', 'enrolment_id'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_stay_abroad', table_name='stay')
    op.drop_index('ix_activity_counting', table_name='activity')
