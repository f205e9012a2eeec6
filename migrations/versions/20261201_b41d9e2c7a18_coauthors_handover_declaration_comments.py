"""co-authors, hand-over, the declaration at submission, comments dealt with

Revision ID: b41d9e2c7a18
Revises: 8c3e7f1a5b20
Create Date: 2026-12-01 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b41d9e2c7a18'
down_revision = '8c3e7f1a5b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('eia_coauthors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('eia_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_eia_coauthors_added_by_id_users')),
    sa.ForeignKeyConstraint(['eia_id'], ['eias.id'], name=op.f('fk_eia_coauthors_eia_id_eias'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_eia_coauthors_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eia_coauthors')),
    sa.UniqueConstraint('eia_id', 'user_id', name=op.f('uq_eia_coauthors_eia_id_user_id'))
    )
    with op.batch_alter_table('eia_coauthors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eia_coauthors_eia_id'), ['eia_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_eia_coauthors_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('eias', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handed_over_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('handed_over_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_eias_handed_over_by_id_users'), 'users', ['handed_over_by_id'], ['id'])
    with op.batch_alter_table('eia_snapshots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declaration', sa.Text(), nullable=True))
    with op.batch_alter_table('review_comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dealt_with_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('dealt_with_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reply', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_review_comments_dealt_with_by_id_users'), 'users', ['dealt_with_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('review_comments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_review_comments_dealt_with_by_id_users'), type_='foreignkey')
        batch_op.drop_column('reply')
        batch_op.drop_column('dealt_with_by_id')
        batch_op.drop_column('dealt_with_at')
    with op.batch_alter_table('eia_snapshots', schema=None) as batch_op:
        batch_op.drop_column('declaration')
    with op.batch_alter_table('eias', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_eias_handed_over_by_id_users'), type_='foreignkey')
        batch_op.drop_column('handed_over_by_id')
        batch_op.drop_column('handed_over_at')
    with op.batch_alter_table('eia_coauthors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eia_coauthors_user_id'))
        batch_op.drop_index(batch_op.f('ix_eia_coauthors_eia_id'))
    op.drop_table('eia_coauthors')
