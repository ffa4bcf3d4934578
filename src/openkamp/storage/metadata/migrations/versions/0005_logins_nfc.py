"""logins in one Unicode form (NFC)

Logins are now stored and looked up in NFC (issue 9, finding 8); a login stored before in another
form (Hangul as jamo, from some keyboards and pasted file names) is rewritten, so that sign-in by
the NFC form finds it. Should two stored logins differ only in their form, the one already in
NFC keeps it and the other is left as it was: a unique login cannot be given to both.

Revision ID: 0005
Revises: 0004
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    users = sa.table("users", sa.column("id", sa.Integer()), sa.column("login", sa.String()))
    conn = op.get_bind()
    rows = conn.execute(sa.select(users.c.id, users.c.login).order_by(users.c.id)).all()
    taken = {login for _, login in rows}
    for user_id, login in rows:
        composed = unicodedata.normalize("NFC", login)
        if composed != login and composed not in taken:
            conn.execute(users.update().where(users.c.id == user_id).values(login=composed))
            taken.discard(login)
            taken.add(composed)


def downgrade() -> None:
    """Nothing to undo: the NFC form signs in as well as the form it replaced."""
