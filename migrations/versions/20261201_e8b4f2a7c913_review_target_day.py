"""the day each submission's equalities review is due, so lists and the dashboard can filter on it

Revision ID: e8b4f2a7c913
Revises: d5a8c3b1e902
Create Date: 2026-12-01 09:00:00

"""
from datetime import datetime

from alembic import op
import sqlalchemy as sa

from eia.working_days import add_working_days


# revision identifiers, used by Alembic.
revision = 'e8b4f2a7c913'
down_revision = 'd5a8c3b1e902'
branch_labels = None
depends_on = None

TARGET_WORKING_DAYS = 10


def upgrade():
    with op.batch_alter_table('eias', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_target_on', sa.Date(), nullable=True))
    eias = sa.table(
        'eias',
        sa.column('id', sa.Integer()),
        sa.column('submitted_at', sa.DateTime(timezone=True)),
        sa.column('review_target_on', sa.Date()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(eias.c.id, eias.c.submitted_at).where(eias.c.submitted_at.is_not(None))).all()
    for row in rows:
        submitted = row.submitted_at
        if isinstance(submitted, str):
            submitted = datetime.fromisoformat(submitted)
        connection.execute(
            eias.update()
            .where(eias.c.id == row.id)
            .values(review_target_on=add_working_days(submitted.date(), TARGET_WORKING_DAYS))
        )


def downgrade():
    with op.batch_alter_table('eias', schema=None) as batch_op:
        batch_op.drop_column('review_target_on')
