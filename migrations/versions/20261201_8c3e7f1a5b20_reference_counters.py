"""a counter per year for assessment references, taken atomically

Revision ID: 8c3e7f1a5b20
Revises: 5e1b0c7d2a91
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c3e7f1a5b20'
down_revision = '5e1b0c7d2a91'
branch_labels = None
depends_on = None


def upgrade():
    counters = op.create_table('reference_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_reference_counters'))
    )
    # Carry on from the numbers already given: EIA-2026-0042 (not the -V2 versions of it).
    highest: dict[int, int] = {}
    for (reference,) in op.get_bind().execute(sa.text("SELECT reference FROM eias WHERE previous_id IS NULL")):
        parts = reference.split("-")
        if len(parts) == 3 and parts[0] == "EIA" and parts[1].isdigit() and parts[2].isdigit():
            year, number = int(parts[1]), int(parts[2])
            highest[year] = max(highest.get(year, 0), number)
    if highest:
        op.bulk_insert(counters, [{"year": year, "last_number": number} for year, number in sorted(highest.items())])


def downgrade():
    op.drop_table('reference_counters')
