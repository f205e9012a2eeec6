"""EIA form templates as data: parse and check a YAML template into a :class:`FormDefinition`.

The definition is stored with each template version in the database, so an EIA written on an older
version still renders after the template moves on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SECTION_KINDS = {"questions", "impacts", "mitigations", "action_links"}
TEMPLATE_KINDS = {"standard", "individual"}
YES_NO = {"yes": "Yes", "no": "No"}
SHIPPED_DIR = Path(__file__).resolve().parent / "templates"


class DefinitionError(ValueError):
    """The template file is not a valid form definition; the message says where."""


@dataclass(frozen=True)
class Condition:
    """``required_when``: the question is required when *question*'s answer matches."""

    question: str
    equals: str | None = None
    not_in: tuple[str, ...] = ()

    def holds(self, answers: dict[str, Any]) -> bool:
        value = answers.get(self.question)
        if self.equals is not None:
            return value == self.equals
        values = value if isinstance(value, list) else [value] if value else []
        return bool(values) and any(v not in self.not_in for v in values)


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    type: str
    required: bool = False
    hint: str | None = None
    max_length: int | None = None
    choices: dict[str, str] = field(default_factory=dict)
    exclusive: str | None = None
    required_when: Condition | None = None
    future: bool = False

    def is_required(self, answers: dict[str, Any]) -> bool:
        return self.required or (self.required_when is not None and self.required_when.holds(answers))

    def display(self, value: Any) -> str:
        """The answer as a person reads it."""
        from forms.answers import answer_type

        return answer_type(self).display(self, value)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    kind: str = "questions"
    questions: tuple[Question, ...] = ()

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)


@dataclass(frozen=True)
class FormDefinition:
    kind: str
    version: int
    title: str
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def section_keys(self) -> list[str]:
        return [s.key for s in self.sections]


def _require(mapping: dict[str, Any], key: str, where: str) -> Any:
    if key not in mapping or mapping[key] in (None, ""):
        raise DefinitionError(f"{where}: '{key}' is missing")
    return mapping[key]


def _question(raw: dict[str, Any], where: str) -> Question:
    if not isinstance(raw, dict):
        raise DefinitionError(f"{where}: a question must be a mapping")
    key = str(_require(raw, "key", where))
    where = f"{where} '{key}'"
    from forms.answers import ANSWER_TYPES  # each type is defined there, once

    qtype = str(_require(raw, "type", where))
    if qtype not in ANSWER_TYPES:
        raise DefinitionError(f"{where}: unknown type '{qtype}' (use one of {', '.join(sorted(ANSWER_TYPES))})")
    choices = {str(k): str(v) for k, v in (raw.get("choices") or {}).items()}
    if ANSWER_TYPES[qtype].needs_choices and not choices:
        raise DefinitionError(f"{where}: a {qtype} question needs choices")
    condition = None
    if raw.get("required_when"):
        cond = raw["required_when"]
        condition = Condition(
            question=str(_require(cond, "question", f"{where} required_when")),
            equals=None if cond.get("equals") is None else str(cond["equals"]),
            not_in=tuple(str(v) for v in cond.get("not_in") or ()),
        )
    return Question(
        key=key,
        label=str(_require(raw, "label", where)),
        type=qtype,
        required=bool(raw.get("required", False)),
        hint=raw.get("hint"),
        max_length=raw.get("max_length"),
        choices=choices,
        exclusive=raw.get("exclusive"),
        required_when=condition,
        future=bool(raw.get("future", False)),
    )


def parse_definition(data: dict[str, Any], source: str = "template") -> FormDefinition:
    """Check a template's structure and return it as a :class:`FormDefinition`.

    :raises DefinitionError: naming the section and question that is wrong.
    """
    if not isinstance(data, dict):
        raise DefinitionError(f"{source}: the file must hold a mapping with kind, version, title and sections")
    kind = str(_require(data, "kind", source))
    if kind not in TEMPLATE_KINDS:
        raise DefinitionError(f"{source}: kind must be one of {', '.join(sorted(TEMPLATE_KINDS))}")
    version = _require(data, "version", source)
    if not isinstance(version, int) or version < 1:
        raise DefinitionError(f"{source}: version must be a whole number from 1")
    sections = []
    seen: set[str] = set()
    for index, raw in enumerate(_require(data, "sections", source), start=1):
        where = f"{source} section {index}"
        key = str(_require(raw, "key", where))
        if key in seen:
            raise DefinitionError(f"{where}: the key '{key}' is used twice")
        seen.add(key)
        section_kind = raw.get("kind", "questions")
        if section_kind not in SECTION_KINDS:
            raise DefinitionError(f"{where}: unknown kind '{section_kind}'")
        questions = tuple(_question(q, f"{where} question") for q in raw.get("questions") or ())
        keys = [q.key for q in questions]
        if len(keys) != len(set(keys)):
            raise DefinitionError(f"{where}: two questions share a key")
        for q in questions:
            if q.required_when and q.required_when.question not in keys:
                raise DefinitionError(
                    f"{where}: '{q.key}' depends on '{q.required_when.question}', not in this section"
                )
        sections.append(
            Section(key=key, title=str(_require(raw, "title", where)), kind=section_kind, questions=questions)
        )
    if "about" not in seen:
        raise DefinitionError(f"{source}: a template needs an 'about' section")
    about = next(s for s in sections if s.key == "about")
    if about.question("title") is None:
        raise DefinitionError(f"{source}: the 'about' section needs a 'title' question")
    return FormDefinition(
        kind=kind, version=version, title=str(_require(data, "title", source)), sections=tuple(sections)
    )


def load_file(path: Path) -> tuple[FormDefinition, dict[str, Any]]:
    """Read and check a YAML template; returns the definition and the raw data to store.

    :raises DefinitionError: if the file cannot be read or is not a valid template.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DefinitionError(f"cannot read {path}: {exc.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"{path.name} is not valid YAML: {exc}") from None
    return parse_definition(data, path.name), data


def shipped_templates() -> list[Path]:
    return sorted(SHIPPED_DIR.glob("*.yaml"))
