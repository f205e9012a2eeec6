"""The public register of published EIAs (no sign-in)."""
