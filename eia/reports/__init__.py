"""Printable output: single-EIA PDFs now, the annual EIA report next; one set of print styles."""
