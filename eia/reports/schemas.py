"""marshmallow schema of the annual EIA report's figures for the JSON API: every section of the page
(``templates/reports/_body.html``), from the :class:`eia.reports.figures.Report` that page shows.

The figures are turned into plain data, section by section, in :mod:`eia.reports.sections`.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, pre_dump, validate

from eia.reports.sections import report_sections


class ReportPipelineSchema(Schema):
    label = fields.String(metadata={"description": "The directorate, the type, or the year"})
    started = fields.Integer()
    completed = fields.Integer()
    published = fields.Integer()
    publication_rate = fields.Float(allow_none=True, metadata={"description": "Published / completed; null: none"})


class ReportProgrammeRowSchema(Schema):
    service_area = fields.String()
    planned = fields.Integer()
    started = fields.Integer()
    completed = fields.Integer()
    published = fields.Integer()
    completion_rate = fields.Float(allow_none=True, metadata={"description": "Completed / planned"})
    publication_rate = fields.Float(allow_none=True, metadata={"description": "Published / completed"})


class ReportAssessmentsSectionSchema(Schema):
    by_directorate = fields.List(
        fields.Nested(ReportPipelineSchema), metadata={"description": "A team counts to its directorate"}
    )
    by_type = fields.List(fields.Nested(ReportPipelineSchema))
    total = fields.Nested(ReportPipelineSchema)
    previous_year = fields.Nested(ReportPipelineSchema, metadata={"description": "The totals of the year before"})
    programme = fields.List(
        fields.Nested(ReportProgrammeRowSchema), metadata={"description": "Against the EIA programme"}
    )


class ReportOutcomeSchema(Schema):
    outcome = fields.String()
    assessments = fields.Integer()


class ReportNegativeImpactSchema(Schema):
    characteristic = fields.String()
    assessments = fields.Integer(metadata={"description": "Completed assessments finding a negative impact"})
    mitigations = fields.Integer(metadata={"description": "Mitigations raised against it"})
    done = fields.Integer()
    overdue = fields.Integer(metadata={"description": "Past their due date and not done"})


class ReportConsideredSchema(Schema):
    completed = fields.Integer(metadata={"description": "Assessments completed in the year"})
    care_experience = fields.Integer(metadata={"description": "Assessed the impact on care-experienced people"})
    care_experience_negative = fields.Integer(metadata={"description": "... and found a negative impact"})
    armed_forces = fields.Integer(metadata={"description": "Answered the Armed Forces Covenant section"})
    armed_forces_relevant = fields.Integer(metadata={"description": "... for a function the covenant duty covers"})


class ReportQuarterSchema(Schema):
    label = fields.String(metadata={"example": "2025-Q1"})
    start = fields.Date()
    end = fields.Date()
    samples = fields.Integer(metadata={"description": "Samples drawn in the quarter"})
    audited = fields.Integer(metadata={"description": "Assessments given a first scoring in the quarter"})
    moderated = fields.Integer(metadata={"description": "Of those scorings, how many a second auditor moderated"})
    target = fields.Integer()
    status = fields.String(metadata={"description": "met, missed, in progress or not started"})


class ReportCriterionAverageSchema(Schema):
    key = fields.String()
    title = fields.String()
    average = fields.Float(metadata={"description": "The average first score, 0 to 2"})
    scored = fields.Integer()


class ReportCommonFindingSchema(Schema):
    criterion = fields.String(metadata={"description": "The criterion's title, or 'Not tied to one criterion'"})
    findings = fields.Integer()


class ReportQualityAuditsSectionSchema(Schema):
    quarters = fields.List(fields.Nested(ReportQuarterSchema))
    criteria = fields.List(fields.Nested(ReportCriterionAverageSchema))
    common_findings = fields.List(fields.Nested(ReportCommonFindingSchema), metadata={"description": "Most first"})


class ReportPrioritySchema(Schema):
    plan_id = fields.Integer()
    plan = fields.String()
    organisation = fields.String()
    priority_ref = fields.String()
    priority = fields.String()
    actions = fields.Integer()
    by_status = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "not_started, on_track, at_risk, off_track, complete: how many actions"},
    )
    percent_complete = fields.Integer()
    overdue = fields.Integer()
    stale = fields.Integer(metadata={"description": "Open actions with no progress update in 90 days"})


class ReportEvidencedActionSchema(Schema):
    plan = fields.String()
    priority_ref = fields.String()
    action_ref = fields.String()
    assessments = fields.List(fields.String(), metadata={"description": "References of the EIAs evidencing it"})


class ReportActionPlansSectionSchema(Schema):
    priorities = fields.List(fields.Nested(ReportPrioritySchema), metadata={"description": "Active plans, as at today"})
    evidenced = fields.List(fields.Nested(ReportEvidencedActionSchema))


class ReportChainSchema(Schema):
    status = fields.String(
        validate=validate.OneOf(["consistent", "inconsistent", "no_checkpoint", "no_key"]),
        metadata={
            "description": "consistent: the log still holds its latest signed checkpoint and every entry since "
            "links up; inconsistent: it does not (see problem); no_checkpoint: none has been made; no_key: this "
            "server cannot check the checkpoint's signature (see problem)"
        },
    )
    intact = fields.Boolean(
        allow_none=True,
        metadata={
            "description": "Whether the log is consistent with its latest checkpoint; null when it was not checked"
        },
    )
    entries = fields.Integer(metadata={"description": "Entries in the log (its newest position)"})
    checked_entries = fields.Integer(
        metadata={
            "description": "Entries checked: the checkpoint's own and every one since (the whole chain is walked "
            "by eia audit-log verify and before each checkpoint eia audit-log checkpoint signs, not here)"
        }
    )
    head_hash = fields.String(allow_none=True, metadata={"description": "The newest entry's hash"})
    broken_at = fields.Integer(allow_none=True, metadata={"description": "The entry where the chain breaks"})
    problem = fields.String(allow_none=True)


class ReportCheckpointSchema(Schema):
    size = fields.Integer(metadata={"description": "Entries the checkpoint attests"})
    head_hash = fields.String(metadata={"description": "The hash of the entry at that position"})
    signed_at = fields.DateTime()
    url = fields.String(metadata={"description": "Its signed text on the public register"})


class ReportAuditLogSectionSchema(Schema):
    chain = fields.Nested(
        ReportChainSchema,
        metadata={"description": "The log against its latest signed checkpoint, checked as the report was made"},
    )
    checkpoint = fields.Nested(
        ReportCheckpointSchema, allow_none=True, metadata={"description": "The latest signed checkpoint"}
    )
    entries_in_year = fields.Integer()


class ReportChangeSchema(Schema):
    measure = fields.String()
    previous_year = fields.Integer()
    this_year = fields.Integer()
    change = fields.Integer()


class ReportAppendixRowSchema(Schema):
    reference = fields.String()
    title = fields.String()
    service_area = fields.String()
    outcome = fields.String()
    published = fields.Boolean()


class ReportTimelinessSchema(Schema):
    directorate = fields.String()
    timings = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Integer()),
        metadata={"description": "started, review, approved, decision: each on_time, late and not_known counts"},
    )


class ReportScreeningGroupSchema(Schema):
    label = fields.String()
    completed = fields.Integer()
    screened_out = fields.Integer()


class ReportScreenedOutSchema(Schema):
    reference = fields.String()
    title = fields.String()
    directorate = fields.String()
    reason = fields.String()


class ReportScreeningSchema(Schema):
    completed = fields.Integer()
    screened_out = fields.Integer()
    by_type = fields.List(fields.Nested(ReportScreeningGroupSchema))
    by_directorate = fields.List(fields.Nested(ReportScreeningGroupSchema))
    reasons = fields.List(fields.Nested(ReportScreenedOutSchema))


class ReportDirectorateOutcomesSchema(Schema):
    directorate = fields.String()
    outcomes = fields.Dict(keys=fields.String(), values=fields.Integer())


class ReportChangedDecisionSchema(Schema):
    reference = fields.String()
    title = fields.String()
    directorate = fields.String()
    what_changed = fields.String()
    summary = fields.String()
    how_it_changed = fields.String()


class ReportOpenRowSchema(Schema):
    directorate = fields.String()
    overdue_reviews = fields.Integer()
    overdue_mitigations = fields.Integer()


class ReportOpenSchema(Schema):
    as_of = fields.Date()
    directorates = fields.List(fields.Nested(ReportOpenRowSchema))


class ReportGapSchema(Schema):
    characteristic = fields.String()
    assessments = fields.Integer()
    examples = fields.List(fields.String())


class ReportCommentarySchema(Schema):
    body = fields.String()
    version = fields.Integer()
    updated_at = fields.DateTime()


class AnnualReportSchema(Schema):
    """The annual EIA report's figures for a financial year (``2025`` is 1 April 2025 to 31 March 2026),
    section by section as the page shows them. Dump a :class:`eia.reports.figures.Report`."""

    year = fields.Integer()
    label = fields.String(metadata={"example": "2025/26"})
    council = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    as_of = fields.Date(metadata={"description": "The day the figures were counted (overdue is as of it)"})
    assessments = fields.Nested(ReportAssessmentsSectionSchema)
    outcomes = fields.List(fields.Nested(ReportOutcomeSchema))
    negative_impacts = fields.List(fields.Nested(ReportNegativeImpactSchema))
    considered = fields.Nested(ReportConsideredSchema)
    quality_audits = fields.Nested(ReportQualityAuditsSectionSchema)
    action_plans = fields.Nested(ReportActionPlansSectionSchema)
    audit_log = fields.Nested(ReportAuditLogSectionSchema)
    change_since_last_year = fields.List(fields.Nested(ReportChangeSchema))
    commentary = fields.Nested(ReportCommentarySchema, allow_none=True)
    timeliness = fields.List(fields.Nested(ReportTimelinessSchema), metadata={"description": "By directorate"})
    screening = fields.Nested(ReportScreeningSchema)
    outcomes_by_directorate = fields.List(fields.Nested(ReportDirectorateOutcomesSchema))
    changed_decisions = fields.List(fields.Nested(ReportChangedDecisionSchema))
    open_at_year_end = fields.Nested(ReportOpenSchema)
    evidence_gaps = fields.List(fields.Nested(ReportGapSchema))
    appendix = fields.List(
        fields.Nested(ReportAppendixRowSchema),
        metadata={"description": "Every assessment completed, but individual actions (counted in appendix_withheld)"},
    )
    appendix_withheld = fields.Integer(
        metadata={"description": "Individual-action assessments completed: counted, never named"}
    )

    @pre_dump
    def from_report(self, report: Any, **_: Any) -> dict[str, Any]:
        return report_sections(report)
