"""The strata a risk-weighted sample (method v2) can lean towards, in the order their minimums are drawn."""

from __future__ import annotations

STRATA = {
    "budget": "Budget proposals",
    "key_decision": "Key decisions",
    "continue_adverse": "Continue despite adverse impact",
    "high_severity": "Any high-severity impact",
}
MAX_WEIGHT, MAX_MINIMUM = 100, 1000
