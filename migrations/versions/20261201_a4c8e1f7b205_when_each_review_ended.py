"""when the equalities team ended the review of each assessment's latest submission (approved or returned it)

Revision ID: a4c8e1f7b205
Revises: b7d2e4f9a351
Create Date: 2026-12-01 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4c8e1f7b205'
down_revision = 'b7d2e4f9a351'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('eias', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True))
    eias = sa.table(
        'eias',
        sa.column('id', sa.Integer()),
        sa.column('submitted_at', sa.DateTime(timezone=True)),
        sa.column('approved_at', sa.DateTime(timezone=True)),
        sa.column('reviewed_at', sa.DateTime(timezone=True)),
    )
    comments = sa.table(
        'review_comments',
        sa.column('eia_id', sa.Integer()),
        sa.column('transition', sa.String(40)),
        sa.column('created_at', sa.DateTime(timezone=True)),
    )
    # A review ended when the submission was approved, or else when it was returned (a return always
    # carries its comment).
    op.execute(
        eias.update()
        .where(eias.c.approved_at.is_not(None), eias.c.approved_at >= eias.c.submitted_at)
        .values(reviewed_at=eias.c.approved_at)
    )
    returned = (
        sa.select(sa.func.min(comments.c.created_at))
        .where(
            comments.c.eia_id == eias.c.id,
            comments.c.transition == 'return',
            comments.c.created_at >= eias.c.submitted_at,
        )
        .scalar_subquery()
    )
    op.execute(
        eias.update()
        .where(eias.c.reviewed_at.is_(None), eias.c.submitted_at.is_not(None))
        .values(reviewed_at=returned)
    )


def downgrade():
    with op.batch_alter_table('eias', schema=None) as batch_op:
        batch_op.drop_column('reviewed_at')
