"""The quality-audit rubric as versioned data (forms/rubrics/*.yaml): read and check a version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from forms.definitions import read_yaml

RUBRIC_DIR = Path(__file__).resolve().parent / "rubrics"
SCORES = (0, 1, 2)
SCORE_LABELS = {0: "0 – absent", 1: "1 – partial", 2: "2 – good"}
NOT_APPLICABLE = "na"  # the form's value for "not applicable"; stored as no score (None)


class RubricError(ValueError):
    """The rubric file is not valid; the message says where."""


def load_rubric(path: Path) -> dict[str, Any]:
    """Read and check a rubric file; returns ``{"key", "version", "title", "criteria": [...]}``.

    :raises RubricError: if a criterion lacks a key, title, question or guidance for 0, 1 and 2, or a
        key repeats. A criterion may say when it is ``not_applicable`` (rubric v2): it can then be
        scored "not applicable", and is left out of the maximum.
    """
    try:
        data = read_yaml(path)
    except (OSError, yaml.YAMLError) as exc:
        raise RubricError(f"cannot read {path.name}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("criteria"), list) or not data["criteria"]:
        raise RubricError(f"{path.name}: needs key, version, title and a list of criteria")
    for name in ("key", "title"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise RubricError(f"{path.name}: '{name}' must be text")
    if not isinstance(data.get("version"), int) or data["version"] < 1:
        raise RubricError(f"{path.name}: 'version' must be a whole number from 1")
    criteria, seen = [], set()
    for n, item in enumerate(data["criteria"], start=1):
        where = f"{path.name}: criterion {n}"
        if not isinstance(item, dict):
            raise RubricError(f"{where} must be a mapping")
        for name in ("key", "title", "question"):
            if not isinstance(item.get(name), str) or not item[name].strip():
                raise RubricError(f"{where} needs '{name}'")
        if item["key"] in seen:
            raise RubricError(f"{where}: key '{item['key']}' appears twice")
        seen.add(item["key"])
        guidance = item.get("guidance")
        if not isinstance(guidance, dict) or sorted(guidance) != list(SCORES):
            raise RubricError(f"{where} ({item['key']}) needs guidance for scores 0, 1 and 2")
        criterion = {
            "key": item["key"],
            "title": item["title"],
            "question": item["question"],
            "guidance": {str(score): str(guidance[score]) for score in SCORES},
        }
        if "not_applicable" in item:
            if not isinstance(item["not_applicable"], str) or not item["not_applicable"].strip():
                raise RubricError(f"{where} ({item['key']}): 'not_applicable' must say when it applies")
            criterion["not_applicable"] = item["not_applicable"].strip()
        criteria.append(criterion)
    return {"key": data["key"], "version": data["version"], "title": data["title"], "criteria": criteria}


def shipped_rubrics() -> list[Path]:
    return sorted(RUBRIC_DIR.glob("*.yaml"))
