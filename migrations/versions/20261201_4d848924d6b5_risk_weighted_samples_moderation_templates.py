"""risk-weighted samples (strata), moderated scorings, "not applicable" criterion scores, form template versions published by an administrator

Revision ID: 4d848924d6b5
Revises: f3a9c2d7b614
Create Date: 2026-12-01 08:50:05

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d848924d6b5'
down_revision = 'f3a9c2d7b614'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quality_moderations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('score_id', sa.Integer(), nullable=False),
    sa.Column('agrees', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('max_points', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Enum('good', 'requires_improvement', 'inadequate', name='rating', native_enum=False, length=32), nullable=False),
    sa.Column('moderated_by_id', sa.Integer(), nullable=False),
    sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['moderated_by_id'], ['users.id'], name=op.f('fk_quality_moderations_moderated_by_id_users')),
    sa.ForeignKeyConstraint(['score_id'], ['quality_scores.id'], name=op.f('fk_quality_moderations_score_id_quality_scores'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_moderations')),
    sa.UniqueConstraint('score_id', name=op.f('uq_quality_moderations_score_id'))
    )
    with op.batch_alter_table('quality_moderations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quality_moderations_moderated_at'), ['moderated_at'], unique=False)

    op.create_table('moderated_criterion_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('moderation_id', sa.Integer(), nullable=False),
    sa.Column('criterion', sa.String(length=40), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.CheckConstraint('score BETWEEN 0 AND 2', name=op.f('ck_moderated_criterion_scores_moderated_score_range')),
    sa.ForeignKeyConstraint(['moderation_id'], ['quality_moderations.id'], name=op.f('fk_moderated_criterion_scores_moderation_id_quality_moderations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderated_criterion_scores')),
    sa.UniqueConstraint('moderation_id', 'criterion', name=op.f('uq_moderated_criterion_scores_moderation_id_criterion'))
    )
    with op.batch_alter_table('moderated_criterion_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderated_criterion_scores_moderation_id'), ['moderation_id'], unique=False)

    with op.batch_alter_table('criterion_scores', schema=None) as batch_op:
        batch_op.alter_column('score',
               existing_type=sa.INTEGER(),
               nullable=True)

    with op.batch_alter_table('form_templates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_text', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('published_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_form_templates_published_by_id_users'), 'users', ['published_by_id'], ['id'])
    # Every version loaded before publishing existed was in use as soon as it was loaded.
    op.execute("UPDATE form_templates SET published_at = loaded_at")

    with op.batch_alter_table('samples', schema=None) as batch_op:
        batch_op.add_column(sa.Column('strata', sa.JSON(), server_default='[]', nullable=False))



def downgrade():
    with op.batch_alter_table('samples', schema=None) as batch_op:
        batch_op.drop_column('strata')

    with op.batch_alter_table('form_templates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_form_templates_published_by_id_users'), type_='foreignkey')
        batch_op.drop_column('published_by_id')
        batch_op.drop_column('published_at')
        batch_op.drop_column('source_text')

    # Version 1 has no "not applicable": such scores cannot survive a downgrade.
    op.execute("DELETE FROM criterion_scores WHERE score IS NULL")
    with op.batch_alter_table('criterion_scores', schema=None) as batch_op:
        batch_op.alter_column('score',
               existing_type=sa.INTEGER(),
               nullable=False)

    with op.batch_alter_table('moderated_criterion_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderated_criterion_scores_moderation_id'))

    op.drop_table('moderated_criterion_scores')
    with op.batch_alter_table('quality_moderations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quality_moderations_moderated_at'))

    op.drop_table('quality_moderations')
