"""The demo loads the four councils' equality action plans from tracker/data/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tracker import services

DATA_DIR = Path(__file__).resolve().parent / "data"


def seed_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.csv"))


def load_demo_plans(*, by: Any) -> int:
    """Import every seed plan file; returns how many files changed something (0 the second time)."""
    changed = 0
    for path in seed_files():
        preview = services.preview_import(services.read_rows(path.read_bytes()))
        if preview.has_changes:
            services.apply_import(preview, by=by, source=path.name)
            changed += 1
    return changed
