"""Reading assessments, their templates and the characteristic register."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from eia.accounts.models import User
from eia.assessments.models import Characteristic, Eia, EiaKind, FormTemplate, Impact, Mitigation
from eia.errors import NotFound
from eia.extensions import db
from eia.template_filters import format_date
from forms.definitions import Section


def latest_template(kind: EiaKind) -> FormTemplate | None:
    return db.session.execute(
        select(FormTemplate).where(FormTemplate.kind == kind).order_by(FormTemplate.version.desc()).limit(1)
    ).scalar_one_or_none()


def templates() -> list[FormTemplate]:
    return list(db.session.execute(select(FormTemplate).order_by(FormTemplate.kind, FormTemplate.version)).scalars())


def eia_or_404(reference: str) -> Eia:
    """The EIA with its sections, impacts and mitigations loaded in a fixed number of queries."""
    eia = db.session.execute(
        select(Eia)
        .where(Eia.reference == reference.upper())
        .options(
            selectinload(Eia.sections),
            selectinload(Eia.impacts).selectinload(Impact.characteristic),
            selectinload(Eia.mitigations).selectinload(Mitigation.characteristic),
            selectinload(Eia.comments),
            selectinload(Eia.template),
            selectinload(Eia.service_area),
        )
    ).scalar_one_or_none()
    if eia is None:
        raise NotFound(f"There is no equality impact assessment {reference}.")
    return eia


def characteristics(active_only: bool = False) -> list[Characteristic]:
    query = select(Characteristic).order_by(Characteristic.position, Characteristic.id)
    if active_only:
        query = query.where(Characteristic.is_active.is_(True))
    return list(db.session.execute(query).scalars())


def characteristic_or_404(characteristic_id: int) -> Characteristic:
    characteristic = db.session.get(Characteristic, characteristic_id)
    if characteristic is None:
        raise NotFound("There is no such characteristic.")
    return characteristic


def characteristics_for(eia: Eia) -> list[Characteristic]:
    """The active characteristics plus any this EIA already assessed (a register change never hides
    what was written)."""
    assessed = {impact.characteristic_id for impact in eia.impacts}
    return [c for c in characteristics() if c.is_active or c.id in assessed]


def people_choices() -> list[tuple[str, str]]:
    """Enabled people, for 'user' questions and mitigation owners."""
    rows = db.session.execute(
        select(User.id, User.name, User.email).where(User.is_enabled.is_(True)).order_by(func.lower(User.name))
    ).all()
    return [(str(row.id), f"{row.name} ({row.email})") for row in rows]


def user_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {row.id: row.name for row in db.session.execute(select(User.id, User.name).where(User.id.in_(ids)))}


def count_eias() -> Select[tuple[int]]:
    return select(func.count()).select_from(Eia)


def readable_answers(section: Section, answers: dict[str, Any]) -> dict[str, str]:
    """Each answer as a person reads it: choice labels, dates written out, people by name."""
    people = user_names({int(answers[q.key]) for q in section.questions if q.type == "user" and answers.get(q.key)})
    texts = {}
    for question in section.questions:
        value = answers.get(question.key)
        if question.type == "date" and value:
            texts[question.key] = format_date(date.fromisoformat(value))
        elif question.type == "user" and value:
            texts[question.key] = people.get(int(value), "")
        else:
            texts[question.key] = question.display(value)
    return texts
