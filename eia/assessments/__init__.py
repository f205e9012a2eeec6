"""Equality impact assessments: templates, sections, impacts, mitigations and the review workflow."""
