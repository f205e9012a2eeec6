"""What an author goes through to write the demo's "Library opening hours" assessment: the pages they
pass through and the answers they give, in the first design's layout and in today's.

The first design: one page per section; on the impacts page every characteristic asked its direction,
the real effect, who exactly, the severity and the evidence (a neutral one too); submitting was one
click. Today: a long section is asked over a few pages (forms.sections.section_parts); the impacts in
two steps (a direction for each group, with a line of reason for a neutral one, then a page for each
one that is not neutral, then the effects across groups); Check your answers and the declaration.
Both count the same answers of the same assessment, written by `eia demo`; a task list between
sections, the mitigations' own pages and "Have you completed this section?" count the same in both.

    .venv/bin/python bench/author_effort.py
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select

from eia import create_app
from eia.assessments import queries
from eia.assessments.models import Direction, Eia
from eia.auditlog.services import command_line_actor
from eia.demo.council import load_demo_council
from eia.extensions import db
from eia.working_days import uk_today
from forms.sections import section_parts

TITLE = "Library opening hours"
EMPTY = (None, "", [])
#: The first design's impacts page asked these of every characteristic.
FIRST_DESIGN_IMPACT_FIELDS = ("direction", "description", "who_affected", "severity", "evidence")


@dataclass
class Effort:
    pages: int = 0
    fields: int = 0

    def add(self, pages: int, fields: int) -> None:
        self.pages += pages
        self.fields += fields


def count(eia: Eia) -> tuple[Effort, Effort]:
    """(the first design, today) for *eia*."""
    before, after = Effort(), Effort()
    characteristics = queries.characteristics_for(eia)
    impacts = {impact.characteristic_id: impact for impact in eia.impacts}
    for section in eia.form.sections:
        if not eia.need_of(section)[0]:
            continue
        answers = eia.answers(section.key)
        # its answers, and "Have you completed this section?"
        answered = sum(1 for q in section.questions if answers.get(q.key) not in EMPTY) + 1
        before.add(2, answered)  # the section's page and the task list after it
        if section.kind == "impacts":
            before.add(0, len(FIRST_DESIGN_IMPACT_FIELDS) * len(characteristics))
            detailed = [i for c in characteristics if (i := impacts.get(c.id)) is not None and i.needs_detail]
            neutral = sum(1 for c in characteristics if (i := impacts.get(c.id)) and i.direction is Direction.NEUTRAL)
            detail_fields = sum(
                2  # the real effect, who exactly
                + (i.direction is Direction.NEGATIVE)  # the severity
                + (i.direction is Direction.NOT_KNOWN)  # what will be done to find out
                + bool(i.evidence)  # anything else behind it
                for i in detailed
            )
            # the directions, each detail, the effects across groups; and the task list
            after.add(2 + len(detailed) + 1, answered + len(characteristics) + neutral + detail_fields)
        else:
            after.add(len(section_parts(section)) + 1, answered)
        if section.kind == "mitigations":
            for _mitigation in eia.mitigations:  # its own page, five answers, in both
                before.add(1, 5)
                after.add(1, 5)
    after.add(1, 1)  # Check your answers, and the declaration
    return before, after


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'effort.sqlite'}", "SECRET_KEY": "e" * 32}
        )
        with app.app_context():
            upgrade()
            load_demo_council(uk_today(), by=command_line_actor())
            db.session.commit()
            print(f"{'':48}{'pages':>8}{'answers':>10}")
            for eia in db.session.execute(select(Eia).where(Eia.title == TITLE).order_by(Eia.id)).scalars():
                before, after = count(eia)
                name = f"{eia.reference} (form v{eia.template.version})"
                print(f"{name + ', the first design':48}{before.pages:>8}{before.fields:>10}")
                print(f"{name + ', today':48}{after.pages:>8}{after.fields:>10}")
            db.engine.dispose()


if __name__ == "__main__":
    main()
