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
    """``required_when`` / ``show_when``: holds when *question*'s answer matches: ``equals`` one
    value, is one of ``in``, or has a value other than those ``not_in`` (for checkboxes, any ticked
    choice outside them)."""

    question: str
    equals: str | None = None
    not_in: tuple[str, ...] = ()
    one_of: tuple[str, ...] = ()

    def holds(self, answers: dict[str, Any]) -> bool:
        value = answers.get(self.question)
        if self.equals is not None:
            return value == self.equals
        values = value if isinstance(value, list) else [value] if value else []
        if self.one_of:
            return any(v in self.one_of for v in values)
        return bool(values) and any(v not in self.not_in for v in values)

    def describe(self) -> str:
        """The condition in words, for the template editor's preview."""
        if self.equals is not None:
            return f"'{self.question}' is '{self.equals}'"
        if self.one_of:
            return f"'{self.question}' is one of {', '.join(self.one_of)}"
        return f"'{self.question}' is answered other than {', '.join(self.not_in)}"


@dataclass(frozen=True)
class AllOf:
    """A ``required_when`` written as a list: every condition in it holds."""

    conditions: tuple[Condition, ...]

    @property
    def question(self) -> str:
        return self.conditions[0].question

    def holds(self, answers: dict[str, Any]) -> bool:
        return all(c.holds(answers) for c in self.conditions)

    def describe(self) -> str:
        return " and ".join(c.describe() for c in self.conditions)


@dataclass(frozen=True)
class Guidance:
    """Longer help for a question, shown in a details component: what a good answer covers, and a
    short good and poor example."""

    covers: str
    good: str | None = None
    poor: str | None = None


@dataclass(frozen=True)
class SectionCondition:
    """``needed_when`` on a section: it is needed (even when screening closed the assessment early)
    when a question of an earlier section matches; *because* and *otherwise* say why, on the task list."""

    section: str
    condition: Condition
    because: str
    otherwise: str

    def holds(self, answers_of: Any) -> bool:
        return self.condition.holds(answers_of(self.section))


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
    required_when: Condition | AllOf | None = None
    future: bool = False
    guidance: Guidance | None = None
    #: Shown only when another answer of its section matches (a GOV.UK conditional reveal under that
    #: radio when it ``equals`` one value); an answer given while hidden is not kept.
    show_when: Condition | None = None
    #: The message when a required answer is missing ("Select what is being assessed"); without it
    #: one is made from the label.
    error: str | None = None

    def is_required(self, answers: dict[str, Any]) -> bool:
        if not self.is_shown(answers):
            return False
        return self.required or (self.required_when is not None and self.required_when.holds(answers))

    def is_shown(self, answers: dict[str, Any]) -> bool:
        return self.show_when is None or self.show_when.holds(answers)

    @property
    def conditions(self) -> tuple[Condition, ...]:
        """Every condition it depends on, to check they name questions of its section."""
        found: list[Condition] = []
        if isinstance(self.required_when, AllOf):
            found.extend(self.required_when.conditions)
        elif self.required_when is not None:
            found.append(self.required_when)
        if self.show_when is not None:
            found.append(self.show_when)
        return tuple(found)

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
    #: Text shown at the top of the section's page (definitions the questions rely on); paragraphs
    #: are separated by a blank line, and a paragraph of lines starting "- " is a bulleted list.
    intro: str | None = None
    needed_when: SectionCondition | None = None

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    def revealed_under(self, question: Question) -> dict[str, list[Question]]:
        """The questions shown under each choice of *question* (GOV.UK conditional reveal)."""
        found: dict[str, list[Question]] = {}
        if question.type not in ("radios", "yes_no"):
            return found
        for q in self.questions:
            if q.show_when and q.show_when.question == question.key and q.show_when.equals is not None:
                found.setdefault(q.show_when.equals, []).append(q)
        return found

    @property
    def revealed_keys(self) -> set[str]:
        return {q.key for parent in self.questions for qs in self.revealed_under(parent).values() for q in qs}

    def intro_blocks(self) -> list[tuple[str, list[str]]]:
        """The intro as ("p", [text]) and ("ul", [items]) blocks: lines starting "- " are list items,
        other lines run together into a paragraph until a blank line or a list."""
        blocks: list[tuple[str, list[str]]] = []
        for raw in (self.intro or "").strip().splitlines():
            line = raw.strip()
            kind = "ul" if line.startswith("- ") else "p"
            if not line:
                blocks.append(("break", []))
            elif blocks and blocks[-1][0] == kind:
                blocks[-1][1].append(line[2:] if kind == "ul" else line)
            else:
                blocks.append((kind, [line[2:] if kind == "ul" else line]))
        return [(kind, lines if kind == "ul" else [" ".join(lines)]) for kind, lines in blocks if kind != "break"]


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
    condition: Condition | AllOf | None = None
    if raw.get("required_when"):
        cond = raw["required_when"]
        if isinstance(cond, list):
            condition = AllOf(tuple(_condition(c, f"{where} required_when") for c in cond))
        else:
            condition = _condition(cond, f"{where} required_when")
    show_when = _condition(raw["show_when"], f"{where} show_when") if raw.get("show_when") else None
    guidance = None
    if raw.get("guidance"):
        text = raw["guidance"]
        if not isinstance(text, dict):
            raise DefinitionError(f"{where} guidance: give 'covers', and 'good' and 'poor' examples if you like")
        guidance = Guidance(
            covers=str(_require(text, "covers", f"{where} guidance")),
            good=text.get("good"),
            poor=text.get("poor"),
        )
    error = raw.get("error")
    if error is not None and (not isinstance(error, str) or not error.strip()):
        raise DefinitionError(f"{where}: 'error' must be the message to show, as text")
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
        guidance=guidance,
        show_when=show_when,
        error=error.strip() if error else None,
    )


def _condition(raw: Any, where: str) -> Condition:
    if not isinstance(raw, dict):
        raise DefinitionError(f"{where}: a condition must be a mapping with 'question'")
    return Condition(
        question=str(_require(raw, "question", where)),
        equals=None if raw.get("equals") is None else str(raw["equals"]),
        not_in=tuple(str(v) for v in raw.get("not_in") or ()),
        one_of=tuple(str(v) for v in raw.get("in") or ()),
    )


def _section_condition(raw: Any, where: str, earlier: list[Section]) -> SectionCondition:
    if not isinstance(raw, dict):
        raise DefinitionError(f"{where}: give 'section', 'question', 'because' and 'otherwise'")
    section_key = str(_require(raw, "section", where))
    section = next((s for s in earlier if s.key == section_key), None)
    condition = _condition(raw, where)
    if section is None or section.question(condition.question) is None:
        raise DefinitionError(f"{where}: '{section_key}.{condition.question}' is not a question of an earlier section")
    return SectionCondition(
        section=section_key,
        condition=condition,
        because=str(_require(raw, "because", where)),
        otherwise=str(_require(raw, "otherwise", where)),
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
    sections: list[Section] = []
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
            for condition in q.conditions:
                if condition.question not in keys:
                    raise DefinitionError(f"{where}: '{q.key}' depends on '{condition.question}', not in this section")
        needed_when = None
        if raw.get("needed_when"):
            needed_when = _section_condition(raw["needed_when"], f"{where} needed_when", sections)
        sections.append(
            Section(
                key=key,
                title=str(_require(raw, "title", where)),
                kind=section_kind,
                questions=questions,
                intro=raw.get("intro"),
                needed_when=needed_when,
            )
        )
    if "about" not in seen:
        raise DefinitionError(f"{source}: a template needs an 'about' section")
    about = next(s for s in sections if s.key == "about")
    if about.question("title") is None:
        raise DefinitionError(f"{source}: the 'about' section needs a 'title' question")
    return FormDefinition(
        kind=kind, version=version, title=str(_require(data, "title", source)), sections=tuple(sections)
    )


#: libyaml's loader where PyYAML was built with it (about ten times faster than the pure-Python one).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """The YAML document in *path*, read safely (no Python objects).

    :raises OSError: if it cannot be read; :raises yaml.YAMLError: if it is not YAML.
    """
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)


def load_file(path: Path) -> tuple[FormDefinition, dict[str, Any]]:
    """Read and check a YAML template; returns the definition and the raw data to store.

    :raises DefinitionError: if the file cannot be read or is not a valid template.
    """
    try:
        data = read_yaml(path)
    except OSError as exc:
        raise DefinitionError(f"cannot read {path}: {exc.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"{path.name} is not valid YAML: {exc}") from None
    return parse_definition(data, path.name), data


def shipped_templates() -> list[Path]:
    return sorted(SHIPPED_DIR.glob("*.yaml"))
