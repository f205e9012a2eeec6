"""For the committee report: the "Equality implications" paragraph, and the whole assessment as a
Word document (DOCX) that passes Word's accessibility checker (real headings, tables with header rows
that repeat, a title and a language). python-docx is imported where a document is made: it is half a
second of every worker's start-up otherwise."""

from __future__ import annotations

import io
from datetime import date

from flask import current_app

from eia import docx_parts
from eia.assessments import decisions, queries
from eia.assessments.models import Eia
from eia.assessments.states import COMPLETED_STATES, DecidingBody
from eia.errors import NotFound
from eia.template_filters import format_date

#: The Public Sector Equality Duty, after who must have due regard to it.
DUTY = (
    "must have due regard to the need to eliminate unlawful discrimination, harassment and victimisation, "
    "to advance equality of opportunity, and to foster good relations between people who share a protected "
    "characteristic and people who do not (the Public Sector Equality Duty, section 149 of the Equality Act 2010)."
)


def _the(name: str) -> str:
    """A committee's name after "members of": "the Housing Scrutiny Committee"."""
    name = name.strip()
    return f"the {name[4:]}" if name[:4].lower() == "the " else f"the {name}"


def duty_reminder(eia: Eia) -> str:
    """The sentence reminding whoever takes the decision of the s.149 duty: the members of a committee
    or of the council, Cabinet or the executive member, or the officer who takes it under delegated
    powers (who is the decision maker, not members)."""
    record = eia.decision
    body = record.deciding_body if record is not None else None
    name = record.body_name.strip() if record is not None else ""
    if body is DecidingBody.OFFICER:
        who = "In making this decision under delegated powers, the decision maker" + (f" ({name})" if name else "")
    elif body is DecidingBody.COMMITTEE:
        who = f"In making this decision, members of {_the(name) if name else 'the committee'}"
    elif body is DecidingBody.COUNCIL:
        who = "In making this decision, members of the council"
    elif body is DecidingBody.CABINET:
        who = "In making this decision, Cabinet or the executive member taking it"
    else:
        who = "In making this decision, the decision maker"
    return f"{who} {DUTY}"


def has_implications(eia: Eia) -> bool:
    """Whether the assessment is approved (or further on), so its paragraph can be written. Never for
    an individual action (an HR or legal case about one person): it goes to no committee, and the
    paragraph would put the person's circumstances in a public report."""
    return eia.state in COMPLETED_STATES and not eia.is_individual


def answer_text(eia: Eia, section_key: str, question_key: str) -> str:
    """One answer as a person reads it (a choice's label, not its key); empty when the template has
    no such question."""
    section = eia.form.section(section_key)
    if section is None or all(q.key != question_key for q in section.questions):
        return ""
    return queries.readable_answers(section, eia.answers(section_key)).get(question_key, "").strip()


def _clause(text: str) -> str:
    """*text* to sit inside a sentence: no full stop at its end."""
    return text.strip().rstrip(".").strip()


def _group(name: str) -> str:
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else f"{text}."


def equality_implications(eia: Eia) -> str:
    """The "Equality implications" paragraph of a committee report, written from the assessment: the
    adverse impacts by group, the mitigations, the impact that remains and why it is acceptable, the
    outcome, and the reminder of the s.149 duty."""
    parts = [
        f"An equality impact assessment ({eia.reference}, version {eia.version_number}) has been carried out "
        f"on this proposal"
        + (f" and was approved by the equalities team on {format_date(eia.approved_at)}." if eia.approved_at else ".")
    ]
    negative = [impact for impact in eia.impacts if impact.is_negative]
    if negative:
        names = [_group(impact.characteristic.name) for impact in negative]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        parts.append(f"It found adverse impacts on {listed}.")
        for impact in negative:
            what = impact.characteristic.name
            if impact.severity is not None:
                what += f" ({impact.severity.label.lower()} severity)"
            if impact.description.strip():
                what += f": {impact.description.strip()}"
            parts.append(_sentence(what))
    else:
        parts.append("It found no adverse impact on any group of people the council considers.")
    if eia.mitigations:
        actions = [
            _group(_clause(m.action)) + (f" (for {_group(m.characteristic.name)})" if m.characteristic else "")
            for m in eia.mitigations
        ]
        # Each action as its author wrote it ("Offer a call…", "Half price for…"), after a lead that
        # takes either.
        lead = "The steps the council will take to reduce them: " if negative else "Other steps the council will take: "
        parts.append(lead + "; ".join(actions) + ".")
    residual = answer_text(eia, "mitigations", "residual_impact")
    if residual:
        parts.append(f"The impact that remains after these mitigations: {_sentence(residual)}")
    why = answer_text(eia, "mitigations", "residual_justification")
    if why:
        parts.append(f"It is considered acceptable because {_sentence(why[:1].lower() + why[1:])}")
    outcome = answer_text(eia, "outcome", "outcome")
    if outcome:
        parts.append(f"The outcome of the assessment is: {_sentence(outcome.lower())}")
    justification = answer_text(eia, "outcome", "continue_justification")
    if justification:
        parts.append(_sentence(justification))
    summary = answer_text(eia, "outcome", "summary")
    if summary:
        parts.append(_sentence(summary))
    parts.append(duty_reminder(eia))
    return " ".join(parts)


# The Word document ----------------------------------------------------------------------------------


def _day(value: date | None) -> str:
    return format_date(value) if value else ""


def assessment_docx(eia: Eia, today: date | None = None) -> bytes:
    """The whole assessment as a Word document: its sections, the impacts and mitigations as tables,
    the decision record, the timings of due regard, the sign-off and, once approved, the paragraph for
    the committee report.

    :raises NotFound: for an individual action, which goes to no committee.
    """
    if eia.is_individual:
        raise NotFound(
            f"{eia.reference} is an individual action: it goes to no committee, so there is no Word document "
            "for a committee report. Download it as a PDF instead."
        )
    from docx import Document

    doc = queries.document(eia)
    document = Document()
    council = current_app.config["EIA_COUNCIL_NAME"]
    document.core_properties.title = f"{eia.reference}: {eia.title}"
    document.core_properties.subject = "Equality impact assessment"
    document.core_properties.author = council
    docx_parts.set_language(document, "en-GB")

    document.add_heading(eia.title, level=0)
    document.add_paragraph(f"Equality impact assessment {eia.reference}, version {eia.version_number}. {council}.")
    docx_parts.labelled(document, "Service area", eia.service_area.full_name)
    docx_parts.labelled(document, "Status", eia.state.label)

    if has_implications(eia):
        document.add_heading("Equality implications", level=1)
        document.add_paragraph(equality_implications(eia))

    document.add_heading("The decision it informs", level=1)
    record = eia.decision
    if record is None:
        document.add_paragraph("No decision recorded yet.")
    else:
        rows: list[tuple[str, ...]] = []
        if record.is_key_decision is not None:
            key = "Yes" if record.is_key_decision else "No"
            rows.append(
                (
                    "Key decision",
                    key + (f" (forward plan {record.forward_plan_reference})" if record.forward_plan_reference else ""),
                )
            )
        if record.deciding_body is not None:
            body = record.deciding_body.label + (f": {record.body_name}" if record.body_name else "")
            if record.decision_maker is not None:
                body += f" ({record.decision_maker.name})"
            rows.append(("Decided by", body))
        if record.planned_on:
            rows.append(("Decision due", _day(record.planned_on)))
        if record.report_reference:
            rows.append(("Report", record.report_reference))
        rows.append(
            (
                "Decision",
                f"{record.outcome.label if record.outcome else 'Taken'} on {_day(record.taken_on)}"
                if record.taken_on
                else "Not taken yet",
            )
        )
        if record.minutes_reference:
            rows.append(("Minutes or decision notice", record.minutes_reference))
        docx_parts.table(document, "The decision record", ("Item", "Record"), rows)
    document.add_heading("Timings of due regard", level=2)
    docx_parts.table(
        document,
        "Timings of due regard",
        ("Timing", "Result", "Detail"),
        [(c.question, c.timing.label, c.detail) for c in decisions.timeliness(eia, today)],
    )

    for section in doc["sections"]:
        document.add_heading(section["title"], level=1)
        if section["not_needed"]:
            document.add_paragraph(f"{section['not_needed']}.")
            continue
        if section["kind"] == "impacts":
            rows = []
            for impact in doc["impacts"]:
                direction = impact.direction.label if impact.direction else "Not answered"
                if impact.is_negative and impact.severity:
                    direction += f" ({impact.severity.label.lower()})"
                effect = "\n".join(
                    text
                    for text in (
                        impact.description,
                        f"Who: {impact.who_affected}" if impact.who_affected else "",
                        f"Evidence: {impact.evidence}" if impact.evidence else "",
                        f"Finding out: {impact.finding_out}" if impact.finding_out else "",
                    )
                    if text
                )
                rows.append((impact.characteristic.name, direction, effect))
            docx_parts.table(
                document, "Impact on each characteristic", ("Characteristic", "Impact", "Effect on people"), rows
            )
        if section["kind"] == "mitigations":
            rows = [
                (
                    m.characteristic.name if m.characteristic else "The proposal as a whole",
                    m.action + (f"\nMeasured by: {m.measure}" if m.measure else ""),
                    owner,
                    _day(m.due_on),
                    m.status.label,
                )
                for m, owner in doc["mitigations"]
            ]
            if rows:
                docx_parts.table(
                    document,
                    "Mitigations",
                    ("Impact addressed", "Action and measure", "Owner", "Due", "Status"),
                    rows,
                )
            else:
                document.add_paragraph("No mitigations.")
        for label, text in section["rows"]:
            docx_parts.labelled(document, label, text)
        if not section["rows"] and section["kind"] == "questions":
            document.add_paragraph("Not answered.")

    document.add_heading("Sign-off", level=1)
    docx_parts.labelled(document, "Reviewed by the equalities team", _day(eia.approved_at) or "Not yet")
    signed = f"{doc['signed_off_by']}, {_day(eia.signed_off_at)}" if eia.signed_off_at else "Not yet"
    docx_parts.labelled(document, "Signed off by the decision maker", signed)
    docx_parts.labelled(document, "Published", _day(eia.published_at) or "Not published")

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
