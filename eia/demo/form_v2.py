"""What the demo's assessments written on version 2 of the form answer besides version 1's questions:
the plain-English summary, the Armed Forces Covenant functions, care experience and low income, human
rights and data protection, a fair consultation, monitoring and the stop check; by scenario title."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eia.demo.scenarios import Scenario

#: The states in which a demo assessment is written on version 2 (the ones started most recently).
V2_STATES = {"draft", "returned", "submitted", "in_review"}

_NO_RIGHTS = {"human_rights_engaged": "no"}
_FAIR = {"gunning_formative": "yes", "gunning_information": "yes"}

V2_ANSWERS: dict[str, dict[str, dict[str, Any]]] = {
    "Library opening hours": {
        "about": {
            "plain_summary": "We plan to shorten opening hours at four small branch libraries to save £180,000 a "
            "year. Evening opening ends there; Saturday mornings stay. Families with young children and older "
            "people use these branches most, so we will keep two weekday mornings at the busiest ones and "
            "extend the home library service.",
        },
        "screening": {"covenant_functions": ["none"]},
        "consultation": {
            "consultation_duty": "voluntary",
            **_FAIR,
            "consultation_weeks": "4 weeks",
            "gunning_consideration": "A summary of responses by age group and branch goes to Cabinet with the report.",
            "accessible_formats": ["large_print", "paper", "phone_or_in_person"],
            "who_did_not_respond": "Few responses from under-25s. We asked the Youth Council at its {consult_month} meeting.",
        },
        "local_duties": {
            "corporate_parenting": "Care leavers use Eastbrook's free computers for job searches in the evening. "
            "The leaving care team will book them sessions at the central library, open until 8pm.",
            "socio_economic": "Eastbrook is in one of the 10% most deprived areas in England, and many residents "
            "have no internet at home. The central library's evening hours and free wi-fi stay.",
        },
        "rights": {**_NO_RIGHTS, "personal_data": "none", "dpia": "not_applicable"},
        "mitigations": {
            "monitoring_frequency": "quarterly",
            "monitoring_reported_to": "Culture and Leisure management team, then the Equality Working Group",
            "monitoring_indicators": "Visits by hour and age band at each branch; home library requests; "
            "complaints about access.",
        },
        "outcome": {"unlawful_discrimination": "no"},
    },
    "Council Tax Support scheme": {
        "about": {
            "plain_summary": "We are changing how Council Tax Support is worked out, to simplify it and keep "
            "within budget. Working-age households on low incomes are affected. Disabled people and carers get "
            "extra help, and a hardship fund of £150,000 supports anyone in difficulty in the first year.",
        },
        "screening": {"covenant_functions": ["none"]},
        "consultation": {
            "consultation_duty": "statutory",
            **_FAIR,
            "consultation_weeks": "8 weeks",
            "gunning_consideration": "Every response is summarised for members before Full Council sets the scheme.",
            "accessible_formats": ["easy_read", "large_print", "translations", "paper", "phone_or_in_person"],
            "who_did_not_respond": "Few responses from private renters. Citizens Advice ran two sessions for us.",
        },
        "local_duties": {
            "corporate_parenting": "Care leavers up to 25 stay fully exempt from council tax, as now.",
            "socio_economic": "Every household affected is on a low income. The bands keep the lowest incomes "
            "at the highest support, and the hardship fund covers sudden changes.",
        },
        "rights": {
            **_NO_RIGHTS,
            "personal_data": "special_category",
            "dpia": "done",
            "dpia_reference": "DPIA-{started_year}-009",
        },
        "mitigations": {
            "monitoring_frequency": "quarterly",
            "monitoring_reported_to": "Cabinet, six months after the scheme starts",
            "monitoring_indicators": "Caseload, awards and arrears by household type, disability and band.",
        },
        "outcome": {"unlawful_discrimination": "no"},
    },
    "Housing allocations policy": {
        "about": {
            "plain_summary": "We are replacing the points system for social housing with four priority bands. "
            "Everyone on the housing register is affected. Disabled people, care leavers and armed forces "
            "veterans keep or gain priority; single people under 35 may wait longer, so we will give them "
            "advice on other options.",
        },
        "screening": {"covenant_functions": ["housing_allocations", "homelessness"]},
        "consultation": {
            "consultation_duty": "statutory",
            **_FAIR,
            "consultation_weeks": "12 weeks",
            "gunning_consideration": "The consultation report, with responses by group, is an appendix to the "
            "Cabinet report.",
            "accessible_formats": ["easy_read", "translations", "paper", "phone_or_in_person"],
            "who_did_not_respond": "Few Gypsy and Traveller households. Officers visited the two local sites.",
        },
        "local_duties": {
            "corporate_parenting": "Care leavers up to 25 keep band B priority and get help to bid from their "
            "personal adviser, so they are not left without a home when they leave care.",
            "socio_economic": "Priority depends on housing need, not income, and most applicants are on low "
            "incomes. Nobody loses priority because they cannot afford a deposit.",
        },
        "rights": {
            "human_rights_engaged": "yes",
            "human_rights_articles": ["article_8", "article_14"],
            "human_rights_effect": "Decisions on priority affect applicants' homes and family life.",
            "human_rights_justification": "Homes are scarce and go by published need; every applicant can ask "
            "for a review of their band.",
            "personal_data": "special_category",
            "dpia": "done",
            "dpia_reference": "DPIA-{started_year}-014",
        },
        "armed_forces": {"covenant_people": ["regulars", "reservists", "veterans", "families", "bereaved"]},
        "mitigations": {
            "monitoring_frequency": "six_monthly",
            "monitoring_reported_to": "Housing Board",
            "monitoring_indicators": "Lettings and waiting times by band, ethnicity, age, disability, care "
            "experience and armed forces service.",
        },
        "outcome": {"unlawful_discrimination": "no"},
    },
    "Closure of Riverside Leisure Centre": {
        "about": {
            "plain_summary": "We plan to close Riverside Leisure Centre, which needs repairs we cannot afford. "
            "Its swimmers, older people's and disabled people's sessions, and school swimming are affected. "
            "We will move these sessions, with the women-only sessions at the same times, to Waterside and run a free bus for twelve months.",
        },
        "screening": {"covenant_functions": ["none"]},
        "consultation": {
            "consultation_duty": "expectation",
            **_FAIR,
            "consultation_weeks": "10 weeks",
            "gunning_consideration": "Responses by user group are reported to Cabinet before it decides.",
            "accessible_formats": ["easy_read", "large_print", "bsl", "paper"],
            "who_did_not_respond": "Few responses from the Muslim women's swimming group. We met them in person.",
        },
        "local_duties": {
            "corporate_parenting": "Children in care swim free at Riverside; the offer moves to Waterside.",
            "socio_economic": "Riverside serves two of the most deprived wards. The free bus and concession "
            "prices at Waterside are there for them.",
        },
        "rights": {**_NO_RIGHTS, "personal_data": "none", "dpia": "not_applicable"},
        "mitigations": {
            "monitoring_frequency": "quarterly",
            "monitoring_reported_to": "Leisure Services board",
            "monitoring_indicators": "Visits to Waterside by former Riverside members, by age and disability; "
            "free bus use.",
        },
        "outcome": {
            "unlawful_discrimination": "yes",
            "discrimination_types": ["indirect"],
            "objective_justification": "The aim is to stop spending on a building that fails its structural "
            "survey. Moving the sessions, with a free bus and women-only sessions kept at Waterside, is the least "
            "harmful way to reach it.",
        },
    },
    "Digital by default for bulky waste bookings": {
        "about": {
            "plain_summary": "Bulky waste collections will be booked online by default. Older and disabled "
            "residents are less likely to book online, so an assisted phone line stays open.",
        },
        "screening": {"covenant_functions": ["none"]},
        "consultation": {
            "consultation_duty": "engagement",
            "gunning_formative": "not_applicable",
            "gunning_information": "not_applicable",
            "accessible_formats": ["phone_or_in_person"],
            "who_did_not_respond": "Residents without internet. The contact centre asked callers for a month.",
        },
        "local_duties": {
            "corporate_parenting": "No particular effect on children in care or care leavers; leaving care "
            "advisers can book on a care leaver's behalf.",
            "socio_economic": "Residents without internet at home are more often on low incomes. The phone line "
            "costs nothing extra and the fee is unchanged.",
        },
        "rights": {**_NO_RIGHTS, "personal_data": "personal", "dpia": "not_needed"},
        "mitigations": {
            "monitoring_frequency": "quarterly",
            "monitoring_reported_to": "Waste and Recycling management team",
            "monitoring_indicators": "Bookings by channel, and complaints by age and disability where given.",
        },
        "outcome": {
            "unlawful_discrimination": "yes",
            "discrimination_types": ["indirect"],
            "objective_justification": "The aim is to book collections quickly and cut the cost of each booking. "
            "Keeping the assisted phone line means nobody has to book online.",
        },
    },
    "Restructure of the revenues and benefits team": {
        "rights": {
            "human_rights_engaged": "yes",
            "human_rights_articles": ["article_8"],
            "human_rights_effect": "Staff at risk face a change to their working lives and income.",
            "human_rights_justification": "The saving is needed; voluntary options and redeployment come first.",
            "personal_data": "special_category",
            "dpia": "not_needed",
        },
        "outcome": {"unlawful_discrimination": "no"},
    },
}


def generic_v2(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """What version 2 of the form asks besides version 1, drawn from a scenario's own answers, for what
    ``V2_ANSWERS`` does not give."""
    functions = [f for f in scenario.armed_forces.get("relevant_functions", ["none"]) if f != "none"] or ["none"]
    answers: dict[str, dict[str, Any]] = {
        "about": {
            "plain_summary": f"{scenario.about.get('changes', '')} {scenario.outcome.get('summary', '')}".strip()
        },
        "screening": {"covenant_functions": functions},
        "consultation": {
            "consultation_duty": "engagement",
            "gunning_formative": "yes",
            "gunning_information": "yes",
            "accessible_formats": ["large_print", "paper", "phone_or_in_person"],
        },
        "local_duties": {
            "corporate_parenting": scenario.impacts.get("care_experience", (None, None, ""))[2]
            or "No effect on children in care or care leavers was found in the service's records.",
            "socio_economic": scenario.impacts.get("socio_economic", (None, None, ""))[2]
            or "No effect on households on low incomes beyond that on everyone using the service was found.",
        },
        "rights": {"human_rights_engaged": "no", "personal_data": "personal", "dpia": "not_needed"},
        "mitigations": {
            "monitoring_frequency": "quarterly",
            "monitoring_reported_to": f"The {scenario.area.split('>')[-1].strip()} management team",
            "monitoring_indicators": scenario.monitoring or "To be agreed with the equalities team.",
        },
        "outcome": {"unlawful_discrimination": "no"},
    }
    if functions != ["none"]:
        answers["armed_forces"] = {"covenant_people": ["regulars", "reservists", "veterans", "families", "bereaved"]}
    return answers


def v2_answers(scenario: Scenario, author_id: int, started: date) -> dict[str, dict[str, Any]]:
    """The version 2 answers of *scenario*, with the people and dates of this copy."""
    answers = generic_v2(scenario)
    for key, values in V2_ANSWERS.get(scenario.title, {}).items():
        answers[key] = {**answers.get(key, {}), **values}
    answers.setdefault("mitigations", {}).update(
        {"monitoring_owner": str(author_id), "post_implementation_review": started + timedelta(days=365)}
    )
    return answers
