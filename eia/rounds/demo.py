"""The demo's budget round: six budget proposals for next financial year whose impacts add up for
older people and disabled people, as a council's budget equality appendix shows them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from eia.accounts.models import Role
from eia.assessments import workflow
from eia.assessments.states import EiaKind
from eia.demo.eias import _person, _write, author_for
from eia.demo.form_v2 import V2_ANSWERS, V2_STATES
from eia.demo.scenarios import Scenario
from eia.demo.story import on_day, told_at
from eia.extensions import db
from eia.rounds import services
from eia.rounds.models import BudgetRound

#: How the round was consulted on: one budget consultation for every proposal.
CONSULTED = "The budget consultation, {consult_from} to {consult_to}: online survey and six drop-in sessions."


@dataclass(frozen=True)
class Heard:
    """What one proposal's screening found and what its part of the consultation heard."""

    numbers: str  # how many people, from what records
    significance: str
    evidence: str
    engaged: str
    said: str
    changed: str


_AIMS = {
    "aim_discrimination": "The change applies to everyone using the service; no group is treated less favourably.",
    "aim_opportunity": "Mitigations keep the service within reach of the people who rely on it most.",
    "aim_relations": "No effect on relations between groups was found.",
}


def _budget(
    title: str,
    area: str,
    changes: str,
    impacts: dict[str, tuple[str | None, ...]],
    mitigations: list[tuple[str | None, str, str]],
    outcome: str,
    summary: str,
    heard: Heard,
    justification: str = "",
) -> Scenario:
    return Scenario(
        title=title,
        area=area,
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "budget",
            "decision_maker": "Full council (budget)",
            "decision_route": "cabinet",
            "aims": "Balance the council's budget for next year while protecting the people most at risk.",
            "scope": title,
            "changes": changes,
            "affects": "residents",
        },
        screening={
            "numbers_affected": heard.numbers,
            "significance": heard.significance,
            "full_eia_needed": "yes",
        },
        evidence={"known_data": heard.evidence},
        consultation={
            "who_engaged": heard.engaged,
            "how_and_when": CONSULTED,
            "what_they_said": heard.said,
            "how_it_changed": heard.changed,
        },
        impacts=impacts,
        aims=_AIMS,
        armed_forces={"relevant_functions": ["none"]},
        mitigations=mitigations,
        monitoring="Take-up and complaints by age and disability, reported quarterly to the Budget Board.",
        outcome={"outcome": outcome, "summary": summary}
        | ({"continue_justification": justification} if justification else {}),
    )


PROPOSALS = [
    _budget(
        "Reduce the home library service to fortnightly visits",
        "Neighbourhoods and Environment > Libraries",
        "Volunteers visit housebound borrowers every two weeks instead of every week, saving £42,000.",
        {
            "age": (
                "negative",
                "medium",
                "Most of the 410 housebound borrowers are over 75; fewer visits means less contact.",
                "Housebound borrowers over 75.",
            ),
            "disability": (
                "negative",
                "medium",
                "Housebound disabled borrowers lose a weekly visit that some rely on for company.",
                "Housebound disabled borrowers.",
            ),
        },
        [
            (
                "age",
                "Offer a phone call in the weeks without a visit.",
                "Calls made and borrowers' satisfaction, quarterly.",
            ),
            (
                "disability",
                "Keep weekly visits for borrowers the service knows live alone with no other visitor.",
                "Borrowers kept on weekly visits, quarterly.",
            ),
        ],
        "adjust",
        "Visits become fortnightly with a phone call in between.",
        Heard(
            numbers="410 housebound borrowers, most of them over 75 (the service's records for {data_year}).",
            significance="Medium: for some borrowers the weekly visit is their main contact outside the home.",
            evidence="Home library records by age and disability; volunteers' visit logs; the Older People's "
            "Network's survey of its members.",
            engaged="Home library borrowers and their families, the volunteers, the Older People's Network.",
            said="Borrowers and families said the visit matters for company as much as for books; several "
            "borrowers live alone.",
            changed="Weekly visits are kept for borrowers who live alone with no other visitor, and a phone call "
            "fills the weeks between the others.",
        ),
    ),
    _budget(
        "Charge for garden waste collection",
        "Neighbourhoods and Environment > Waste and Recycling",
        "A £45 yearly charge for the brown bin, raising £610,000; assisted collections continue.",
        {
            "age": (
                "negative",
                "low",
                "Older residents on fixed incomes may stop the service and struggle to take waste to the tip.",
                "Pensioners without a car.",
            ),
            "socio_economic": (
                "negative",
                "medium",
                "The charge is the same for every household, so it weighs most on low incomes.",
                "Households on low incomes.",
            ),
        },
        [
            (
                "socio_economic",
                "Half price for households on Council Tax Support.",
                "Take-up of the concession, six-monthly.",
            ),
            ("age", "Free assisted collection for residents over 80 who ask.", "Assisted collections, six-monthly."),
        ],
        "adjust",
        "The charge goes ahead with a concession for households on Council Tax Support.",
        Heard(
            numbers="About 38,000 households have a brown bin; 2,900 of them get Council Tax Support.",
            significance="Medium: a flat charge weighs most on low incomes and on older residents without a car.",
            evidence="Brown bin subscriptions by ward; the Council Tax Support caseload; the assisted collections "
            "list; the household waste site's visitor survey.",
            engaged="Residents through the budget survey, the Older People's Network, the anti-poverty forum.",
            said="People on low incomes said £45 was too much; older residents asked how they would take garden "
            "waste to the tip without a car.",
            changed="Half price for households on Council Tax Support, and a free assisted collection for "
            "residents over 80 who ask.",
        ),
    ),
    _budget(
        "Close two day centres and move activities to community hubs",
        "Adult Social Care > Commissioning",
        "Brookside and Hillview day centres close; their activities move to four community hubs, saving £380,000.",
        {
            "age": (
                "negative",
                "high",
                "Older people with dementia lose a familiar place and routine.",
                "About 120 older people, many with dementia.",
            ),
            "disability": (
                "negative",
                "high",
                "Disabled adults may not manage the journey to a hub, and hubs lack changing places toilets.",
                "About 80 adults with learning or physical disabilities.",
            ),
            "carers": (
                "negative",
                "medium",
                "Carers lose respite while the person they care for attends.",
                "Unpaid carers of day centre users.",
            ),
        },
        [
            (
                "disability",
                "Fit changing places toilets at two hubs before the move.",
                "Toilets in use before closure.",
            ),
            ("carers", "Review each carer's respite before the centre closes.", "Carers' assessments completed."),
            (
                "age",
                "Keep each group of friends together at the same hub, with the same staff.",
                "Attendance after the move.",
            ),
        ],
        "continue",
        "The move goes ahead with transport and changing places toilets; the cost is necessary to balance the budget.",
        Heard(
            numbers="About 200 people a week attend the two centres (120 older people, many with dementia, and "
            "80 adults with learning or physical disabilities), and about 150 unpaid carers.",
            significance="High: people with dementia or learning disabilities rely on routine, and carers on the "
            "respite the centres give.",
            evidence="Attendance registers; care and support plans; the carers' survey; the building condition "
            "survey of both centres; access audits of the four hubs.",
            engaged="Day centre users and their families, the Carers' Centre, the Disability Forum, centre staff.",
            said="Families feared losing familiar staff and friends; carers asked what respite they would have "
            "during the move; the Disability Forum found no changing places toilet at any hub.",
            changed="Changing places toilets at two hubs before the move, each group kept together with its own "
            "staff, and every carer's respite reviewed before the centres close.",
        ),
        "The centres need £1.2 million of repairs the council cannot fund; the hubs keep every activity running, "
        "closer to where most users live, and no option that kept both centres open balanced the budget.",
    ),
    _budget(
        "Reduce subsidised bus routes",
        "Neighbourhoods and Environment > Highways and Transport",
        "Three evening and Sunday routes lose their subsidy, saving £260,000.",
        {
            "age": (
                "negative",
                "medium",
                "Older people without cars lose Sunday trips to family and church.",
                "Concessionary pass holders on the three routes.",
            ),
            "disability": (
                "negative",
                "medium",
                "Disabled passengers who cannot drive lose evening travel.",
                "Disabled pass holders.",
            ),
            "religion_belief": (
                "negative",
                "low",
                "Sunday worshippers on two routes lose their bus.",
                "Churchgoers in two villages.",
            ),
        },
        [
            ("age", "Extend the dial-a-ride service to Sunday mornings.", "Dial-a-ride trips on Sundays."),
            (
                "disability",
                "Dial-a-ride takes wheelchair users in the evenings on the withdrawn routes.",
                "Evening trips.",
            ),
            (
                "religion_belief",
                "Work with the two churches on a shared minibus on Sunday mornings.",
                "Minibus in use.",
            ),
        ],
        "adjust",
        "Two routes are withdrawn; the Sunday route is kept and dial-a-ride is extended.",
        Heard(
            numbers="About 1,100 journeys a week on the three routes, 60% of them on concessionary passes "
            "(the operator's figures for {data_year}).",
            significance="Medium: the evening and Sunday buses are the only public transport for two villages.",
            evidence="The operator's passenger counts by route and pass type; concessionary pass data; "
            "dial-a-ride bookings; the rural transport survey.",
            engaged="Passengers on the three routes, the two parish councils, the churches, the Disability Forum.",
            said="Older people said the Sunday bus is how they see family and get to church; wheelchair users "
            "said dial-a-ride does not run in the evening.",
            changed="The Sunday route is kept, and dial-a-ride now runs on Sunday mornings and in the evenings on "
            "the withdrawn routes.",
        ),
    ),
    _budget(
        "Increase charges for community alarms",
        "Adult Social Care > Commissioning",
        "The weekly charge for a community alarm rises from £4.10 to £5.50, raising £150,000.",
        {
            "age": (
                "negative",
                "medium",
                "Most alarm users are over 80; some may give up the alarm.",
                "About 2,300 alarm users, mostly over 80.",
            ),
            "disability": (
                "negative",
                "medium",
                "Disabled users living alone may lose the help the alarm brings.",
                "Disabled people living alone.",
            ),
        },
        [
            (
                "disability",
                "Keep the old charge for anyone whose financial assessment shows hardship.",
                "Users cancelling, monthly.",
            ),
            ("age", "Call every user over 80 who cancels, to check they are safe.", "Calls made within a week."),
        ],
        "adjust",
        "The charge rises with a hardship rate; cancellations are watched monthly.",
        Heard(
            numbers="About 2,300 alarm users, 78% of them over 80; 640 live alone.",
            significance="Medium: someone who gives up the alarm and then falls may lie without help.",
            evidence="Alarm users by age, disability and living alone; financial assessments; cancellations over "
            "the last three years.",
            engaged="Alarm users and their families, Age UK, the Older People's Network.",
            said="Users said they would keep the alarm and cut back on something else; Age UK asked for a "
            "hardship rate.",
            changed="A hardship rate at the old charge, and a call to every user over 80 who cancels.",
        ),
    ),
    _budget(
        "Move council tax payments online",
        "Corporate Resources > Revenues and Benefits",
        "The cash office closes; payments move online, by phone and at PayPoint shops, saving £95,000.",
        {
            "age": (
                "negative",
                "low",
                "Older people less used to the internet lose face-to-face payment.",
                "Residents who pay in cash at the office.",
            ),
            "disability": (
                "not_known",
                None,
                "The effect on disabled residents is not known yet.",
                "",
                "A short survey of cash office users before closure.",
            ),
            "race": ("neutral", None, "No differential effect identified.", ""),
        },
        [("age", "Help at the library to set up online or PayPoint payment.", "People helped, monthly.")],
        "no_major_change",
        "The cash office closes with help to pay another way.",
        Heard(
            numbers="About 3,400 payments a month at the cash office, from about 900 households (4% of payers).",
            significance="Low: other ways to pay are close by, but some cash payers are older and not online.",
            evidence="Cash office payments by type; PayPoint shops by ward; the customer access survey.",
            engaged="Cash office customers over four weeks at the counter, the Older People's Network.",
            said="Cash payers said they would rather pay in person; most have a PayPoint shop within a mile.",
            changed="Library staff help people set up online or PayPoint payment, and cash office users are "
            "surveyed before it closes.",
        ),
    ),
]

#: Days after the proposals were started that each step was taken.
STEP_DAYS = {"submit": 50, "start_review": 52, "approve": 57}
#: The state each proposal's assessment reaches in the demo.
STATES = ["approved", "approved", "in_review", "submitted", "draft", "draft"]
STEPS = {
    "draft": [],
    "submitted": ["submit"],
    "in_review": ["submit", "start_review"],
    "approved": ["submit", "start_review", "approve"],
}


def _v2_extras(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """What version 2 of the form asks besides version 1, for a budget proposal of the round."""
    return {
        "about": {"plain_summary": f"{scenario.about['changes']} {scenario.outcome['summary']}"},
        "screening": {"covenant_functions": ["none"]},
        "consultation": {
            "consultation_duty": "expectation",
            "gunning_formative": "yes",
            "gunning_information": "yes",
            "consultation_weeks": "10 weeks",
            "gunning_consideration": "A summary of the responses on each proposal goes to members with the budget report.",
            "accessible_formats": ["easy_read", "large_print", "paper", "phone_or_in_person"],
            "who_did_not_respond": "Few responses from under-25s; the Youth Council was asked at its {consult_month} meeting.",
        },
        "impacts": {
            "cumulative": "Older and disabled residents are affected by several proposals in this budget round; "
            "the round's cumulative findings go to members with the budget report.",
        },
        "local_duties": {
            "corporate_parenting": "No effect on care leavers was found: none use the service in its records.",
            "socio_economic": "Households on low incomes rely on the service more; the mitigations protect them.",
        },
        "rights": {"human_rights_engaged": "no", "personal_data": "none", "dpia": "not_applicable"},
        "mitigations": {
            "monitoring_frequency": "quarterly",
            "monitoring_reported_to": "The Budget Board, then the Equality Working Group",
            "monitoring_indicators": "Take-up and complaints by age and disability.",
        },
        "outcome": {"unlawful_discrimination": "no"},
    }


def next_financial_year(today: date) -> int:
    """The financial year (April to March) after the one *today* is in, by the year it starts."""
    return (today.year if today.month >= 4 else today.year - 1) + 1


def load_demo_round(_sender: Any, *, today: date, by: Any) -> str | None:
    """The demo's budget round with its six proposals (the ``eia.signals.demo_loaded`` signal); once."""
    if db.session.execute(select(func.count()).select_from(BudgetRound)).scalar_one():
        return None
    year = next_financial_year(today)
    reviewer = _person(Role.EQUALITIES)
    started = today - timedelta(days=60)
    with told_at(on_day(started - timedelta(days=3))):
        budget_round = services.create_round(
            name=f"Budget {year}/{str(year + 1)[-2:]}", decision_on=date(year, 2, 24), by=reviewer
        )
    for n, (scenario, state) in enumerate(zip(PROPOSALS, STATES, strict=True)):
        author = author_for(scenario)
        v2 = state in V2_STATES  # the ones started most recently are on the current form, as in the demo
        if v2:
            V2_ANSWERS.setdefault(scenario.title, _v2_extras(scenario))
        with told_at(on_day(started)):
            eia = _write(
                scenario,
                scenario.title,
                author,
                started,
                review=date(year + 1, 3, 31),
                v2=v2,
                today=today,
                complete=state != "draft",
                ready_by=started + timedelta(days=STEP_DAYS["submit"] - 1) if STEPS[state] else today,
            )
            services.join_round(eia, budget_round, by=author)
        # Submitted seven weeks after starting, approved a week later, as the budget timetable had it.
        for step in STEPS[state]:
            with told_at(on_day(started + timedelta(days=STEP_DAYS[step]), 10 + n % 3, 17 * n % 55)):
                workflow.transition(eia, step, by=author if step == "submit" else reviewer, confirmed=True)
        eia.created_at = on_day(started)
    db.session.flush()
    return f"Added the budget round {budget_round.name} with {len(PROPOSALS)} budget proposals."
