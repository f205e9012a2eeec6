"""budget rounds and the assessments in each

Revision ID: f3a1c9d27b64
Revises: 4d848924d6b5
Create Date: 2026-12-01 09:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a1c9d27b64'
down_revision = '4d848924d6b5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('budget_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('decision_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_budget_rounds_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_rounds')),
    sa.UniqueConstraint('name', name=op.f('uq_budget_rounds_name'))
    )
    op.create_table('round_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('eia_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_round_proposals_added_by_id_users')),
    sa.ForeignKeyConstraint(['eia_id'], ['eias.id'], name=op.f('fk_round_proposals_eia_id_eias'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['budget_rounds.id'], name=op.f('fk_round_proposals_round_id_budget_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_proposals')),
    sa.UniqueConstraint('eia_id', name=op.f('uq_round_proposals_eia_id'))
    )
    with op.batch_alter_table('round_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_proposals_round_id'), ['round_id'], unique=False)


def downgrade():
    with op.batch_alter_table('round_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_proposals_round_id'))

    op.drop_table('round_proposals')
    op.drop_table('budget_rounds')
