"""plan withdrawals: a candidate may take a submission back, recorded as "withdrawn"

The version history's event column gains the value "withdrawn". SQLite keeps a CHECK
constraint only in the table's definition, so there the table is rebuilt; doing so
drops the old table, which (foreign keys on) would set every plan's pointer to its
approved version to NULL, so the pointers are read first and written back after.

Revision ID: 3f7a2c91d5e8
Revises: ae60ec746c99
Create Date: 2026-12-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f7a2c91d5e8'
down_revision = 'ae60ec746c99'
branch_labels = None
depends_on = None

OLD_EVENTS = ('submitted', 'approved', 'changes_requested', 'revision_started', 'imported')
NEW_EVENTS = OLD_EVENTS + ('withdrawn',)
CONSTRAINT = 'ck_plan_version_planevent'
NAMING = {
    'ix': 'ix_%(column_0_label)s',
    'uq': 'uq_%(table_name)s_%(column_0_name)s',
    'ck': 'ck_%(table_name)s_%(constraint_name)s',
    'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s',
    'pk': 'pk_%(table_name)s',
}


def _plan_version(events):
    """Return the plan_version table as migration 0001 made it, with these event values."""
    return sa.Table(
        'plan_version',
        sa.MetaData(naming_convention=NAMING),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('event', sa.Enum(*events, name='planevent', native_enum=False,
                                   create_constraint=True, length=32), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('snapshot', sa.JSON(), nullable=False),
        sa.Column('snapshot_sha256', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'],
                                name='fk_plan_version_actor_id_user_account', ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['plan_id'], ['plan.id'],
                                name='fk_plan_version_plan_id_plan', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_plan_version'),
        sa.UniqueConstraint('plan_id', 'number', 'event', name='uq_plan_version_event'),
        sa.Index('ix_plan_version_plan_id', 'plan_id'),
    )


def _allow(events):
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        op.drop_constraint(op.f(CONSTRAINT), 'plan_version', type_='check')
        listed = ', '.join(f"'{event}'" for event in events)
        op.create_check_constraint(op.f(CONSTRAINT), 'plan_version', f'event IN ({listed})')
        return
    plan = sa.table('plan', sa.column('id', sa.Integer()),
                    sa.column('approved_version_id', sa.Integer()))
    pointers = bind.execute(
        sa.select(plan.c.id, plan.c.approved_version_id)
        .where(plan.c.approved_version_id.is_not(None))
    ).all()
    with op.batch_alter_table('plan_version', copy_from=_plan_version(events),
                              recreate='always'):
        pass
    for plan_id, version_id in pointers:
        bind.execute(plan.update().where(plan.c.id == plan_id)
                     .values(approved_version_id=version_id))


def upgrade():
    _allow(NEW_EVENTS)


def downgrade():
    # A withdrawal becomes what it undid: the history no longer shows it.
    op.execute(sa.text("DELETE FROM plan_version WHERE event = 'withdrawn'"))
    _allow(OLD_EVENTS)
