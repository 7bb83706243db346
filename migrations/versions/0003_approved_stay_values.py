"""approved stay values: the statistics read a stay as it stood in the approved version

A revision edits the live stay rows, so a projection that read them changed before
the supervisor approved anything. This adds the country and dates of each stay as
they stood in the approved version in force, fills them for the stays already in an
approved version, checks that they go with in_approved_plan, and rebuilds the
covering index ix_stay_counting on the columns the statistics now read (SQLite keeps
answering them with an index-only scan).

Revision ID: 9b1e4c7d2a60
Revises: 7d3f0a91c2b4
Create Date: 2026-11-27 12:00:00.000000

"""
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9b1e4c7d2a60'
down_revision = '7d3f0a91c2b4'
branch_labels = None
depends_on = None

OLD_COLUMNS = ['enrolment_id', 'status', 'country', 'start_date', 'end_date', 'in_approved_plan']
NEW_COLUMNS = [
    'enrolment_id', 'status', 'country', 'start_date', 'end_date',
    'approved_country', 'approved_start_date', 'approved_end_date',
]
CHECK = (
    "(in_approved_plan AND approved_country IS NOT NULL"
    " AND approved_start_date IS NOT NULL AND approved_end_date IS NOT NULL)"
    " OR (NOT in_approved_plan AND approved_country IS NULL"
    " AND approved_start_date IS NULL AND approved_end_date IS NULL)"
)

stay = sa.table(
    'stay',
    sa.column('id', sa.Integer()),
    sa.column('enrolment_id', sa.Integer()),
    sa.column('in_approved_plan', sa.Boolean()),
    sa.column('country', sa.String()),
    sa.column('start_date', sa.Date()),
    sa.column('end_date', sa.Date()),
    sa.column('approved_country', sa.String()),
    sa.column('approved_start_date', sa.Date()),
    sa.column('approved_end_date', sa.Date()),
)
plan = sa.table(
    'plan',
    sa.column('enrolment_id', sa.Integer()),
    sa.column('status', sa.String()),
    sa.column('approved_version_id', sa.Integer()),
)
plan_version = sa.table(
    'plan_version',
    sa.column('id', sa.Integer()),
    sa.column('snapshot', sa.JSON()),
)


def _restore_from_approved_snapshots(connection):
    """Give the stays of plans being revised their values from the approved version."""
    # Until now a revision edited these stays in place, so their live values may be
    # the draft's. The approved version's snapshot holds what was approved.
    rows = connection.execute(
        sa.select(plan.c.enrolment_id, plan_version.c.snapshot)
        .join(plan_version, plan_version.c.id == plan.c.approved_version_id)
        .where(plan.c.status != 'approved')
    ).all()
    for enrolment_id, snapshot in rows:
        for row in (snapshot or {}).get('stays', []):
            if not (row.get('id') and row.get('country') and row.get('start_date')
                    and row.get('end_date')):
                continue
            connection.execute(
                stay.update()
                .where(
                    stay.c.id == int(row['id']),
                    stay.c.enrolment_id == enrolment_id,
                    stay.c.in_approved_plan.is_(True),
                )
                .values(
                    approved_country=row['country'].upper(),
                    approved_start_date=date.fromisoformat(row['start_date']),
                    approved_end_date=date.fromisoformat(row['end_date']),
                )
            )


def upgrade():
    with op.batch_alter_table('stay', schema=None) as batch_op:
        batch_op.drop_index('ix_stay_counting')
        batch_op.add_column(sa.Column('approved_country', sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column('approved_start_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('approved_end_date', sa.Date(), nullable=True))

    op.execute(
        stay.update()
        .where(stay.c.in_approved_plan.is_(True))
        .values(
            approved_country=stay.c.country,
            approved_start_date=stay.c.start_date,
            approved_end_date=stay.c.end_date,
        )
    )
    _restore_from_approved_snapshots(op.get_bind())

    with op.batch_alter_table('stay', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_stay_approved_values_match_flag'), CHECK)
        batch_op.create_index('ix_stay_counting', NEW_COLUMNS, unique=False)


def downgrade():
    with op.batch_alter_table('stay', schema=None) as batch_op:
        batch_op.drop_index('ix_stay_counting')
        batch_op.drop_constraint(op.f('ck_stay_approved_values_match_flag'), type_='check')
        batch_op.drop_column('approved_end_date')
        batch_op.drop_column('approved_start_date')
        batch_op.drop_column('approved_country')
        batch_op.create_index('ix_stay_counting', OLD_COLUMNS, unique=False)
