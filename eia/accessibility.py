"""The accessibility statement's facts kept beside the code they describe: the known problems (each
with what it affects, the WCAG success criteria it fails and when it will be fixed) and the dates the
statement was prepared and reviewed. Fix a problem and remove it here in the same change; find one
and add it here, and the statement at /accessibility says so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: When the statement was first prepared, and when it was last checked against the service.
PREPARED_ON = date(2026, 3, 2)
REVIEWED_ON = date(2026, 12, 1)
#: When the service was last tested, and how.
TESTED_ON = date(2026, 12, 1)


@dataclass(frozen=True)
class KnownProblem:
    """Something in the service that does not yet meet WCAG 2.2 AA."""

    #: What does not work, as a person meets it.
    summary: str
    #: Who or what it affects.
    affects: str
    #: The success criteria it fails, e.g. "1.1.1 Non-text content (A)".
    criteria: tuple[str, ...]
    #: When it will be fixed.
    fix_by: date


KNOWN_PROBLEMS: tuple[KnownProblem, ...] = (
    KnownProblem(
        summary=(
            "Evidence files attached to an assessment (reports, spreadsheets, survey results) are written by "
            "many teams and are not checked before an assessment is published. Some may be scanned images "
            "without text, or documents without headings or table headers."
        ),
        affects="People who read the evidence behind a published assessment with a screen reader or magnifier.",
        criteria=("1.1.1 Non-text content (A)", "1.3.1 Info and relationships (A)", "2.4.2 Page titled (A)"),
        fix_by=date(2027, 3, 31),
    ),
    KnownProblem(
        summary=(
            "The PDFs of an assessment and of the annual report follow the structure rules of PDF/UA, but have "
            "not yet been checked with a screen reader from start to finish, so the order in which some tables "
            "and charts are read out may be confusing."
        ),
        affects="People who read the PDF downloads with a screen reader.",
        criteria=("1.3.2 Meaningful sequence (A)",),
        fix_by=date(2027, 3, 31),
    ),
)
