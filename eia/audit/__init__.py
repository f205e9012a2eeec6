"""The tamper-evident audit log (and, later, the quality-audit samples)."""
