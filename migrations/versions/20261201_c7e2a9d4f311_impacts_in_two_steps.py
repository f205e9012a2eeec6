"""impacts in two steps: what will be done to find out an unknown impact, a version per impact

Revision ID: c7e2a9d4f311
Revises: b41d9e2c7a18
Create Date: 2026-12-01 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7e2a9d4f311'
down_revision = 'b41d9e2c7a18'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('impacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('finding_out', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('impacts', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('finding_out')
