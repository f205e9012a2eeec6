"""the characteristic register's wording for form v2: the bereaved in the armed forces community, the
care leavers the law defines, and marriage and civil partnership in employment only

Revision ID: e3f1a7c9d402
Revises: e8b4f2a7c913
Create Date: 2026-12-01 09:00:00

Only descriptions still as first written are changed (a council may have reworded its own), and the
downgrade puts back only the ones still as this revision wrote them.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e3f1a7c9d402"
down_revision = "e8b4f2a7c913"
branch_labels = None
depends_on = None

WORDING = [
    (
        "armed_forces",
        "Serving members, reservists, veterans and their families.",
        "Serving members of the regular and reserve forces, veterans, their families, and the bereaved.",
    ),
    (
        "care_experience",
        "People who are or have been in care, including care leavers.",
        "Children in care; eligible, relevant, former relevant and qualifying care leavers; and adults who "
        "were in care as children.",
    ),
    (
        "marriage_civil_partnership",
        "People who are married or in a civil partnership (in employment).",
        "People who are married or in a civil partnership: protected only in employment, and only for the "
        "first aim of the duty (ending unlawful discrimination).",
    ),
    (
        "socio_economic",
        "People on low incomes or living in deprived areas.",
        "People on low incomes or living in deprived areas. The council considers this by choice: the "
        "socio-economic duty does not apply to councils in England.",
    ),
]

characteristics = sa.table("characteristics", sa.column("key", sa.String), sa.column("description", sa.Text))


def _reword(pairs):
    for key, old, new in pairs:
        op.execute(
            characteristics.update()
            .where(characteristics.c.key == key, characteristics.c.description == old)
            .values(description=new)
        )


def upgrade():
    _reword(WORDING)


def downgrade():
    _reword([(key, new, old) for key, old, new in WORDING])
