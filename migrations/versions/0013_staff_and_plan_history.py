"""staff and plan history: enrolment kind "staff", effective times, stays as approved

- The enrolment kind gains "staff" (new permanent academic staff).
- Each entry of a plan's version history gets ``effective_at``, the moment from which
  it counts at an as-of date: when it was made, or for a status moved in by the CSV
  import, 00:00 UTC of the enrolment's start date (DESIGN §4). A plan still waiting on
  such an imported submission is marked submitted from then too.
- ``stay_approval`` keeps each stay as every approved version had it, valid from that
  approval until the next one, filled from the history: the version in force from the
  stays' approved values, earlier ones from their snapshots.

SQLite keeps CHECK constraints and NOT NULL only in a table's definition, so there the
enrolment and plan_version tables are rebuilt. Dropping a table with foreign keys on
would delete every plan, stay and activity of the enrolments (ON DELETE CASCADE) and
unset every plan's approved version (ON DELETE SET NULL), so foreign keys are turned off
for the rebuild, outside any transaction, and checked before they are turned back on.

Revision ID: 47970313c17f
Revises: 8d2b6f0c4e17
Create Date: 2026-11-30 12:00:00.000000

"""
from datetime import UTC, date, datetime, time

from alembic import op
import sqlalchemy as sa

from tracker.sqlite import reading


# revision identifiers, used by Alembic.
revision = '47970313c17f'
down_revision = '8d2b6f0c4e17'
branch_labels = None
depends_on = None

OLD_KINDS = ('phd', 'postdoc')
NEW_KINDS = OLD_KINDS + ('staff',)
KIND_CHECK = 'ck_enrolment_enrolmentkind'
EVENTS = ('submitted', 'approved', 'changes_requested', 'revision_started', 'imported',
          'withdrawn')
IMPORT_COMMENT = 'Imported from a CSV file.'
NAMING = {
    'ix': 'ix_%(column_0_label)s',
    'uq': 'uq_%(table_name)s_%(column_0_name)s',
    'ck': 'ck_%(table_name)s_%(constraint_name)s',
    'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s',
    'pk': 'pk_%(table_name)s',
}

enrolment = sa.table(
    'enrolment',
    sa.column('id', sa.Integer()),
    sa.column('kind', sa.String()),
    sa.column('start_date', sa.Date()),
)
plan = sa.table(
    'plan',
    sa.column('id', sa.Integer()),
    sa.column('enrolment_id', sa.Integer()),
    sa.column('status', sa.String()),
    sa.column('submitted_at', sa.DateTime(timezone=True)),
    sa.column('approved_version_id', sa.Integer()),
)
plan_version = sa.table(
    'plan_version',
    sa.column('id', sa.Integer()),
    sa.column('plan_id', sa.Integer()),
    sa.column('number', sa.Integer()),
    sa.column('event', sa.String()),
    sa.column('comment', sa.Text()),
    sa.column('snapshot', sa.JSON()),
    sa.column('created_at', sa.DateTime(timezone=True)),
    sa.column('effective_at', sa.DateTime(timezone=True)),
)
stay = sa.table(
    'stay',
    sa.column('id', sa.Integer()),
    sa.column('enrolment_id', sa.Integer()),
    sa.column('in_approved_plan', sa.Boolean()),
    sa.column('approved_country', sa.String()),
    sa.column('approved_start_date', sa.Date()),
    sa.column('approved_end_date', sa.Date()),
)


def _enrolment_table(kinds):
    """Return the enrolment table as migration 0001 made it, with these kinds."""
    return sa.Table(
        'enrolment',
        sa.MetaData(naming_convention=NAMING),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum(*kinds, name='enrolmentkind', native_enum=False,
                                  create_constraint=True, length=32), nullable=False),
        sa.Column('status', sa.Enum('active', 'completed', 'withdrawn', name='enrolmentstatus',
                                    native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('expected_end_date', sa.Date(), nullable=True),
        sa.Column('end_date', sa.Date(), nullable=True),
        sa.Column('main_supervisor_id', sa.Integer(), nullable=True),
        sa.Column('international_experience', sa.Boolean(), nullable=False),
        sa.Column('lock_version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status <> 'completed' OR end_date IS NOT NULL",
                           name='completed_has_end_date'),
        sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name='ends_after_start'),
        sa.CheckConstraint('expected_end_date IS NULL OR expected_end_date >= start_date',
                           name='expected_end_after_start'),
        sa.ForeignKeyConstraint(['main_supervisor_id'], ['user_account.id'],
                                name='fk_enrolment_main_supervisor_id_user_account'),
        sa.ForeignKeyConstraint(['person_id'], ['user_account.id'],
                                name='fk_enrolment_person_id_user_account'),
        sa.ForeignKeyConstraint(['programme_id'], ['programme.id'],
                                name='fk_enrolment_programme_id_programme'),
        sa.PrimaryKeyConstraint('id', name='pk_enrolment'),
        sa.UniqueConstraint('person_id', 'kind', 'start_date', name='uq_enrolment_natural_key'),
        sa.Index('ix_enrolment_main_supervisor_id', 'main_supervisor_id'),
        sa.Index('ix_enrolment_person_id', 'person_id'),
        sa.Index('ix_enrolment_programme_id', 'programme_id'),
    )


def _plan_version_table(with_effective_at):
    """Return the plan_version table as migration 0010 left it, with effective_at if asked."""
    extra = [sa.Column('effective_at', sa.DateTime(timezone=True), nullable=True)]
    return sa.Table(
        'plan_version',
        sa.MetaData(naming_convention=NAMING),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('event', sa.Enum(*EVENTS, name='planevent', native_enum=False,
                                   create_constraint=True, length=32), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        *(extra if with_effective_at else []),
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


def _sqlite():
    return op.get_bind().dialect.name == 'sqlite'


def _foreign_keys(on):
    """Turn SQLite's foreign keys on or off; outside a transaction, where the pragma works."""
    # Commands take SQLite's write lock at BEGIN (tracker/sqlite.py), which would open a
    # transaction inside the autocommit block too, where the pragma does nothing.
    with reading(), op.get_context().autocommit_block():
        bind = op.get_bind()
        if on:
            broken = bind.exec_driver_sql('PRAGMA foreign_key_check').all()
            if broken:
                raise RuntimeError(f'foreign keys broken by the rebuild: {broken[:10]}')
        bind.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
        if bind.exec_driver_sql('PRAGMA foreign_keys').scalar() != int(on):
            raise RuntimeError('could not switch SQLite foreign keys; nothing was changed')


def _allow_kinds(kinds):
    if _sqlite():
        with op.batch_alter_table('enrolment', copy_from=_enrolment_table(kinds),
                                  recreate='always'):
            pass
        return
    op.drop_constraint(op.f(KIND_CHECK), 'enrolment', type_='check')
    listed = ', '.join(f"'{kind}'" for kind in kinds)
    op.create_check_constraint(op.f(KIND_CHECK), 'enrolment', f'kind IN ({listed})')


def _midnight(day):
    return datetime.combine(day, time.min, tzinfo=UTC)


def _fill_effective_times(bind):
    """Give every entry its effective time: when made, or the enrolment's start if imported."""
    bind.execute(plan_version.update().values(effective_at=plan_version.c.created_at))
    imported = bind.execute(
        sa.select(plan_version.c.id, enrolment.c.start_date)
        .join(plan, plan.c.id == plan_version.c.plan_id)
        .join(enrolment, enrolment.c.id == plan.c.enrolment_id)
        .where(
            sa.or_(
                plan_version.c.event == 'imported',
                sa.and_(plan_version.c.event == 'submitted',
                        plan_version.c.comment == IMPORT_COMMENT),
            )
        )
    ).all()
    if imported:
        bind.execute(
            plan_version.update()
            .where(plan_version.c.id == sa.bindparam('version_id'))
            .values(effective_at=sa.bindparam('moment')),
            [{'version_id': v, 'moment': _midnight(start)} for v, start in imported],
        )
    # A plan still waiting on its imported submission (the plan's first and, unless the
    # candidate submitted again since, only one) has waited since that time.
    waiting = bind.execute(
        sa.select(plan.c.id, plan_version.c.effective_at)
        .join(plan_version, plan_version.c.plan_id == plan.c.id)
        .where(
            plan.c.status == 'submitted',
            plan_version.c.event == 'submitted',
            plan_version.c.comment == IMPORT_COMMENT,
        )
    ).all()
    submitted_again = set(bind.execute(
        sa.select(plan_version.c.plan_id)
        .where(plan_version.c.event == 'submitted', plan_version.c.comment != IMPORT_COMMENT)
    ).scalars())
    rows = [{'plan_id': p, 'moment': m} for p, m in waiting if p not in submitted_again]
    if rows:
        bind.execute(
            plan.update().where(plan.c.id == sa.bindparam('plan_id'))
            .values(submitted_at=sa.bindparam('moment')),
            rows,
        )


def _parse_day(text):
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _stay_approvals(bind):
    """Return the stay_approval rows the existing history implies."""
    in_force = dict(bind.execute(
        sa.select(plan.c.id, plan.c.approved_version_id)
        .where(plan.c.approved_version_id.is_not(None))
    ).all())
    enrolment_of = dict(bind.execute(sa.select(plan.c.id, plan.c.enrolment_id)).all())
    current = {}
    for row in bind.execute(
        sa.select(stay.c.id, stay.c.enrolment_id, stay.c.approved_country,
                  stay.c.approved_start_date, stay.c.approved_end_date)
        .where(stay.c.in_approved_plan.is_(True))
    ):
        current.setdefault(row.enrolment_id, []).append(row)
    stay_ids = set(bind.execute(sa.select(stay.c.id)).scalars())
    approvals = {}
    for row in bind.execute(
        sa.select(plan_version.c.id, plan_version.c.plan_id, plan_version.c.effective_at,
                  plan_version.c.snapshot)
        .where(plan_version.c.event.in_(('approved', 'imported')))
        .order_by(plan_version.c.plan_id, plan_version.c.id)
    ):
        approvals.setdefault(row.plan_id, []).append(row)
    rows = []
    for plan_id, versions in approvals.items():
        for index, version in enumerate(versions):
            until = versions[index + 1].effective_at if index + 1 < len(versions) else None
            common = {'version_id': version.id, 'valid_from': version.effective_at,
                      'valid_until': until}
            if in_force.get(plan_id) == version.id:
                # The stays' approved values: an import may have corrected them since.
                for s in current.get(enrolment_of[plan_id], []):
                    rows.append({'stay_id': s.id, 'country': s.approved_country,
                                 'start_date': s.approved_start_date,
                                 'end_date': s.approved_end_date, **common})
                continue
            for item in (version.snapshot or {}).get('stays', []):
                try:
                    stay_id = int(item.get('id'))
                except (TypeError, ValueError):
                    continue
                start, end = _parse_day(item.get('start_date')), _parse_day(item.get('end_date'))
                country = str(item.get('country') or '')
                if stay_id in stay_ids and start and end and len(country) == 2:
                    rows.append({'stay_id': stay_id, 'country': country.upper(),
                                 'start_date': start, 'end_date': end, **common})
    return rows


def upgrade():
    sqlite = _sqlite()
    if sqlite:
        _foreign_keys(False)
    _allow_kinds(NEW_KINDS)

    with op.batch_alter_table('plan_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('effective_at', sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    _fill_effective_times(bind)
    with op.batch_alter_table(
        'plan_version', copy_from=_plan_version_table(True) if sqlite else None
    ) as batch_op:
        batch_op.alter_column('effective_at', existing_type=sa.DateTime(timezone=True),
                              nullable=False)
        batch_op.create_index('ix_plan_version_history', ['plan_id', 'event', 'effective_at'],
                              unique=False)

    approvals = op.create_table(
        'stay_approval',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stay_id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('end_date', sa.Date(), nullable=False),
        sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
        sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['stay_id'], ['stay.id'],
                                name=op.f('fk_stay_approval_stay_id_stay'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['version_id'], ['plan_version.id'],
                                name=op.f('fk_stay_approval_version_id_plan_version'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stay_approval')),
        sa.UniqueConstraint('version_id', 'stay_id', name='uq_stay_approval_version_stay'),
    )
    with op.batch_alter_table('stay_approval', schema=None) as batch_op:
        batch_op.create_index(
            'ix_stay_approval_counting',
            ['stay_id', 'valid_from', 'valid_until', 'country', 'start_date', 'end_date'],
            unique=False,
        )
    rows = _stay_approvals(bind)
    if rows:
        op.bulk_insert(approvals, rows)
    if sqlite:
        _foreign_keys(True)


def downgrade():
    bind = op.get_bind()
    staff = bind.execute(
        sa.select(sa.func.count()).select_from(enrolment).where(enrolment.c.kind == 'staff')
    ).scalar()
    if staff:
        raise RuntimeError(
            f'{staff} enrolments are of kind staff, which the older schema cannot hold: '
            'change or delete them first.'
        )
    sqlite = _sqlite()
    if sqlite:
        _foreign_keys(False)
    op.drop_table('stay_approval')
    op.drop_index('ix_plan_version_history', table_name='plan_version')
    with op.batch_alter_table(
        'plan_version', copy_from=_plan_version_table(True) if sqlite else None
    ) as batch_op:
        batch_op.drop_column('effective_at')
    _allow_kinds(OLD_KINDS)
    if sqlite:
        _foreign_keys(True)
