"""the decision each assessment informs, and the reviewer it is assigned to

Revision ID: d5a8c3b1e902
Revises: a6713de1a6fe
Create Date: 2026-12-01 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5a8c3b1e902'
down_revision = 'a6713de1a6fe'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('decision_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('eia_id', sa.Integer(), nullable=False),
    sa.Column('is_key_decision', sa.Boolean(), nullable=True),
    sa.Column('forward_plan_reference', sa.String(length=100), nullable=False),
    sa.Column('deciding_body', sa.Enum('cabinet', 'committee', 'council', 'officer', name='decidingbody', native_enum=False, create_constraint=False, length=32), nullable=True),
    sa.Column('body_name', sa.String(length=200), nullable=False),
    sa.Column('decision_maker_id', sa.Integer(), nullable=True),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('report_reference', sa.String(length=300), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.Enum('as_proposed', 'amended', 'rejected', 'deferred', name='decisionoutcome', native_enum=False, create_constraint=False, length=32), nullable=True),
    sa.Column('minutes_reference', sa.String(length=300), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decision_maker_id'], ['users.id'], name=op.f('fk_decision_records_decision_maker_id_users')),
    sa.ForeignKeyConstraint(['eia_id'], ['eias.id'], name=op.f('fk_decision_records_eia_id_eias'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_decision_records_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_records')),
    sa.UniqueConstraint('eia_id', name=op.f('uq_decision_records_eia_id'))
    )
    with op.batch_alter_table('decision_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_records_decision_maker_id'), ['decision_maker_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_records_planned_on'), ['planned_on'], unique=False)
    with op.batch_alter_table('eias', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewer_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_eias_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_eias_reviewer_id_users'), 'users', ['reviewer_id'], ['id'])


def downgrade():
    with op.batch_alter_table('eias', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_eias_reviewer_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_eias_reviewer_id'))
        batch_op.drop_column('reviewer_id')
    with op.batch_alter_table('decision_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_records_planned_on'))
        batch_op.drop_index(batch_op.f('ix_decision_records_decision_maker_id'))
    op.drop_table('decision_records')
