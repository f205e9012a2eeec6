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
    #: The residual impact and why it is acceptable, where the form's mitigations section needs them.
    residual: dict[str, Any] = field(default_factory=dict)
    #: What the equalities team said when it returned the assessment, where it was returned.
    return_comment: str = ""
    #: The reviewer's comments on sections before returning it: section key -> (comment, the author's
    #: reply on marking it dealt with, or "" while it is not dealt with yet).
    section_comments: dict[str, tuple[str, str]] = field(default_factory=dict)


SCENARIOS = [
    Scenario(
        title="Library opening hours",
        area="Neighbourhoods and Environment > Libraries",
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
            "known_data": "Library management system visits by hour for {data_year}: 7% of visits at the four branches fall after 5pm. Borrower profile by age and postcode. Census 2021 for the branch catchments.",
            "what_people_say": "Friends of Eastbrook Library told us the branch is the only free warm space open in the evening.",
            "data_gaps": "We do not record disability or ethnicity of borrowers. Action: add optional monitoring questions to the library card renewal form by {change_on}.",
        },
        consultation={
            "who_engaged": "Friends of the Libraries groups, the Disability Forum, the Older People's Forum, library staff and the trade union.",
            "how_and_when": "Online and paper survey (1,212 responses) and four drop-in sessions, {consult_from} to {consult_to}.",
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
                "Morning visits by borrowers over 65 at the two branches, compared quarterly with {data_year}.",
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
        area="Corporate Resources > Revenues and Benefits",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "policy",
            "decision_maker": "Full Council",
            "decision_route": "council",
            "aims": "Move working-age Council Tax Support to a simpler income-banded scheme that costs no more than the current scheme.",
            "scope": "Working-age claimants only. Pensioners are protected by the national scheme and are out of scope.",
            "changes": "Five income bands replace the detailed means test. The lowest band's award rises from 80% to 85% of the bill, so the minimum payment there falls from 20% to 15%; the other bands pay more as income rises.",
            "affects": "residents",
        },
        screening={
            "numbers_affected": "9,850 working-age households receive Council Tax Support.",
            "significance": "High: a change to household income for people on the lowest incomes.",
            "known_inequalities": "Claimants are disproportionately disabled people, lone parents (90% of them women) and carers.",
            "full_eia_needed": "yes",
        },
        evidence={
            "known_data": "Council Tax Support caseload by household type, disability premiums and income at {started}. Modelling of gains and losses by band for every current claimant.",
            "what_people_say": "Citizens Advice reports that people find the current scheme hard to understand and fall into arrears when their hours change.",
            "data_gaps": "Ethnicity is not recorded on claims. Action: compare caseload by ward with Census 2021 ethnicity data before the scheme starts.",
        },
        consultation={
            "who_engaged": "All current claimants by letter, Citizens Advice, the food bank network, the Disability Forum and housing associations.",
            "how_and_when": "Statutory consultation, {consult_from} to {consult_to}; 1,004 responses.",
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
            "known_data": "Housing register by band, ethnicity, age, disability and household type at {started}. Lettings in the last three years by the same measures.",
            "what_people_say": "Applicants say the points system is hard to understand and they cannot tell how long they will wait.",
            "data_gaps": "Sexual orientation and gender identity are not recorded. Action: add optional questions to the application form.",
        },
        consultation={
            "who_engaged": "Housing register applicants, housing associations, the Armed Forces Covenant partnership, the leaving care team and homelessness charities.",
            "how_and_when": "Twelve-week consultation with an online survey and focus groups, {consult_from} to {consult_to_long}.",
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
        area="Neighbourhoods and Environment > Leisure Services",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "budget",
            "decision_maker": "Cabinet",
            "decision_route": "cabinet",
            "aims": "Close a 1972 leisure centre that needs £4.1 million of repairs, and move its activities to the new Waterside centre 2.4 miles away.",
            "scope": "Riverside Leisure Centre, its swimming pool, sports hall and community rooms.",
            "changes": "Riverside closes in {change_on}. Clubs and classes move to Waterside; a free shuttle bus runs for twelve months.",
            "affects": "both",
        },
        screening={
            "numbers_affected": "About 3,100 members and 14 clubs; 22 staff transfer to Waterside.",
            "significance": "High for people who walk to Riverside and cannot easily travel.",
            "known_inequalities": "The Riverside catchment has the lowest car ownership in the borough (41% of households without a car).",
            "full_eia_needed": "yes",
        },
        evidence={
            "known_data": "Membership by age, sex, disability and postcode; the condition survey of {data_year}; bus routes and journey times.",
            "what_people_say": "Disability swimming club and older people's aqua class say the journey is the main barrier.",
            "data_gaps": "Usage by ethnicity is not known. Action: short survey of pay-as-you-go users before the closure.",
        },
        consultation={
            "who_engaged": "Members, the 14 clubs, the Disability Forum, the Muslim women's swimming group, ward councillors and staff.",
            "how_and_when": "Public consultation, {consult_from} to {consult_to}, with two meetings at Riverside.",
            "what_they_said": "Strong opposition to closure; practical requests for transport and for a changing places toilet at Waterside. Women who use the women-only sessions asked for the same screened pool times and female lifeguards.",
            "how_it_changed": "Free shuttle bus for twelve months, a changing places toilet at Waterside and women-only sessions at the same times with female staff were added.",
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
            "sex": (
                "negative",
                "low",
                "Women who swim only in women-only sessions could lose them if Waterside's timetable did not keep them; "
                "the two sessions a week move at the same times, with the pool screened and female lifeguards.",
                "About 160 women who use the women-only sessions, many from Riverside ward.",
            ),
            "religion_belief": (
                "neutral",
                None,
                "Muslim women who swim for reasons of modesty keep the women-only sessions at the same times.",
                "Members of the Muslim women's swimming group.",
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
                "Installed before Riverside closes; disability club attendance at Waterside.",
            ),
            (
                "age",
                "Free shuttle bus from Riverside to Waterside for twelve months.",
                "Shuttle passengers by age, monthly.",
            ),
            (
                "sex",
                "Keep the two women-only sessions at Waterside at the same times, with the pool screened and female lifeguards.",
                "Attendance at women-only sessions before and after the move.",
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
            "known_data": "Bookings by channel in {data_year}; ONS internet users by age and disability.",
            "what_people_say": "Complaints show confusion when phone bookings were paused for a month last winter.",
            "data_gaps": "Who books by phone is not recorded. Action: ask phone callers two optional questions for three months.",
        },
        consultation={
            "who_engaged": "The Older People's Forum, the Disability Forum and the digital inclusion partnership.",
            "how_and_when": "Two forum meetings and user testing of the online form in {consult_month}.",
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
        return_comment="Please add what the contact centre's callers told you about booking for someone else, and "
        "say how the assisted phone line will be publicised to residents who are not online.",
        section_comments={
            "consultation": (
                "The contact centre takes many bookings made for a neighbour or a parent. What did those callers say?",
                "Added: callers booking for someone else asked to give that person's address and phone number.",
            ),
            "mitigations": (
                "How will residents who are not online hear about the assisted phone line?",
                "Added: the line is printed on council tax bills and the bulky waste leaflet in libraries.",
            ),
        },
        outcome={"outcome": "adjust", "summary": "Online by default with an assisted phone line kept."},
    ),
    Scenario(
        title="Restructure of the revenues and benefits team",
        area="Corporate Resources > Revenues and Benefits",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "function",
            "decision_maker": "Director of Corporate Resources",
            "decision_route": "delegated",
            "aims": "Save £190,000 a year as more claims and payments move online, without lengthening the time taken to process a claim.",
            "scope": "The 31 posts of the revenues and benefits team, grades 4 to 7. The service to residents is unchanged.",
            "changes": "Thirty-one posts are reduced to twenty-six and three team leader roles become two. Staff are matched or ring-fenced into the new structure under the council's organisational change policy.",
            "affects": "staff",
        },
        screening={
            "numbers_affected": "31 staff; five posts are deleted.",
            "significance": "High for the staff at risk of redundancy.",
            "known_inequalities": "The team is older and more often female than the council's workforce: 71% women, 38% over 55.",
            "full_eia_needed": "yes",
        },
        evidence={
            "known_data": "HR workforce profile of the team at {started}: age, sex, disability, ethnicity, working pattern and maternity leave.",
            "what_people_say": "Staff raised in team meetings that part-time staff could be squeezed out of team leader roles.",
            "data_gaps": "Sexual orientation and religion are not disclosed by a third of the team, so effects cannot be checked for them.",
        },
        consultation={
            "who_engaged": "Every member of the team, UNISON and GMB, and the staff disability network.",
            "how_and_when": "Formal 45-day collective consultation from {consult_from}, with one-to-one meetings for everyone at risk.",
            "what_they_said": "The unions asked for voluntary redundancy to be offered first; part-time staff asked that team leader roles be open to job shares.",
            "how_it_changed": "Voluntary redundancy and flexible retirement are offered first, and both team leader roles are open to job shares.",
        },
        impacts={
            "age": (
                "negative",
                "medium",
                "Staff over 55 are more likely to be in the grade 4 processing roles that are deleted.",
                "Eight staff aged over 55 in the affected grades.",
            ),
            "sex": (
                "negative",
                "low",
                "Women, who hold 14 of the 16 part-time posts, could be kept out of team leader roles if those were full-time only.",
                "Part-time staff, almost all of them women.",
            ),
            "disability": (
                "negative",
                "low",
                "Two disabled staff have reasonable adjustments tied to their current roles and workstations.",
                "Two staff with reasonable adjustments.",
            ),
            "pregnancy_maternity": (
                "neutral",
                None,
                "One member of staff on maternity leave is consulted at home and has first refusal of a suitable role.",
                "Staff on maternity leave.",
            ),
        },
        aims={
            "aim_discrimination": "Selection uses published criteria with no reference to age, length of service or working pattern.",
            "aim_opportunity": "Redeployment is offered before any redundancy, and job shares open team leader roles to part-time staff.",
            "aim_relations": "The recognised unions are consulted throughout.",
        },
        armed_forces={"relevant_functions": ["none"]},
        mitigations=[
            (
                "age",
                "Offer voluntary redundancy and flexible retirement before any compulsory selection.",
                "Take-up of voluntary options, and compulsory redundancies, by age band.",
            ),
            (
                "sex",
                "Open both team leader roles to job shares.",
                "Applicants and appointments to team leader roles by working pattern and sex.",
            ),
            (
                "disability",
                "Carry reasonable adjustments into new roles and redeployment trials.",
                "Adjustments in place in the new roles on the first day.",
            ),
        ],
        monitoring="HR reports selection outcomes by characteristic to the Joint Consultative Committee at the end of the consultation.",
        outcome={
            "outcome": "adjust",
            "summary": "Adjusted: voluntary options first, job shares for team leader roles and adjustments carried over.",
        },
    ),
    Scenario(
        title="Redeployment after a change in health: finance assistant",
        area="Corporate Resources > Human Resources",
        kind=EiaKind.INDIVIDUAL,
        about={
            "action_type": "redeployment",
            "decision_maker": "Head of Human Resources",
            "changes": "A finance assistant can no longer do the cash-handling part of the role after a change in health. "
            "Occupational health advises a desk-based role. The proposal is to redeploy the employee to a vacant "
            "grade 5 post in Customer Services with pay protected for twelve months.",
            "affected": "One employee, a finance assistant with a long-term health condition, and their line manager.",
        },
        screening={},
        evidence={},
        consultation={},
        impacts={
            "disability": (
                "positive",
                None,
                "Redeployment keeps the employee in work, with the adjustments occupational health recommends.",
                "The employee, who is disabled within the meaning of the Act.",
            ),
            "age": (
                "neutral",
                None,
                "The employee's age played no part in the options considered.",
                "The employee.",
            ),
            "carers": (
                "negative",
                "low",
                "The Customer Services post starts at 8.30am; the employee cares for a parent in the mornings.",
                "The employee, who is a carer.",
            ),
        },
        aims={
            "aim_discrimination": "The employee is offered a suitable vacancy before others, as a reasonable adjustment.",
            "aim_opportunity": "Pay protection and a four-week trial period give the new role a fair chance.",
            "aim_relations": "Not relevant to one person's redeployment.",
        },
        armed_forces={},
        mitigations=[
            (
                "carers",
                "Agree a 9.30am start in the new role under the flexible working policy.",
                "Start time confirmed in the offer letter.",
            ),
        ],
        monitoring="The line manager and HR review the trial period at two and four weeks with the employee.",
        outcome={
            "outcome": "adjust",
            "summary": "Redeployment goes ahead with a later start time agreed for caring.",
        },
    ),
    Scenario(
        title="Replacement of the payroll system",
        area="Corporate Resources > Human Resources",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "function",
            "decision_maker": "Head of Human Resources",
            "decision_route": "delegated",
            "aims": "Replace the payroll software, whose supplier ends support, with the same pay rules and payment dates.",
            "scope": "Payroll for council staff and members' allowances. Pay, terms and conditions are out of scope.",
            "changes": "Payroll moves to a new system. Payslips stay online, with a paper copy for anyone who asks.",
            "affects": "staff",
        },
        screening={
            "numbers_affected": "About 2,100 staff and 51 councillors.",
            "significance": "Low: nobody's pay, terms or payment dates change.",
            "known_inequalities": "About 140 staff, mostly in waste and leisure, do not use a computer at work and ask for paper payslips.",
            "full_eia_needed": "no",
            "not_proportionate_reason": "The change is to the software only. Paper payslips stay for those who ask, "
            "and the supplier's payslip portal meets WCAG 2.2 AA. Nothing in the change affects any group differently.",
        },
        evidence={},
        consultation={},
        impacts={},
        aims={},
        armed_forces={"relevant_functions": ["none"]},
        mitigations=[],
        monitoring="",
        outcome={"outcome": "no_major_change", "summary": "Screened out: a change of software with no change to pay."},
    ),
    Scenario(
        title="Withdrawal of free swimming for under-16s",
        area="Neighbourhoods and Environment > Leisure Services",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "budget",
            "decision_maker": "Cabinet",
            "decision_route": "cabinet",
            "aims": "Save £95,000 a year by ending free swimming for under-16s in the school holidays.",
            "scope": "Free holiday swimming at the council's three pools. Lessons and school swimming are out of scope.",
            "changes": "Under-16s would pay the junior rate of £2.60 a swim in the school holidays instead of swimming free.",
            "affects": "residents",
        },
        screening={
            "numbers_affected": "About 41,000 free swims a year by around 6,800 children.",
            "significance": "High for children in low-income families, for whom free swimming is often the only paid-for activity in the holidays.",
            "known_inequalities": "Children in the most deprived wards are half as likely to be able to swim 25 metres at age 11 (school swimming records).",
            "full_eia_needed": "yes",
        },
        evidence={
            "known_data": "Free swims by postcode and age for {data_year}; school swimming attainment; free school meals rates by ward.",
            "what_people_say": "Holiday activity providers and the leaving care team told us free swimming is what they build their holiday programmes around.",
            "data_gaps": "Ethnicity and disability of children swimming free are not recorded.",
        },
        consultation={
            "who_engaged": "Parents through schools, the Youth Council, holiday activity providers, the leaving care team and the Children in Care Council.",
            "how_and_when": "Online survey through schools and five sessions at the pools, {consult_from} to {consult_to}; 2,340 responses.",
            "what_they_said": "Four in five parents in the most deprived wards said their children would swim less or stop. The Children in Care Council said foster carers rely on it in the holidays.",
            "how_it_changed": "Officers recommended that the proposal be withdrawn, and Cabinet agreed.",
        },
        impacts={
            "age": (
                "negative",
                "high",
                "Children would swim less in the holidays, with a lasting effect on water safety and activity.",
                "About 6,800 children under 16.",
            ),
            "socio_economic": (
                "negative",
                "high",
                "Families on low incomes are the most likely to stop: 62% of free swims are by children from the 30% most deprived areas.",
                "Children in low-income families, especially in the three most deprived wards.",
            ),
            "care_experience": (
                "negative",
                "medium",
                "Children in care swim free through the same scheme; foster carers would pay for each swim.",
                "About 210 children in the council's care placed locally, and their foster carers.",
            ),
            "disability": (
                "not_known",
                None,
                "We do not know how many disabled children use free swimming.",
                "Disabled children and their families.",
                "Ask the parent carer forum and the disabled children's team before any future proposal.",
            ),
        },
        aims={
            "aim_discrimination": "A flat charge would fall hardest on children in low-income families and in care.",
            "aim_opportunity": "Free swimming is one of the few holiday activities open to every child; withdrawing it would widen the gap in swimming ability.",
            "aim_relations": "Holiday swimming brings children from every part of the borough together.",
        },
        armed_forces={"relevant_functions": ["none"]},
        mitigations=[],
        monitoring="Free swims by ward and age continue to be reported to the Leisure Services board each holiday.",
        residual={
            "residual_impact": "None: the proposal is withdrawn and free holiday swimming continues.",
            "residual_justification": "No mitigation within the saving could prevent the harm to children in "
            "low-income families and in care, so the proposal was stopped rather than mitigated.",
        },
        outcome={
            "outcome": "stop",
            "summary": "Stop and remove: the impact on children in low-income families and in care is high and cannot be "
            "mitigated within the saving. The proposal was withdrawn from the budget and a saving found in energy costs instead.",
        },
    ),
    Scenario(
        title="Council tax exemption for care leavers",
        area="Corporate Resources > Revenues and Benefits",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "policy",
            "decision_maker": "Cabinet Member for Finance",
            "decision_route": "cabinet",
            "aims": "Meet the council's duty as corporate parent by removing council tax for care leavers while they set up home.",
            "scope": "Care leavers aged 18 to 25 who live in the borough and were looked after by this council or another.",
            "changes": "A full discretionary council tax discount under section 13A for care leavers up to their 25th birthday, applied by the leaving care team without a form.",
            "affects": "residents",
        },
        screening={
            "numbers_affected": "About 190 care leavers liable for council tax in the borough.",
            "significance": "High for each care leaver: the average bill for a single adult in band A is £1,270 a year after the single person discount.",
            "known_inequalities": "Care leavers are more likely to fall into debt in their first tenancy; 41% of those with a tenancy owed council tax last year.",
            "full_eia_needed": "yes",
        },
        evidence={
            "known_data": "Leaving care team caseload by age and tenancy at {started}; council tax arrears of care leavers in {data_year}.",
            "what_people_say": "The Care Leavers' Forum said council tax letters were the bill they feared most in a first flat.",
            "data_gaps": "Care leavers placed here by other councils are not always known to us. Action: ask neighbouring councils to share who they have placed here, with consent.",
        },
        consultation={
            "who_engaged": "The Care Leavers' Forum, personal advisers and the Children in Care Council.",
            "how_and_when": "Two forum meetings in {consult_month} and a short survey by personal advisers.",
            "what_they_said": "Care leavers asked that the discount go up to 25, not 21, and that they never have to fill in a form.",
            "how_it_changed": "The discount runs to the 25th birthday and is applied on the leaving care team's notice.",
        },
        impacts={
            "care_experience": (
                "positive",
                None,
                "Care leavers pay no council tax until 25, removing the most common first debt.",
                "About 190 care leavers aged 18 to 25.",
            ),
            "age": (
                "positive",
                None,
                "The discount supports young adults at the start of independent living.",
                "Care leavers aged 18 to 25.",
            ),
            "race": (
                "not_known",
                None,
                "Black and mixed-ethnicity young people are over-represented among care leavers, so they will benefit more; the numbers will be checked.",
                "Care leavers of every ethnicity.",
                "Report take-up by ethnicity to the Corporate Parenting Board after the first year.",
            ),
        },
        aims={
            "aim_discrimination": "The discount applies to every care leaver in the borough, whichever council looked after them.",
            "aim_opportunity": "Removing council tax debt helps care leavers keep their first tenancy.",
            "aim_relations": "Publishing the council's offer to care leavers shows what corporate parenting means in practice.",
        },
        armed_forces={"relevant_functions": ["none"]},
        mitigations=[],
        monitoring="Take-up and arrears of care leavers reported yearly to the Corporate Parenting Board.",
        outcome={
            "outcome": "no_major_change",
            "summary": "Go ahead: a positive effect on care leavers with no negative impact found.",
        },
    ),
    Scenario(
        title="Temporary accommodation placements policy",
        area="Housing > Housing Options",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "policy",
            "decision_maker": "Cabinet Member for Housing",
            "decision_route": "cabinet",
            "aims": "Place homeless households as close to home as we can, and set out fairly who is placed out of the borough when there is no room.",
            "scope": "Placements in temporary accommodation under Part 7 of the Housing Act 1996.",
            "changes": "A written priority order for in-borough placements: households with children in local schools, disabled people needing local care, and people needing local medical treatment come first.",
            "affects": "residents",
        },
        screening={
            "numbers_affected": "About 310 households a year placed in temporary accommodation; 45 placed out of the borough last year.",
            "significance": "High: where a homeless household lives affects school, work, care and treatment.",
            "known_inequalities": "Lone mothers and Black households are over-represented among households in temporary accommodation.",
            "full_eia_needed": "yes",
        },
        evidence={
            "known_data": "Homelessness case records (H-CLIC) for {data_year}: placements by household type, ethnicity, disability and distance.",
            "what_people_say": "Shelter and the family support service report children missing school after out-of-borough placements.",
            "data_gaps": "Armed forces service is recorded only since the new assessment form; earlier cases cannot be checked.",
        },
        consultation={
            "who_engaged": "Homeless households in temporary accommodation, Shelter, the Armed Forces Covenant partnership, schools and the leaving care team.",
            "how_and_when": "Interviews with 24 households and a partner workshop, {consult_from} to {consult_to}.",
            "what_they_said": "Families asked for priority to keep children in the same school. Veterans' charities asked that veterans with service-related conditions keep access to local NHS veterans' services.",
            "how_it_changed": "Veterans needing treatment at the local veterans' mental health service were added to the first priority group.",
        },
        impacts={
            "sex": (
                "positive",
                None,
                "Lone mothers with school-age children, most of the families placed, now have priority for in-borough placements.",
                "Lone-parent households, nine in ten headed by women.",
            ),
            "disability": (
                "positive",
                None,
                "Disabled people with local care packages stay near their carers.",
                "Homeless households with a disabled member.",
            ),
            "race": (
                "negative",
                "low",
                "Black households are placed out of the borough more often because they are larger and larger units are scarce.",
                "Black households of five or more people.",
            ),
            "armed_forces": (
                "positive",
                None,
                "Veterans using the local veterans' mental health service are placed in the borough.",
                "Veterans in temporary accommodation.",
            ),
            "care_experience": (
                "positive",
                None,
                "Care leavers under 25 are placed in the borough near their personal adviser.",
                "Homeless care leavers.",
            ),
        },
        aims={
            "aim_discrimination": "A published order replaces case-by-case choices, so placements can be checked for fairness.",
            "aim_opportunity": "Children keep their school place and disabled people their care.",
            "aim_relations": "A clear policy explains why some households are placed further away.",
        },
        armed_forces={
            "relevant_functions": ["homelessness"],
            "regard_obligations": "Service leavers often have no local connection and no settled home when they leave; the policy does not require one for a placement.",
            "regard_disadvantage": "Veterans needing local veterans' health services are in the first priority group, so their treatment is not broken by a placement.",
            "regard_special_provision": "Special provision is justified for veterans with service-related conditions, and is made.",
        },
        mitigations=[
            (
                "race",
                "Lease twelve more four-bedroom homes in the borough for temporary accommodation.",
                "Out-of-borough placements of large households, by ethnicity, each quarter.",
            ),
        ],
        monitoring="Placements by distance and by each characteristic recorded, quarterly to the Housing Board.",
        outcome={
            "outcome": "adjust",
            "summary": "Adjusted to add veterans needing local treatment to the first priority group; more large homes to be leased.",
        },
    ),
    Scenario(
        title="Guaranteed interview scheme for care leavers and veterans",
        area="Corporate Resources > Human Resources",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "policy",
            "decision_maker": "Employment Committee",
            "decision_route": "committee",
            "aims": "Open council jobs to care leavers and armed forces veterans, who are under-represented in our workforce.",
            "scope": "Every council vacancy advertised externally.",
            "changes": "Care leavers up to 25 and veterans who meet a post's essential criteria are guaranteed an interview.",
            "affects": "both",
        },
        screening={
            "numbers_affected": "About 600 vacancies a year.",
            "significance": "Moderate: access to interviews for two groups; appointment remains on merit.",
            "known_inequalities": "Care leavers are three times as likely as their peers to be out of work at 21.",
            "full_eia_needed": "yes",
        },
        evidence={
            "known_data": "Applicant and appointment data for {data_year} by stage; the workforce profile.",
            "what_people_say": "The Care Leavers' Forum said applications fall at the shortlisting stage for lack of work history.",
            "data_gaps": "Veteran status was not asked on application forms. Action: add an optional question.",
        },
        consultation={
            "who_engaged": "The Care Leavers' Forum, the Armed Forces Covenant partnership, recruiting managers and the unions.",
            "how_and_when": "A forum meeting and a managers' survey in {consult_month}.",
            "what_they_said": "Managers asked for guidance on interviewing people without work history.",
            "how_it_changed": "Interview guidance and a mock interview offer were added.",
        },
        impacts={
            "care_experience": (
                "positive",
                None,
                "Care leavers reach interview, where they can show what they can do.",
                "Care leavers up to 25 applying for council jobs.",
            ),
            "armed_forces": (
                "positive",
                None,
                "Veterans' skills are recognised at shortlisting.",
                "Veterans applying for council jobs.",
            ),
            "age": (
                "neutral",
                None,
                "Appointment stays on merit; other applicants of any age are shortlisted as now.",
                "All applicants.",
            ),
        },
        aims={
            "aim_discrimination": "The scheme is positive action under section 158 of the Act; appointment stays on merit.",
            "aim_opportunity": "Two under-represented groups reach interview.",
            "aim_relations": "Staff networks will help new starters from both groups settle in.",
        },
        armed_forces={"relevant_functions": ["none"]},
        mitigations=[],
        monitoring="Applications, interviews and appointments of both groups reported yearly to the Employment Committee.",
        outcome={"outcome": "no_major_change", "summary": "Go ahead: positive action with no adverse impact found."},
    ),
    Scenario(
        title="Charges for replacement wheeled bins",
        area="Neighbourhoods and Environment > Waste and Recycling",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "service",
            "decision_maker": "Head of Waste and Recycling",
            "decision_route": "delegated",
            "aims": "Recover the cost of replacing lost or damaged bins, £180,000 a year.",
            "scope": "Replacement general waste and recycling bins. Bins damaged by the crews stay free.",
            "changes": "A £28 charge for a replacement bin, delivered.",
            "affects": "residents",
        },
        screening={
            "numbers_affected": "About 6,400 replacement bins a year.",
            "significance": "Low to moderate: a one-off charge.",
            "known_inequalities": "Households on low incomes cannot always find £28 at once.",
            "full_eia_needed": "yes",
        },
        evidence={
            "known_data": "Replacement requests by ward in {data_year}.",
            "what_people_say": "Residents in flats say bins are taken from shared bin stores.",
            "data_gaps": "We do not know who asks for replacement bins.",
        },
        consultation={
            "who_engaged": "Housing associations and ward councillors.",
            "how_and_when": "Emails and a briefing in {consult_month}.",
            "what_they_said": "Housing associations asked that residents of shared bin stores not be charged for stolen bins.",
            "how_it_changed": "Not yet: the return from the equalities team asked for this to be answered.",
        },
        impacts={
            "socio_economic": (
                "negative",
                "medium",
                "A £28 charge is hard to meet for households on low incomes.",
                "Households on Council Tax Support.",
            ),
        },
        aims={
            "aim_discrimination": "The charge is the same for everyone.",
            "aim_opportunity": "Not answered yet.",
            "aim_relations": NEUTRAL,
        },
        armed_forces={"relevant_functions": ["none"]},
        mitigations=[
            (
                "socio_economic",
                "Half price for households on Council Tax Support.",
                "Discounted bins issued, by ward.",
            ),
        ],
        monitoring="Requests and complaints by ward, quarterly.",
        return_comment="Please answer the housing associations' point: will residents of flats with shared bin stores "
        "be charged for bins taken from the store? And say how the half-price bin will reach households that qualify "
        "but do not claim Council Tax Support.",
        section_comments={
            "consultation": (
                "The housing associations asked about shared bin stores. Say what you decided and why.",
                "Bins taken from a shared store are replaced free: added to the proposal and the answer here.",
            ),
            "mitigations": (
                "Households that qualify for Council Tax Support but do not claim it miss the half-price bin. "
                "How will they hear of it?",
                "",
            ),
        },
        outcome={"outcome": "adjust", "summary": "A charge with a discount for households on Council Tax Support."},
    ),
    Scenario(
        title="Transport to day opportunities: new charging policy",
        area="Adult Social Care > Commissioning",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "policy",
            "decision_maker": "Cabinet",
            "decision_route": "cabinet",
            "aims": "Apply the council's fairer charging policy to transport to day opportunities, which is now free whatever a person's means.",
            "scope": "Council-arranged transport to day opportunities for adults with eligible care needs.",
            "changes": "Transport is included in the financial assessment; nobody pays more than their assessed contribution.",
            "affects": "residents",
        },
        screening={
            "numbers_affected": "About 420 adults use council-arranged transport; about 150 would pay something.",
            "significance": "High: the people affected are disabled and many are older.",
            "known_inequalities": "Adults with learning disabilities make up two thirds of the people using the transport.",
            "full_eia_needed": "yes",
        },
        evidence={
            "known_data": "Transport users by age, disability and financial assessment outcome at {started}.",
            "what_people_say": "Carers say transport is what lets them keep working.",
            "data_gaps": "The effect on unpaid carers' work is not measured.",
        },
        consultation={
            "who_engaged": "People using day opportunities and their carers, the Learning Disability Partnership Board and the carers' centre.",
            "how_and_when": "Easy-read survey and three meetings at day centres, {consult_from} to {consult_to}.",
            "what_they_said": "People asked that nobody lose their place because they cannot pay, and that carers' needs be counted.",
            "how_it_changed": "Disability-related expenses for transport are allowed in the financial assessment.",
        },
        impacts={
            "disability": (
                "negative",
                "medium",
                "About 150 disabled adults would pay up to £12 a week towards transport.",
                "Adults with learning disabilities and physical disabilities who have savings or income above the threshold.",
            ),
            "carers": (
                "negative",
                "medium",
                "Carers could give up work if the person they care for stops attending.",
                "Unpaid carers of day opportunity users.",
            ),
            "age": (
                "neutral",
                None,
                "The same assessment applies at every age.",
                "Adults of every age using day opportunities.",
            ),
        },
        aims={
            "aim_discrimination": "Charges follow the Care Act financial assessment, so nobody pays more than they can afford.",
            "aim_opportunity": "Disability-related expenses keep day opportunities within reach.",
            "aim_relations": NEUTRAL,
        },
        armed_forces={"relevant_functions": ["none"]},
        mitigations=[
            (
                "disability",
                "Allow disability-related transport costs in every financial assessment.",
                "People who stop attending after the change (target: none for cost).",
            ),
            (
                "carers",
                "Offer every carer a carer's assessment before the charge starts.",
                "Carers' assessments offered and completed.",
            ),
        ],
        monitoring="Attendance and charges by disability and age, quarterly to the Adult Social Care management team.",
        outcome={
            "outcome": "adjust",
            "summary": "Adjusted to allow disability-related expenses and offer carers' assessments.",
        },
    ),
    Scenario(
        title="Personal adviser service for care leavers: move to a hub model",
        area="Children's Services > Children in Care and Care Leavers",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "service",
            "decision_maker": "Director of Children's Services",
            "decision_route": "delegated",
            "aims": "Bring personal advisers, housing and employment support for care leavers together in one hub.",
            "scope": "Personal adviser support for care leavers aged 18 to 25.",
            "changes": "Personal advisers work from a town centre hub with drop-in hours instead of visiting everyone at home each month; home visits continue for those who need them.",
            "affects": "both",
        },
        screening={
            "numbers_affected": "About 330 care leavers and 14 personal advisers.",
            "significance": "High: care leavers rely on their adviser as a corporate parent.",
            "known_inequalities": "Care leavers have worse outcomes in housing, work and health than their peers.",
            "full_eia_needed": "yes",
        },
        evidence={
            "known_data": "Pathway plans, contact records and outcomes at 19, 20 and 21 for {data_year}.",
            "what_people_say": "Care leavers in the Care Leavers' Forum said they want to see their adviser when they need to, not on a schedule.",
            "data_gaps": "Contact records do not show how far each care leaver lives from the town centre.",
        },
        consultation={
            "who_engaged": "The Care Leavers' Forum, personal advisers, the Children in Care Council and young parents' group.",
            "how_and_when": "Workshops and a survey run by care leavers, {consult_from} to {consult_to}.",
            "what_they_said": "Young parents and care leavers living out of town said they could not reach the hub.",
            "how_it_changed": "Bus passes for every care leaver and home visits kept for young parents and disabled care leavers.",
        },
        impacts={
            "care_experience": (
                "negative",
                "medium",
                "Care leavers who live out of town or find travel hard could see their adviser less often.",
                "About 60 care leavers living outside the town centre, and young parents.",
            ),
            "pregnancy_maternity": (
                "negative",
                "low",
                "Young parents find travel with a baby hard.",
                "About 25 care leavers who are parents or pregnant.",
            ),
            "disability": (
                "neutral",
                None,
                "Disabled care leavers keep home visits.",
                "Disabled care leavers.",
            ),
        },
        aims={
            "aim_discrimination": "Home visits stay for anyone whose circumstances make the hub hard to reach.",
            "aim_opportunity": "Housing and employment advice in one place improves outcomes at 21.",
            "aim_relations": "Care leavers meet each other at the hub's drop-in sessions.",
        },
        armed_forces={"relevant_functions": ["none"]},
        mitigations=[
            (
                "care_experience",
                "Give every care leaver a free bus pass and keep monthly contact as the minimum.",
                "Care leavers in touch each month, compared with the year before.",
            ),
            (
                "pregnancy_maternity",
                "Keep home visits for young parents and pregnant care leavers.",
                "Contacts with young parents, monthly.",
            ),
        ],
        monitoring="Contacts, outcomes at 19 to 21 and the forum's feedback, reported to the Corporate Parenting Board each quarter.",
        outcome={"outcome": "adjust", "summary": "Adjusted to keep home visits for young parents and give bus passes."},
    ),
    Scenario(
        title="Tenancy strategy review",
        area="Housing > Housing Options",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "policy",
            "decision_maker": "Cabinet",
            "decision_route": "cabinet",
            "aims": "Set the council's expectations of registered providers' tenancies in the borough for the next five years.",
            "scope": "The tenancy strategy under the Localism Act 2011: tenancy types, lengths and affordable rent.",
            "changes": "Lifetime tenancies are preferred for general needs homes, and fixed-term tenancies are limited to adapted homes that may be needed again.",
            "affects": "residents",
        },
        screening={
            "numbers_affected": "About 15,000 social rented homes owned by the council and nine housing associations.",
            "significance": "High: the security of people's homes.",
            "known_inequalities": "Disabled people live in adapted homes that fixed-term tenancies would cover.",
            "full_eia_needed": "yes",
        },
        evidence={
            "known_data": "Registered providers' tenancy returns for {data_year}.",
            "what_people_say": "Tenants' groups said fixed-term tenancies make families feel insecure.",
            "data_gaps": "Housing associations hold their own tenant data; two have not yet shared it.",
        },
        consultation={
            "who_engaged": "Housing associations, tenants' groups and the Armed Forces Covenant partnership.",
            "how_and_when": "Still being planned for {consult_month}.",
            "what_they_said": "Not yet known.",
            "how_it_changed": "Not yet known.",
        },
        impacts={
            "disability": (
                "not_known",
                None,
                "Fixed-term tenancies of adapted homes could unsettle disabled tenants; the effect depends on how they are reviewed.",
                "Disabled tenants of adapted homes.",
                "Ask the housing associations for their adapted-home tenancy data.",
            ),
        },
        aims={
            "aim_discrimination": "To be completed after the consultation.",
            "aim_opportunity": "To be completed after the consultation.",
            "aim_relations": "To be completed after the consultation.",
        },
        armed_forces={
            "relevant_functions": ["tenancy_strategy"],
            "regard_obligations": "Service families move often; the strategy will ask providers to keep the joint tenancy of a bereaved partner.",
            "regard_disadvantage": "To be answered after talking to the Covenant partnership.",
            "regard_special_provision": "To be answered after talking to the Covenant partnership.",
        },
        mitigations=[],
        monitoring="To follow.",
        outcome={"outcome": "no_major_change", "summary": "Draft: the outcome follows the consultation."},
    ),
    Scenario(
        title="Housing register renewal letters",
        area="Housing > Housing Options",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "service",
            "decision_maker": "Head of Housing Options",
            "decision_route": "delegated",
            "aims": "Keep the housing register up to date by asking each applicant once a year whether they still need a home.",
            "scope": "The yearly renewal of housing register applications.",
            "changes": "Applicants who do not answer two reminders within 56 days are taken off the register.",
            "affects": "residents",
        },
        screening={
            "numbers_affected": "6,300 applicants a year.",
            "significance": "High for anyone removed in error.",
            "known_inequalities": "Applicants with learning disabilities or whose first language is not English answer letters less often.",
            "full_eia_needed": "yes",
        },
        evidence={
            "known_data": "Renewal responses in {data_year} by age and language.",
            "what_people_say": "Advice agencies say people lose their place when letters go to an old address.",
            "data_gaps": "Applicants' communication needs are recorded for only half of the register.",
        },
        consultation={
            "who_engaged": "Advice agencies.",
            "how_and_when": "To be arranged.",
            "what_they_said": "Not yet known.",
            "how_it_changed": "Not yet known.",
        },
        impacts={
            "disability": (
                "negative",
                "medium",
                "Applicants with learning disabilities may not understand or answer the letters.",
                "Applicants with learning disabilities.",
            ),
        },
        aims={
            "aim_discrimination": "Reminders will be sent in each applicant's recorded format.",
            "aim_opportunity": "To be completed.",
            "aim_relations": NEUTRAL,
        },
        armed_forces={
            "relevant_functions": ["housing_allocations"],
            "regard_obligations": "To be completed.",
            "regard_disadvantage": "To be completed.",
            "regard_special_provision": "To be completed.",
        },
        mitigations=[],
        monitoring="To follow.",
        outcome={"outcome": "adjust", "summary": "Draft."},
    ),
    Scenario(
        title="Closing the council tax phone line on Wednesdays",
        area="Corporate Resources > Revenues and Benefits",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "budget",
            "decision_maker": "Cabinet",
            "decision_route": "cabinet",
            "aims": "Save £38,000 a year by closing the council tax phone line one day a week.",
            "scope": "The council tax phone line. Online services and the benefits line are out of scope.",
            "changes": "The line closes on Wednesdays; callers are directed online.",
            "affects": "both",
        },
        screening={
            "numbers_affected": "About 900 calls each Wednesday.",
            "significance": "Moderate for people who cannot use online services.",
            "known_inequalities": "Older people and disabled people call more than they use the online forms.",
            "full_eia_needed": "yes",
        },
        evidence={"known_data": "Calls by day and reason for {data_year}.", "what_people_say": "", "data_gaps": ""},
        consultation={"who_engaged": "", "how_and_when": "", "what_they_said": "", "how_it_changed": ""},
        impacts={},
        aims={"aim_discrimination": "", "aim_opportunity": "", "aim_relations": ""},
        armed_forces={"relevant_functions": ["none"]},
        mitigations=[],
        monitoring="",
        outcome={"outcome": "adjust", "summary": "Draft."},
    ),
    Scenario(
        title="Removing overdue charges on children's library books",
        area="Neighbourhoods and Environment > Libraries",
        kind=EiaKind.STANDARD,
        about={
            "proposal_type": "service",
            "decision_maker": "Head of Libraries",
            "decision_route": "delegated",
            "aims": "Stop overdue charges putting families off borrowing; the charges raise £11,000 a year.",
            "scope": "Overdue charges on children's and teenage books. Adult charges are out of scope.",
            "changes": "No overdue charges on children's books; existing children's fines are written off.",
            "affects": "residents",
        },
        screening={
            "numbers_affected": "About 4,100 children's library cards have a fine; 1,300 are blocked.",
            "significance": "Moderate: access to books for children.",
            "known_inequalities": "Blocked cards are concentrated in the most deprived wards.",
            "full_eia_needed": "yes",
        },
        evidence={
            "known_data": "Blocked children's cards by ward for {data_year}.",
            "what_people_say": "Schools say parents stop their children borrowing for fear of fines.",
            "data_gaps": "We do not know how many families stopped using the library because of fines.",
        },
        consultation={
            "who_engaged": "Schools, Friends of the Libraries groups and the Youth Council.",
            "how_and_when": "Planned for {consult_month}.",
            "what_they_said": "Not yet known.",
            "how_it_changed": "Not yet known.",
        },
        impacts={
            "age": (
                "positive",
                None,
                "Children can borrow again without a blocked card.",
                "About 1,300 children with blocked cards.",
            ),
            "socio_economic": (
                "positive",
                None,
                "Families on low incomes, whose children hold most blocked cards, gain most.",
                "Children in the most deprived wards.",
            ),
        },
        aims={
            "aim_discrimination": NEUTRAL,
            "aim_opportunity": "Every child can use the library whatever their family can pay.",
            "aim_relations": NEUTRAL,
        },
        armed_forces={"relevant_functions": ["none"]},
        mitigations=[],
        monitoring="Children's active cards by ward, quarterly.",
        outcome={"outcome": "no_major_change", "summary": "Draft: expected to go ahead."},
    ),
]

#: By title.
BY_TITLE = {scenario.title: scenario for scenario in SCENARIOS}
