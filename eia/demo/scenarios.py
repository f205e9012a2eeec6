"""The demo's assessments as data: each scenario a full assessment, written as council officers write
them (answers, impacts on the characteristics it really touches, mitigations, an outcome)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eia.assessments.models import EiaKind

NEUTRAL = "No differential effect identified from the service data or the consultation."


@dataclass(frozen=True)
class Scenario:
    title: str
    area: str  # "Directorate > Team"
    kind: EiaKind
    about: dict[str, Any]
    screening: dict[str, Any]
    evidence: dict[str, Any]
    consultation: dict[str, Any]
    # key -> (direction, severity, effect, who[, what will be done to find out, for one not known])
    impacts: dict[str, tuple[str | None, ...]]
    aims: dict[str, str]
    armed_forces: dict[str, Any]
    mitigations: list[tuple[str | None, str, str]]  # (characteristic key, action, measure)
    monitoring: str
    outcome: dict[str, Any]
    previous: dict[str, Any] = field(default_factory=lambda: {"revisits_previous": "no"})


SCENARIOS = [
    Scenario(
        title="Library opening hours",
        area="Neighbourhoods and Environment > Parks and Open Spaces",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "service",
            "decision_maker": "Cabinet Member for Culture and Leisure",
            "decision_route": "cabinet",
            "aims": "Keep all eight branch libraries open while reducing the library budget by £180,000 a year.",
            "scope": "Opening hours at the four smallest branches. The central library, the home library service and the mobile library are out of scope.",
            "changes": "Weekly opening at Northfield, Eastbrook, Millgate and Hollin Lane falls from 48 to 36 hours. Weekday evenings after 5pm close; Saturday mornings stay.",
            "affects": "both",
        },
        screening={
            "numbers_affected": "About 9,400 active borrowers use the four branches; 11 staff (6.2 FTE) change rota.",
            "significance": "Moderate. Nobody loses a library, but weekday evening access ends at these branches.",
            "known_inequalities": "Borrowers over 65 and families with children under 5 are the heaviest users of the small branches; Eastbrook sits in one of the 10% most deprived areas in England (IMD 2019).",
            "full_eia_needed": "yes",
        },
        evidence={
            "known_data": "Library management system visits by hour, April 2024 to March 2025: 7% of visits at the four branches fall after 5pm. Borrower profile by age and postcode. Census 2021 for the branch catchments.",
            "what_people_say": "Friends of Eastbrook Library told us the branch is the only free warm space open in the evening.",
            "data_gaps": "We do not record disability or ethnicity of borrowers. Action: add optional monitoring questions to the library card renewal form by September 2025.",
        },
        consultation={
            "who_engaged": "Friends of the Libraries groups, the Disability Forum, the Older People's Forum, library staff and the trade union.",
            "how_and_when": "Online and paper survey (1,212 responses) and four drop-in sessions, 6 to 31 October 2025.",
            "what_they_said": "Older borrowers value weekday mornings more than evenings. Parents asked to keep Saturday rhyme-time. Disabled borrowers rely on the home library service, which is unchanged.",
            "how_it_changed": "Tuesday and Thursday mornings were added back at Eastbrook and Millgate, and the evening closure at Eastbrook was moved to 6pm rather than 5pm.",
        },
        impacts={
            "age": (
                "negative",
                "medium",
                "Older borrowers lose some access; evening closure affects working-age adults who visit after work.",
                "Borrowers over 65 at Eastbrook and Millgate; working adults who visit after 5pm.",
            ),
            "disability": (
                "neutral",
                None,
                "The home library service continues unchanged and all branches keep step-free access.",
                "Disabled borrowers, who mostly use the home library service.",
            ),
            "pregnancy_maternity": (
                "neutral",
                None,
                "Saturday rhyme-time and weekday morning baby sessions are kept.",
                "Parents and carers of babies.",
            ),
            "socio_economic": (
                "negative",
                "medium",
                "Eastbrook is used as a free warm space in the evening by people on low incomes.",
                "Residents of Eastbrook ward, one of the 10% most deprived areas in England.",
            ),
            "care_experience": (
                "neutral",
                None,
                "Care leavers keep free study space at the central library, open until 8pm.",
                "Care leavers studying for qualifications.",
            ),
        },
        aims={
            "aim_discrimination": "The same opening pattern applies to every user; nobody is treated less favourably because of a protected characteristic.",
            "aim_opportunity": "Mornings and Saturdays, the times older people and families use most, are protected.",
            "aim_relations": "Branches stay as community spaces in every ward, used by all groups.",
        },
        armed_forces={"relevant_functions": ["none"]},
        mitigations=[
            (
                "age",
                "Keep Tuesday and Thursday mornings at Eastbrook and Millgate, the two branches most used by over-65s.",
                "Morning visits by borrowers over 65 at the two branches, compared quarterly with 2024-25.",
            ),
            (
                "socio_economic",
                "Signpost the warm spaces network and keep Eastbrook open until 6pm on weekdays from November to March.",
                "Evening visits at Eastbrook in winter, and warm-space referrals from library staff.",
            ),
        ],
        monitoring="Visits by hour and by branch, home library requests and complaints, reported quarterly to the Culture and Leisure Scrutiny Panel.",
        outcome={
            "outcome": "adjust",
            "summary": "The proposal was adjusted: mornings kept at two branches and Eastbrook's evening closure moved to 6pm. Remaining impacts are mitigated.",
        },
    ),
    Scenario(
        title="Council Tax Support scheme",
        area="Corporate Resources > Human Resources",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "policy",
            "decision_maker": "Full Council",
            "decision_route": "council",
            "aims": "Move working-age Council Tax Support to a simpler income-banded scheme that costs no more than the current scheme.",
            "scope": "Working-age claimants only. Pensioners are protected by the national scheme and are out of scope.",
            "changes": "Five income bands replace the detailed means test. The maximum award stays at 80% of the bill; the minimum payment for the lowest band falls from 20% to 15%.",
            "affects": "residents",
        },
        screening={
            "numbers_affected": "9,850 working-age households receive Council Tax Support.",
            "significance": "High: a change to household income for people on the lowest incomes.",
            "known_inequalities": "Claimants are disproportionately disabled people, lone parents (90% of them women) and carers.",
            "full_eia_needed": "yes",
        },
        evidence={
            "known_data": "Council Tax Support caseload by household type, disability premiums and income, October 2025. Modelling of gains and losses by band for every current claimant.",
            "what_people_say": "Citizens Advice reports that people find the current scheme hard to understand and fall into arrears when their hours change.",
            "data_gaps": "Ethnicity is not recorded on claims. Action: compare caseload by ward with Census 2021 ethnicity data before the scheme starts.",
        },
        consultation={
            "who_engaged": "All current claimants by letter, Citizens Advice, the food bank network, the Disability Forum and housing associations.",
            "how_and_when": "Statutory consultation, 1 September to 10 November 2025; 1,004 responses.",
            "what_they_said": "Support for simplicity, but concern from disabled people and carers about losing the disability premium uplift.",
            "how_it_changed": "A disability and carer uplift of one band was added to the final scheme.",
        },
        impacts={
            "disability": (
                "negative",
                "high",
                "Without the uplift, 1,120 disabled claimants would lose on average £3.40 a week.",
                "Working-age claimants receiving a disability premium.",
            ),
            "sex": (
                "positive",
                None,
                "Lone parents, nine in ten of them women, gain on average £1.10 a week from the lower minimum payment.",
                "Lone-parent households in the lowest band.",
            ),
            "carers": (
                "negative",
                "medium",
                "Carers on Carer's Allowance would move to a higher band without an uplift.",
                "About 430 claimants receiving Carer's Allowance.",
            ),
            "age": (
                "neutral",
                None,
                "Pensioners are protected by the national scheme; the working-age effect does not differ by age band.",
                "Working-age claimants.",
            ),
            "socio_economic": (
                "positive",
                None,
                "The lowest-income households pay less overall.",
                "Households in the lowest income band.",
            ),
        },
        aims={
            "aim_discrimination": "The uplift for disabled people and carers avoids indirect disadvantage from the simpler bands.",
            "aim_opportunity": "A scheme that does not change every time hours change removes a barrier to taking up work.",
            "aim_relations": "A clear, published scheme lets people see it is applied fairly.",
        },
        armed_forces={"relevant_functions": ["none"]},
        mitigations=[
            (
                "disability",
                "Add a one-band uplift for claimants with a disability premium.",
                "Average award for claimants with a disability premium before and after the change.",
            ),
            (
                "carers",
                "Add a one-band uplift for claimants receiving Carer's Allowance.",
                "Number of carers moving to a higher band (target: none).",
            ),
            (
                None,
                "Exceptional hardship fund of £150,000 for the first year.",
                "Hardship awards made, by household type.",
            ),
        ],
        monitoring="Caseload, awards and arrears by household type and band, reported to Cabinet six months after the scheme starts.",
        outcome={
            "outcome": "adjust",
            "summary": "Adjusted to add uplifts for disabled people and carers and a hardship fund. No group is left worse off on average.",
        },
    ),
    Scenario(
        title="Housing allocations policy",
        area="Housing > Housing Options",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "policy",
            "decision_maker": "Cabinet",
            "decision_route": "cabinet",
            "aims": "Make sure social homes go to the people in greatest housing need, with clear and lawful priority bands.",
            "scope": "The allocation of council and nominated housing association homes through the housing register.",
            "changes": "Four priority bands replace the points system; local connection rules change; the armed forces exemption from local connection is written into the policy.",
            "affects": "residents",
        },
        screening={
            "numbers_affected": "6,300 households on the housing register; about 700 lettings a year.",
            "significance": "High: access to a home.",
            "known_inequalities": "Black and minority ethnic households, disabled people and young care leavers are over-represented on the register.",
            "full_eia_needed": "yes",
        },
        evidence={
            "known_data": "Housing register by band, ethnicity, age, disability and household type, March 2025. Lettings 2022-2025 by the same measures.",
            "what_people_say": "Applicants say the points system is hard to understand and they cannot tell how long they will wait.",
            "data_gaps": "Sexual orientation and gender identity are not recorded. Action: add optional questions to the application form.",
        },
        consultation={
            "who_engaged": "Housing register applicants, housing associations, the Armed Forces Covenant partnership, the leaving care team and homelessness charities.",
            "how_and_when": "Twelve-week consultation with an online survey and focus groups, June to August 2025.",
            "what_they_said": "Support for bands. The leaving care team asked for care leavers to keep priority; veterans' groups asked that the local connection exemption be clear.",
            "how_it_changed": "Care leavers up to 25 keep band B priority; the armed forces section was rewritten in plain English.",
        },
        impacts={
            "disability": (
                "positive",
                None,
                "Medical and accessibility needs now place applicants directly in band A or B.",
                "Applicants needing adapted homes.",
            ),
            "race": (
                "not_known",
                None,
                "Modelling by ethnicity shows no differential effect, but numbers in some groups are small.",
                "Black, Asian and minority ethnic applicants.",
                "Lettings by ethnicity are checked after the first six months and reported to the Housing Board.",
            ),
            "age": (
                "negative",
                "low",
                "Under-35s without children see longer waits for one-bedroom homes.",
                "Single applicants under 35.",
            ),
            "care_experience": (
                "positive",
                None,
                "Care leavers up to 25 keep priority and get support to bid.",
                "Care leavers on the register.",
            ),
            "armed_forces": (
                "positive",
                None,
                "Serving personnel and recent veterans are exempt from local connection rules.",
                "Members of the armed forces community applying for housing.",
            ),
        },
        aims={
            "aim_discrimination": "Priority depends on housing need, set out in published bands.",
            "aim_opportunity": "Disabled applicants and care leavers get priority that reflects their need.",
            "aim_relations": "A transparent scheme reduces perceptions of unfairness between groups.",
        },
        armed_forces={
            "relevant_functions": ["housing_allocations", "homelessness"],
            "regard_obligations": "Service personnel move at short notice and cannot build a local connection; the policy recognises this.",
            "regard_disadvantage": "Veterans leaving service within five years, and bereaved partners leaving service family accommodation, are exempt from local connection rules.",
            "regard_special_provision": "Seriously injured veterans with housing needs arising from service are placed in band A.",
        },
        mitigations=[
            (
                "age",
                "Open shared-ownership and private-rented options advice for single applicants under 35 at the point of application.",
                "Under-35s given options advice and the homes they move to, reported yearly.",
            ),
            (
                None,  # race is not known (not negative): the monitoring is for the proposal as a whole
                "Monitor lettings by ethnicity against the register every six months.",
                "Share of lettings by ethnicity compared with the register.",
            ),
        ],
        monitoring="Lettings and waiting times by band and by each characteristic recorded, six-monthly to the Housing Board.",
        outcome={
            "outcome": "no_major_change",
            "summary": "The policy goes ahead with the changes made after consultation. Effects are positive or mitigated.",
        },
    ),
    Scenario(
        title="Closure of Riverside Leisure Centre",
        area="Neighbourhoods and Environment > Community Safety",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "budget",
            "decision_maker": "Cabinet",
            "decision_route": "cabinet",
            "aims": "Close a 1972 leisure centre that needs £4.1 million of repairs, and move its activities to the new Waterside centre 2.4 miles away.",
            "scope": "Riverside Leisure Centre, its swimming pool, sports hall and community rooms.",
            "changes": "Riverside closes in March 2026. Clubs and classes move to Waterside; a free shuttle bus runs for twelve months.",
            "affects": "both",
        },
        screening={
            "numbers_affected": "About 3,100 members and 14 clubs; 22 staff transfer to Waterside.",
            "significance": "High for people who walk to Riverside and cannot easily travel.",
            "known_inequalities": "The Riverside catchment has the lowest car ownership in the borough (41% of households without a car).",
            "full_eia_needed": "yes",
        },
        evidence={
            "known_data": "Membership by age, disability and postcode; condition survey 2024; bus routes and journey times.",
            "what_people_say": "Disability swimming club and older people's aqua class say the journey is the main barrier.",
            "data_gaps": "Usage by ethnicity is not known. Action: short survey of pay-as-you-go users in January 2026.",
        },
        consultation={
            "who_engaged": "Members, the 14 clubs, the Disability Forum, ward councillors and staff.",
            "how_and_when": "Public consultation September to October 2025, with two meetings at Riverside.",
            "what_they_said": "Strong opposition to closure; practical requests for transport and for changing places toilets at Waterside.",
            "how_it_changed": "Free shuttle bus for twelve months and a changing places toilet at Waterside were added.",
        },
        impacts={
            "disability": (
                "negative",
                "high",
                "Disabled swimmers lose a pool they can reach; Waterside lacked a changing places toilet.",
                "Members of the disability swimming club and pool hoist users.",
            ),
            "age": (
                "negative",
                "medium",
                "Older people who walk to Riverside face a bus journey.",
                "Over-65 members of the aqua and walking-football groups.",
            ),
            "religion_belief": (
                "neutral",
                None,
                "Women-only sessions move to Waterside at the same times.",
                "Women who use women-only swimming sessions.",
            ),
            "socio_economic": (
                "negative",
                "medium",
                "Low car ownership in the catchment makes the journey harder and costlier.",
                "Households without a car in Riverside and Canal wards.",
            ),
        },
        aims={
            "aim_discrimination": "All sessions, including women-only and disability sessions, move with their times kept.",
            "aim_opportunity": "Waterside is fully accessible and has a changing places toilet.",
            "aim_relations": "Clubs keep their identity and meet at Waterside at the same times.",
        },
        armed_forces={"relevant_functions": ["none"]},
        mitigations=[
            (
                "disability",
                "Install a changing places toilet and a second pool hoist at Waterside before Riverside closes.",
                "Installed by March 2026; disability club attendance at Waterside.",
            ),
            (
                "age",
                "Free shuttle bus from Riverside to Waterside for twelve months.",
                "Shuttle passengers by age, monthly.",
            ),
            (
                "socio_economic",
                "Concession membership extended to all Riverside and Canal ward residents on Council Tax Support.",
                "Concession members from the two wards.",
            ),
        ],
        monitoring="Attendance by former Riverside members, by age and disability, monthly for a year.",
        outcome={
            "outcome": "continue",
            "continue_justification": "Repairs of £4.1 million are not affordable and the building is near the end of its life; Waterside offers better access once the mitigations are in place. No less harmful option keeps a pool in the Riverside area.",
            "summary": "Closure goes ahead with a shuttle, concession and accessibility works. Some adverse impact on older and disabled people remains and is justified.",
        },
    ),
    Scenario(
        title="Digital by default for bulky waste bookings",
        area="Neighbourhoods and Environment > Waste and Recycling",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "service",
            "decision_maker": "Head of Waste and Recycling",
            "decision_route": "delegated",
            "aims": "Move bulky waste bookings online to cut the cost per booking from £6.20 to £1.10.",
            "scope": "Bulky waste collection bookings and payments.",
            "changes": "Online booking becomes the main route; the phone line is kept for people who cannot go online.",
            "affects": "residents",
        },
        screening={
            "numbers_affected": "About 14,000 bookings a year.",
            "significance": "Low to moderate: a change of channel, not of service.",
            "known_inequalities": "Older people and disabled people are less likely to be online (ONS internet users, 2024).",
            "full_eia_needed": "yes",
        },
        evidence={
            "known_data": "Bookings by channel 2024-25; ONS internet users 2024 by age and disability.",
            "what_people_say": "Complaints show confusion when phone bookings were paused in 2023.",
            "data_gaps": "Who books by phone is not recorded. Action: ask phone callers two optional questions for three months.",
        },
        consultation={
            "who_engaged": "The Older People's Forum, the Disability Forum and the digital inclusion partnership.",
            "how_and_when": "Two forum meetings and user testing of the online form, November 2025.",
            "what_they_said": "Keep a phone option and let a relative book on someone's behalf.",
            "how_it_changed": "An assisted-digital phone line and 'book for someone else' were added.",
        },
        impacts={
            "age": (
                "negative",
                "low",
                "Some older residents cannot book online.",
                "Residents over 75 without internet access.",
            ),
            "disability": (
                "negative",
                "low",
                "Some disabled residents find online forms inaccessible.",
                "Residents with visual impairments or learning disabilities.",
            ),
            "race": (
                "neutral",
                None,
                "The form is available in the five most spoken community languages.",
                "Residents whose first language is not English.",
            ),
        },
        aims={
            "aim_discrimination": "Nobody is refused the service for not being online.",
            "aim_opportunity": "The online form meets WCAG 2.2 AA and an assisted line stays.",
            "aim_relations": NEUTRAL,
        },
        armed_forces={"relevant_functions": ["none"]},
        mitigations=[
            (
                "age",
                "Keep an assisted-digital phone line for people who cannot book online.",
                "Calls to the assisted line and complaints about access.",
            ),
            (
                "disability",
                "Test the form with disabled users and publish an accessibility statement.",
                "Accessibility audit passed; complaints about the form.",
            ),
        ],
        monitoring="Bookings by channel and complaints, quarterly.",
        outcome={"outcome": "adjust", "summary": "Online by default with an assisted phone line kept."},
    ),
    Scenario(
        title="Restructure of the revenues and benefits team",
        area="Corporate Resources > Human Resources",
        kind=EiaKind.INDIVIDUAL,
        about={
            "action_type": "restructure",
            "decision_maker": "Director of Corporate Resources",
            "changes": "Thirty-one posts are reduced to twenty-six; three team leader roles become two.",
            "affected": "Staff in the revenues and benefits team, grades 4 to 7.",
        },
        screening={},
        evidence={},
        consultation={},
        impacts={
            "age": (
                "negative",
                "medium",
                "Staff over 55 are more likely to be in the roles deleted.",
                "Eight staff aged over 55 in the affected grades.",
            ),
            "sex": ("neutral", None, "The affected roles have the same sex split as the team.", "All affected staff."),
            "disability": (
                "negative",
                "low",
                "Two disabled staff have reasonable adjustments tied to current roles.",
                "Two staff with reasonable adjustments.",
            ),
            "pregnancy_maternity": (
                "neutral",
                None,
                "One member of staff on maternity leave is consulted and has priority for redeployment.",
                "Staff on maternity leave.",
            ),
        },
        aims={
            "aim_discrimination": "Selection uses published criteria with no reference to age or length of service.",
            "aim_opportunity": "Redeployment is offered before any redundancy.",
            "aim_relations": "Consultation with the union throughout.",
        },
        armed_forces={},
        mitigations=[
            (
                "age",
                "Offer voluntary redundancy and flexible retirement first.",
                "Take-up of voluntary options by age.",
            ),
            (
                "disability",
                "Carry reasonable adjustments into new roles and redeployment trials.",
                "Adjustments in place in new roles.",
            ),
        ],
        monitoring="HR monitors selection outcomes by characteristic and reports to the Joint Consultative Committee.",
        outcome={"outcome": "adjust", "summary": "Voluntary options first and adjustments carried over."},
    ),
]
