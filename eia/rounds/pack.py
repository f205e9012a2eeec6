"""The members' pack of a budget round, as a tagged PDF and as a Word document: the duty (s.149 of
the Equality Act 2010) and what due regard asks of members, the matrix of impacts, the cumulative
findings, and a page on each proposal. Both files are made from the one :class:`MembersPack`."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date

from flask import current_app, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eia import docx_parts, render_cache
from eia.accounts.models import ServiceArea
from eia.assessments import committee
from eia.assessments.models import Eia, Impact, Mitigation
from eia.extensions import db
from eia.pdf import render_pdf
from eia.rounds import queries
from eia.rounds.models import CUMULATIVE_THRESHOLD, BudgetRound
from eia.template_filters import format_date

OUTCOMES = {
    "no_major_change": "No major change needed",
    "adjust": "Adjust the proposal",
    "continue": "Continue despite adverse impact",
    "stop": "Stop and remove the proposal",
}

#: Section 149 of the Equality Act 2010, subsections (1) and (3), as enacted.
SECTION_149 = (
    "(1) A public authority must, in the exercise of its functions, have due regard to the need to—",
    "(a) eliminate discrimination, harassment, victimisation and any other conduct that is prohibited "
    "by or under this Act;",
    "(b) advance equality of opportunity between persons who share a relevant protected characteristic "
    "and persons who do not share it;",
    "(c) foster good relations between persons who share a relevant protected characteristic and "
    "persons who do not share it.",
    "(3) Having due regard to the need to advance equality of opportunity between persons who share a "
    "relevant protected characteristic and persons who do not share it involves having due regard, in "
    "particular, to the need to—",
    "(a) remove or minimise disadvantages suffered by persons who share a relevant protected "
    "characteristic that are connected to that characteristic;",
    "(b) take steps to meet the needs of persons who share a relevant protected characteristic that are "
    "different from the needs of persons who do not share it;",
    "(c) encourage persons who share a relevant protected characteristic to participate in public life "
    "or in any other activity in which participation by such persons is disproportionately low.",
    "(7) The relevant protected characteristics are— age; disability; gender reassignment; pregnancy and "
    "maternity; race; religion or belief; sex; sexual orientation. (Marriage and civil partnership counts "
    "for the first aim, eliminating discrimination.)",
)

#: What due regard means for members deciding the budget (from the courts' "Brown principles").
DUE_REGARD = (
    "The duty is yours, as the people taking the decision: it cannot be delegated to officers, and "
    "reading the assessments is how you meet it.",
    "Regard must be paid before and at the time the decision is taken, not afterwards to justify it. "
    "Read the summaries and the cumulative findings in this pack before the meeting.",
    "It must be exercised with rigour and an open mind: know the adverse impacts on each group, the "
    "mitigations offered, and what remains after them.",
    "The duty is not to achieve a result but to weigh equality properly. You may agree a proposal with "
    "an adverse impact where it is necessary and proportionate and no less harmful option is open.",
    "In a budget the harm that matters may be cumulative: the same group losing a little from each of "
    "several proposals. The matrix and the cumulative findings show where that happens.",
)


@dataclass(frozen=True)
class Affected:
    group: str
    impact: str
    effect: str


@dataclass(frozen=True)
class ProposalSummary:
    reference: str
    title: str
    service_area: str
    state: str
    changes: str
    affected: list[Affected]
    mitigations: list[str]
    outcome: str
    decision: str
    url: str


@dataclass(frozen=True)
class Finding:
    group: str
    negative: int
    highest: str
    proposals: list[str]
    is_cumulative: bool


@dataclass(frozen=True)
class MembersPack:
    round: BudgetRound
    council: str
    groups: list[str]
    columns: list[tuple[str, str]]  # (reference, title) of each proposal
    rows: list[tuple[str, list[str]]]  # a group and its cell in each proposal's column
    findings: list[Finding]
    proposals: list[ProposalSummary]

    @property
    def cumulative(self) -> list[Finding]:
        return [f for f in self.findings if f.is_cumulative]


def _loaded_proposals(budget_round: BudgetRound) -> list[Eia]:
    return list(
        db.session.execute(
            select(Eia)
            .where(Eia.id.in_(queries._proposal_ids(budget_round)))
            .options(
                selectinload(Eia.service_area).selectinload(ServiceArea.parent),
                selectinload(Eia.template),
                selectinload(Eia.sections),
                selectinload(Eia.impacts).selectinload(Impact.characteristic),
                selectinload(Eia.mitigations).selectinload(Mitigation.characteristic),
            )
            .order_by(Eia.reference)
        ).scalars()
    )


def _decision(eia: Eia) -> str:
    record = eia.decision
    if record is None:
        return "No decision recorded yet."
    if record.taken_on is not None:
        outcome = record.outcome.label if record.outcome else "Taken"
        return f"{outcome} on {format_date(record.taken_on)}."
    return f"Due on {format_date(record.planned_on)}." if record.planned_on else "Not taken yet."


def _summary(eia: Eia) -> ProposalSummary:
    affected = [
        Affected(
            impact.characteristic.name,
            impact.direction.label + (f" ({impact.stated_severity.label.lower()})" if impact.stated_severity else ""),
            " ".join(t for t in (impact.description.strip(), impact.who_affected.strip()) if t),
        )
        for impact in sorted(eia.impacts, key=lambda i: (i.characteristic.position, i.characteristic_id))
        if impact.needs_detail and impact.direction is not None
    ]
    mitigations = [
        m.action.strip() + (f" (for {m.characteristic.name.lower()})" if m.characteristic else "")
        for m in eia.mitigations
    ]
    return ProposalSummary(
        reference=eia.reference,
        title=eia.title,
        service_area=eia.service_area.full_name,
        state=eia.state.label,
        changes=committee.answer_text(eia, "about", "changes") or "Not answered yet.",
        affected=affected,
        mitigations=mitigations,
        outcome=OUTCOMES.get(eia.outcome or "", "Not decided yet"),
        decision=_decision(eia),
        url=url_for("assessments.show", reference=eia.reference, _external=True),
    )


def members_pack(budget_round: BudgetRound) -> MembersPack:
    """Everything the pack shows, loaded at once (a fixed number of queries)."""
    proposals = _loaded_proposals(budget_round)
    characteristics = queries.characteristics()
    cells = queries.cells(budget_round)
    summaries = queries.group_summaries(budget_round, characteristics)
    rows = [
        (
            c.name,
            [cells[(e.id, c.id)].label if (e.id, c.id) in cells else "Not answered" for e in proposals],
        )
        for c in characteristics
    ]
    findings = [
        Finding(
            s.characteristic.name,
            s.negative,
            s.highest.label if s.highest else "",
            [
                f"{e.reference} {e.title}"
                for e in proposals
                if (cell := cells.get((e.id, s.characteristic.id))) is not None and cell.direction == "negative"
            ],
            s.is_cumulative,
        )
        for s in summaries
        if s.negative
    ]
    findings.sort(key=lambda f: -f.negative)
    return MembersPack(
        round=budget_round,
        council=current_app.config["EIA_COUNCIL_NAME"],
        groups=[c.name for c in characteristics],
        columns=[(e.reference, e.title) for e in proposals],
        rows=rows,
        findings=findings,
        proposals=[_summary(e) for e in proposals],
    )


def file_name(budget_round: BudgetRound) -> str:
    """A safe file name for the pack, from the round's name."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", budget_round.name).strip("-").lower()
    return f"members-pack-{slug or budget_round.id}"


def pack_pdf(budget_round: BudgetRound, contents: MembersPack) -> bytes | None:
    """The pack as a tagged PDF (WeasyPrint), rendered once for what it says and kept; None while
    someone else is rendering the same pack."""
    html = render_template(
        "pdf/round_pack.html",
        pack=contents,
        section_149=SECTION_149,
        due_regard=DUE_REGARD,
        threshold=CUMULATIVE_THRESHOLD,
    )
    key = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32]
    return render_cache.cached(f"members-pack-{budget_round.id}", key, lambda: render_pdf(html))


def pack_docx(contents: MembersPack, today: date | None = None) -> bytes:
    """The pack as a Word document, in the style of an assessment's (real headings, tables with
    repeating header rows and titles, the document's language)."""
    from docx import Document  # python-docx is loaded only when a document is made
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_BREAK

    document = Document()
    budget_round = contents.round
    document.core_properties.title = f"{budget_round.name}: members' pack"
    document.core_properties.subject = "Equality impacts of the budget proposals"
    document.core_properties.author = contents.council
    docx_parts.set_language(document, "en-GB")

    document.add_heading(f"{budget_round.name}: equality impacts", level=0)
    document.add_paragraph(
        f"Members' pack. {contents.council}. Members decide on {format_date(budget_round.decision_on)}. "
        f"{len(contents.proposals)} proposals."
    )

    document.add_heading("The Public Sector Equality Duty", level=1)
    document.add_paragraph("Section 149 of the Equality Act 2010:")
    for line in SECTION_149:
        document.add_paragraph(line, style="List Bullet" if line.startswith("(a") else None)
    document.add_heading("What due regard means for members", level=2)
    for line in DUE_REGARD:
        document.add_paragraph(line, style="List Bullet")

    document.add_heading("Cumulative findings", level=1)
    _findings_docx(document, contents)

    section = document.add_section()
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading("Impacts of each proposal on each group", level=1)
    document.add_paragraph(
        "Each column is a proposal (its reference), each row a group; each cell the direction of the "
        "impact and, for a negative one, its severity. The proposals are listed after the table."
    )
    docx_parts.table(
        document,
        "Impacts of each proposal on each group",
        ("Group", *(reference for reference, _ in contents.columns)),
        [(group, *cells) for group, cells in contents.rows],
    )
    for reference, title in contents.columns:
        docx_parts.labelled(document, reference, title)

    section = document.add_section()
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading("The proposals", level=1)
    for n, proposal in enumerate(contents.proposals):
        if n:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        document.add_heading(f"{proposal.reference}: {proposal.title}", level=2)
        docx_parts.labelled(document, "Service area", proposal.service_area)
        docx_parts.labelled(document, "Status of the assessment", proposal.state)
        docx_parts.labelled(document, "What changes", proposal.changes)
        document.add_heading("Who is affected", level=3)
        if proposal.affected:
            docx_parts.table(
                document,
                f"Who is affected by {proposal.reference}",
                ("Group", "Impact", "Effect on people"),
                [(a.group, a.impact, a.effect) for a in proposal.affected],
            )
        else:
            document.add_paragraph("No group is affected differently.")
        document.add_heading("Mitigations", level=3)
        for action in proposal.mitigations or ["None."]:
            document.add_paragraph(action, style="List Bullet")
        docx_parts.labelled(document, "Outcome of the assessment", proposal.outcome)
        docx_parts.labelled(document, "Decision", proposal.decision)
        docx_parts.labelled(document, "The full assessment", proposal.url)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _findings_docx(document: object, contents: MembersPack) -> None:
    cumulative = contents.cumulative
    add = document.add_paragraph  # type: ignore[attr-defined]
    if cumulative:
        names = ", ".join(f.group.lower() for f in cumulative)
        add(f"Groups hit by {CUMULATIVE_THRESHOLD} or more proposals (a cumulative impact to weigh together): {names}.")
    else:
        add(f"No group is hit by {CUMULATIVE_THRESHOLD} or more proposals.")
    if contents.findings:
        docx_parts.table(
            document,
            "Groups with a negative impact",
            ("Group", "Proposals with a negative impact", "Highest severity", "The proposals"),
            [(f.group, str(f.negative), f.highest, "\n".join(f.proposals)) for f in contents.findings],
        )
