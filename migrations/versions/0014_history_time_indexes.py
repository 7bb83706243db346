"""history time indexes: is anything recorded after a date?

The statistics of a date replay the plans' version histories and the stays' approvals
only when something in them takes effect after that date; otherwise they read the
plans and stays as they stand (tracker.queries.recorded). These indexes answer the
question with three seeks.

Revision ID: 5b9e3c7d1a24
Revises: 47970313c17f
Create Date: 2026-11-30 16:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b9e3c7d1a24'
down_revision = '47970313c17f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_plan_version_effective_at', 'plan_version', ['effective_at'], unique=False)
    op.create_index('ix_stay_approval_valid_from', 'stay_approval', ['valid_from'], unique=False)
    op.create_index('ix_stay_approval_valid_until', 'stay_approval', ['valid_until'], unique=False)


def downgrade():
    op.drop_index('ix_stay_approval_valid_until', table_name='stay_approval')
    op.drop_index('ix_stay_approval_valid_from', table_name='stay_approval')
    op.drop_index('ix_plan_version_effective_at', table_name='plan_version')
