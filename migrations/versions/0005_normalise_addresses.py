"""normalise stored e-mail addresses

Addresses were stored trimmed and lower-cased; the tracker now stores them in the
one normal form of tracker.domain.addresses (NFKC, look-alike dots, IDNA, lower
case). Rows whose normal form would clash with another row's are left as they are
and listed, never merged: an administrator decides which account is whose.

Revision ID: 5e0c1a7d9b42
Revises: db461e7b352b
Create Date: 2026-11-30 09:10:00

"""
import logging

import sqlalchemy as sa
from alembic import op

from tracker.domain.addresses import plan_renormalisation

# revision identifiers, used by Alembic.
revision = '5e0c1a7d9b42'
down_revision = 'db461e7b352b'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
users = sa.table("user_account", sa.column("id", sa.Integer), sa.column("email", sa.String))


def upgrade():
    connection = op.get_bind()
    rows = [tuple(row) for row in connection.execute(sa.select(users.c.id, users.c.email))]
    changes, collisions, invalid = plan_renormalisation(rows)
    for row_id, address in changes.items():
        connection.execute(users.update().where(users.c.id == row_id).values(email=address))
    for group in collisions:
        log.warning(
            "Not normalised, the accounts would share one address: %s. Change or deactivate "
            "all but one under Administration → Users.",
            ", ".join(f"#{row_id} {address!r}" for row_id, address in group),
        )
    for row_id, address in invalid:
        log.warning("Not normalised, not a valid address: #%s %r.", row_id, address)


def downgrade():
    # The earlier spellings are not kept; the normal forms work with the older code too.
    pass
