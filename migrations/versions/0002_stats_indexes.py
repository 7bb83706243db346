"""stats indexes: a covering index for counting stays toward the targets

The statistics of DESIGN §4 read, for every stay, its enrolment, status, country,
dates and whether it was in an approved plan. With all of them in one index,
SQLite groups the stays by enrolment with an index-only scan instead of looking
up each row of the table (about 4x faster with 30,000 stays); PostgreSQL can use
it for index-only scans as well.

Revision ID: 7d3f0a91c2b4
Revises: 4c66b6ea3628
Create Date: 2026-11-26 12:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7d3f0a91c2b4'
down_revision = '4c66b6ea3628'
branch_labels = None
depends_on = None

COLUMNS = ['enrolment_id', 'status', 'country', 'start_date', 'end_date', 'in_approved_plan']


def upgrade():
    with op.batch_alter_table('stay', schema=None) as batch_op:
        batch_op.create_index('ix_stay_counting', COLUMNS, unique=False)


def downgrade():
    with op.batch_alter_table('stay', schema=None) as batch_op:
        batch_op.drop_index('ix_stay_counting')
