"""an index on when each assessment last changed, so lists read the newest first without sorting them all

Revision ID: b7d2e4f9a351
Revises: f3a1c6d8e245
Create Date: 2026-12-01 12:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7d2e4f9a351'
down_revision = 'f3a1c6d8e245'
branch_labels = None
depends_on = None


def upgrade():
    # The assessments list and GET /api/v1/eias/ sorted all 10,000 rows for a page of 25.
    with op.batch_alter_table('eias', schema=None) as batch_op:
        batch_op.create_index('ix_eias_updated_at_id', ['updated_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('eias', schema=None) as batch_op:
        batch_op.drop_index('ix_eias_updated_at_id')
