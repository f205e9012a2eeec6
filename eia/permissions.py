"""Who may do what: the one permission check every view and service goes through.

Each action maps to a rule ``(user, obj) -> bool``. An action with no rule is a programming error,
never an implicit allow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from eia.errors import PermissionDenied
from eia.roles import Role

if TYPE_CHECKING:
    from eia.accounts.models import User

Rule = Callable[["User", Any], bool]


def _signed_in(user: User, obj: Any) -> bool:
    return True


def _roles(*roles: Role) -> Rule:
    def rule(user: User, obj: Any) -> bool:
        return user.role in roles

    return rule


def _admin_on_someone_else(user: User, target: Any) -> bool:
    # An administrator cannot disable or demote themselves and so lock everyone out.
    return user.role is Role.ADMIN and target is not None and target.id != user.id


def _sees_eia(user: User, eia: Any) -> bool:
    """The equalities team and admins see every EIA; individual-action EIAs only their author;
    decision makers every other one; service managers those of their service area and their own."""
    if user.role in (Role.EQUALITIES, Role.ADMIN):
        return True
    if eia.is_individual:
        return eia.author_id == user.id
    if user.role is Role.DECISION_MAKER:
        return True
    return user.id in eia.writer_ids or (
        user.service_area_id is not None and eia.service_area_id == user.service_area_id
    )


def _edits_eia(user: User, eia: Any) -> bool:
    """Its author, co-authors and lead officer, and the service managers of its service area; an
    individual-action EIA only its author (the only one outside the equalities team who sees it)."""
    if eia.is_individual:
        return user.id == eia.author_id
    if user.id in eia.writer_ids:
        return True
    return user.role is Role.AUTHOR and not eia.is_individual and eia.service_area_id == user.service_area_id


def works_in_lead(user: User, leads: list[str]) -> bool:
    """Whether *user*'s team or directorate is one of *leads* (by name, ignoring case)."""
    area = user.service_area
    if area is None:
        return False
    names = {area.name.casefold(), *([area.parent.name.casefold()] if area.parent else [])}
    return any(lead.casefold() in names for lead in leads)


def _leads(user: User, action: Any) -> bool:
    """Whether *user* owns the action or works in one of its lead service areas."""
    return (action.owner_id is not None and action.owner_id == user.id) or works_in_lead(user, action.leads)


def _independent(user: User, eia: Any) -> bool:
    """Nobody reviews or signs off an EIA they wrote (as author or co-author) or lead."""
    return user.id not in eia.writer_ids


def _records_decision(user: User, eia: Any) -> bool:
    """Whoever writes it, the equalities team, and decision makers (they record what was decided);
    an individual action only its author and the equalities team."""
    if user.role is Role.EQUALITIES or _edits_eia(user, eia):
        return True
    return user.role in (Role.ADMIN, Role.DECISION_MAKER) and not eia.is_individual


def _owns_eia(user: User, eia: Any) -> bool:
    """Its author, or the equalities team: who adds co-authors, hands it over or abandons it."""
    return user.id == eia.author_id or (user.role is Role.EQUALITIES and not eia.is_individual)


def _reviews(user: User, eia: Any) -> bool:
    return user.role is Role.EQUALITIES and _independent(user, eia)


def _signs_off(user: User, eia: Any) -> bool:
    """Decision makers sign off (the one the decision record names, where it names one);
    individual-action EIAs, which they never see, the equalities team (whoever the record names)."""
    if user.role is not (Role.EQUALITIES if eia.is_individual else Role.DECISION_MAKER) or not _independent(user, eia):
        return False
    named = eia.decision.decision_maker_id if eia.decision is not None and not eia.is_individual else None
    return named is None or named == user.id


def _joins_round(user: User, eia: Any) -> bool:
    """The equalities team puts any assessment of a proposal in a budget round (or takes it out); its
    writers do while it is a draft. Individual actions are never budget proposals."""
    if eia.is_individual:
        return False
    return user.role is Role.EQUALITIES or (user.id in eia.writer_ids and eia.state.is_editable)


RULES: dict[str, Rule] = {
    "home.view": _signed_in,
    "account.view": lambda user, target: target is None or target.id == user.id,
    "account.change_password": lambda user, target: target is None or target.id == user.id,
    "token.manage": _signed_in,  # one's own personal access tokens
    "token.revoke": lambda user, token: token.user_id == user.id or user.role is Role.ADMIN,
    "admin.view": _roles(Role.ADMIN),
    "user.list": _roles(Role.ADMIN),
    "user.create": _roles(Role.ADMIN),
    "user.view": _roles(Role.ADMIN),
    "user.edit": _roles(Role.ADMIN),
    "user.change_role": _admin_on_someone_else,
    "user.disable": _admin_on_someone_else,
    "user.enable": _roles(Role.ADMIN),
    "user.unlock": _roles(Role.ADMIN),
    "user.invite": _roles(Role.ADMIN),
    "service_area.list": _roles(Role.ADMIN),
    "service_area.manage": _roles(Role.ADMIN),
    "eia.list": _signed_in,
    "eia.create": _roles(Role.AUTHOR, Role.EQUALITIES, Role.ADMIN),
    "eia.create_any_area": _roles(Role.EQUALITIES, Role.ADMIN),
    "eia.view": _sees_eia,
    "eia.edit": _edits_eia,
    "eia.submit": _edits_eia,
    "eia.review": _reviews,
    "eia.move": _edits_eia,
    "eia.manage_coauthors": lambda user, eia: _owns_eia(user, eia) and not eia.is_individual,
    "eia.hand_over": _owns_eia,
    "eia.abandon": _owns_eia,
    "eia.restore": _roles(Role.EQUALITIES, Role.ADMIN),
    "eia.record_decision": _records_decision,
    "eia.assign_reviewer": _roles(Role.EQUALITIES),
    "eia.sign_off": _signs_off,
    "eia.publish": lambda user, eia: user.role is Role.EQUALITIES and not eia.is_individual and _independent(user, eia),
    "characteristic.manage": _roles(Role.ADMIN),
    "plan.view": _signed_in,
    "plan.import": _roles(Role.EQUALITIES, Role.ADMIN),
    "plan.edit": _roles(Role.EQUALITIES, Role.ADMIN),
    "plan.update_progress": lambda user, action: user.role is Role.EQUALITIES or _leads(user, action),
    "sample.view": _roles(Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER),
    "report.view": _roles(Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER),
    "report.commentary": _roles(Role.EQUALITIES, Role.ADMIN),
    "dashboard.view": _roles(Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER),
    "sample.draw": _roles(Role.EQUALITIES),
    "round.view": _roles(Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER),
    "round.create": _roles(Role.EQUALITIES),
    "round.join": _joins_round,
    # An auditor never scores an assessment they wrote, lead or signed off.
    "sample.score": lambda user, eia: (
        user.role is Role.EQUALITIES and _independent(user, eia) and user.id != eia.signed_off_by_id
    ),
    # A second member of the team, never the one who gave the scoring.
    "sample.moderate": lambda user, score: user.role is Role.EQUALITIES and score.scored_by_id != user.id,
    "finding.view": lambda user, finding: (
        user.role in (Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER) or finding.owner_id == user.id
    ),
    "finding.close": lambda user, finding: user.role is Role.EQUALITIES or finding.owner_id == user.id,
    "form_template.view": _roles(Role.EQUALITIES, Role.ADMIN),
    "form_template.manage": _roles(Role.ADMIN),
    "audit.view": _roles(Role.EQUALITIES, Role.ADMIN),
    "audit.export": _roles(Role.EQUALITIES, Role.ADMIN),
    "audit.verify": _roles(Role.EQUALITIES, Role.ADMIN),
}


def can(user: Any, action: str, obj: Any = None) -> bool:
    """Whether *user* may do *action* to *obj*. Anonymous and disabled people may do nothing here."""
    try:
        rule = RULES[action]
    except KeyError:
        raise ValueError(f"no permission rule for {action!r}") from None
    # Only a signed-in, enabled person has a role; anonymous visitors have neither.
    if not getattr(user, "is_authenticated", False) or not user.is_active or not isinstance(user.role, Role):
        return False
    return rule(user, obj)


def permit(user: Any, action: str, obj: Any = None) -> None:
    """Raise :class:`PermissionDenied` unless *user* may do *action* to *obj*."""
    if not can(user, action, obj):
        raise PermissionDenied()
