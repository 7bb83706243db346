"""history time covering: which plans were approved by a date, from the index alone

The activities of a past date ask which plans had been approved by then (a version
approving them, effective before the day's end). The time index of 0014 found those
versions but read each one's row for its event and plan; with both in the index the
question is answered from it alone (the replayed document a year back: the activities
statement 71 → 45 ms on SQLite at 20,000 enrolments). The index still answers 0014's
"is anything recorded after a date?".

Revision ID: 6c1d4e8a2f90
Revises: 5b9e3c7d1a24
Create Date: 2026-11-30 23:50:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '6c1d4e8a2f90'
down_revision = '5b9e3c7d1a24'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_plan_version_effective_at', table_name='plan_version')
    op.create_index(
        'ix_plan_version_effective_at',
        'plan_version',
        ['effective_at', 'event', 'plan_id'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_plan_version_effective_at', table_name='plan_version')
    op.create_index('ix_plan_version_effective_at', 'plan_version', ['effective_at'], unique=False)
