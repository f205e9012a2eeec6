"""what the equalities team writes for a year: the annual report's commentary, the equality information's narrative

Revision ID: f3a9c2d7b614
Revises: e3f1a7c9d402
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a9c2d7b614'
down_revision = 'e3f1a7c9d402'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'year_texts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('report_commentary', 'equality_information', name='textkind', native_enum=False,
                                  create_constraint=False, length=32), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_year_texts_updated_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_year_texts')),
        sa.UniqueConstraint('kind', 'year', name=op.f('uq_year_texts_kind_year')),
    )


def downgrade():
    op.drop_table('year_texts')
