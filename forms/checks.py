"""Checking an uploaded form template (YAML) and comparing two versions.

:func:`check_template` reads the YAML with a loader that keeps each key's line and names every
problem it finds with its line, rather than stopping at the first: unknown kinds and answer types,
missing fields, duplicate keys (also where YAML itself would silently keep the last), a
``required_when`` naming a question the section lacks, and a key an earlier version used with a
different meaning (an answer of another shape, which the assessments written on it would misread).
:func:`compare_definitions` lists what changed between two versions, by key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from forms.definitions import SECTION_KINDS, TEMPLATE_KINDS, DefinitionError, FormDefinition, parse_definition

#: Answer types that store the same shape of answer: a key may move within a group, never across.
SHAPES = {
    "text": "text",
    "textarea": "text",
    "date": "date",
    "radios": "one choice",
    "yes_no": "one choice",
    "checkboxes": "several choices",
    "user": "person",
}


@dataclass(frozen=True, order=True)
class Problem:
    line: int  # 1-based; 0 when the problem is the file as a whole
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


class Mapping(dict):
    """A YAML mapping that knows its own line and each key's line."""

    line: int = 0
    lines: dict[Any, int]
    repeated: list[tuple[Any, int]]


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader (libyaml's, ten times faster, where PyYAML has it) whose mappings know their lines."""


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> Mapping:
    mapping = Mapping()
    mapping.line, mapping.lines, mapping.repeated = node.start_mark.line + 1, {}, []
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping.lines:
            mapping.repeated.append((key, key_node.start_mark.line + 1))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines.setdefault(key, key_node.start_mark.line + 1)
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


@dataclass
class CheckResult:
    problems: list[Problem] = field(default_factory=list)
    definition: FormDefinition | None = None
    data: dict[str, Any] | None = None
    data_lines: dict[str, int] = field(default_factory=dict)  # the top-level keys' lines

    @property
    def ok(self) -> bool:
        return not self.problems


def _plain(value: Any) -> Any:
    """The loaded YAML as plain dicts and lists (what is stored as JSON)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def check_template(text: str, earlier: list[FormDefinition] = ()) -> CheckResult:  # type: ignore[assignment]
    """Every problem of the template *text*, each with its line; *earlier* are the versions already
    loaded of any kind (a key they used must keep its meaning)."""
    from forms.answers import ANSWER_TYPES

    try:
        data = yaml.load(text, Loader=_LineLoader)  # a SafeLoader that records lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return CheckResult([Problem(mark.line + 1 if mark else 0, f"This is not valid YAML: {exc.problem}")])
    except yaml.YAMLError as exc:
        return CheckResult([Problem(0, f"This is not valid YAML: {exc}")])
    if not isinstance(data, Mapping):
        return CheckResult([Problem(1, "The file must hold a mapping with kind, version, title and sections")])
    problems: list[Problem] = []

    def at(mapping: Any, key: Any) -> int:
        return mapping.lines.get(key, mapping.line) if isinstance(mapping, Mapping) else 0

    def repeated(mapping: Mapping, where: str) -> None:
        problems.extend(Problem(line, f"'{key}' is given twice {where}") for key, line in mapping.repeated)

    def text_field(mapping: Mapping, key: str, where: str) -> None:
        if not isinstance(mapping.get(key), str | int) or str(mapping.get(key)).strip() == "":
            problems.append(Problem(at(mapping, key), f"{where}: '{key}' is missing"))

    repeated(data, "at the top of the file")
    if data.get("kind") not in TEMPLATE_KINDS:
        problems.append(Problem(at(data, "kind"), f"kind must be one of {', '.join(sorted(TEMPLATE_KINDS))}"))
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append(Problem(at(data, "version"), "version must be a whole number from 1"))
    text_field(data, "title", "The template")
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        problems.append(Problem(at(data, "sections"), "sections must be a list of sections"))
        sections = []
    earlier_types = _earlier_types(earlier)
    section_keys: dict[str, int] = {}
    for number, section in enumerate(sections, start=1):
        if not isinstance(section, Mapping):
            problems.append(Problem(at(data, "sections"), f"Section {number} must be a mapping"))
            continue
        key = section.get("key")
        where = f"Section '{key}'" if key else f"Section {number}"
        repeated(section, f"in {where.lower()}")
        text_field(section, "key", where)
        text_field(section, "title", where)
        if key in section_keys:
            problems.append(
                Problem(
                    at(section, "key"), f"The section key '{key}' is used twice (first on line {section_keys[key]})"
                )
            )
        elif key:
            section_keys[str(key)] = at(section, "key")
        if section.get("kind", "questions") not in SECTION_KINDS:
            problems.append(
                Problem(
                    at(section, "kind"),
                    f"{where}: unknown kind '{section.get('kind')}' (use one of {', '.join(sorted(SECTION_KINDS))})",
                )
            )
        questions = section.get("questions") or []
        if not isinstance(questions, list):
            problems.append(Problem(at(section, "questions"), f"{where}: questions must be a list"))
            continue
        keys: dict[str, int] = {}
        for q_number, question in enumerate(questions, start=1):
            if not isinstance(question, Mapping):
                problems.append(Problem(at(section, "questions"), f"{where}: question {q_number} must be a mapping"))
                continue
            q_key = question.get("key")
            q_where = f"Question '{q_key}'" if q_key else f"{where}, question {q_number}"
            repeated(question, f"in {q_where.lower()}")
            text_field(question, "key", q_where)
            text_field(question, "label", q_where)
            if q_key in keys:
                problems.append(
                    Problem(
                        at(question, "key"),
                        f"The question key '{q_key}' is used twice in section '{key}' (first on line {keys[q_key]})",
                    )
                )
            elif q_key:
                keys[str(q_key)] = at(question, "key")
            q_type = question.get("type")
            if q_type not in ANSWER_TYPES:
                problems.append(
                    Problem(
                        at(question, "type"),
                        f"{q_where}: unknown type '{q_type}' (use one of {', '.join(sorted(ANSWER_TYPES))})",
                    )
                )
            else:
                if ANSWER_TYPES[q_type].needs_choices and not question.get("choices"):
                    problems.append(Problem(at(question, "type"), f"{q_where}: a {q_type} question needs choices"))
                before = earlier_types.get((str(key), str(q_key))) or earlier_types.get((None, str(q_key)))
                if before and SHAPES.get(before[0]) != SHAPES.get(q_type):
                    problems.append(
                        Problem(
                            at(question, "key"),
                            f"{q_where} was a {before[0]} question in version {before[1]} and is a {q_type} "
                            "question here: a key keeps its meaning, so give the new question a new key",
                        )
                    )
        for question in questions:
            if not isinstance(question, Mapping):
                continue
            for rule in ("required_when", "show_when"):
                # One condition, or a list of conditions that must all hold.
                given = question.get(rule)
                for condition in given if isinstance(given, list) else [given] if given is not None else []:
                    named = condition.get("question") if isinstance(condition, dict) else None
                    if named not in keys:
                        problems.append(
                            Problem(
                                at(question, rule),
                                f"Question '{question.get('key')}': {rule} names '{named}', "
                                f"which is not a question of section '{key}'",
                            )
                        )
                    elif rule == "show_when" and not _revealable(questions, named, condition):
                        # A follow-up appears under the one choice that needs it (GOV.UK conditional
                        # reveal), so it must hang on one choice of a radios or yes/no question.
                        problems.append(
                            Problem(
                                at(question, rule),
                                f"Question '{question.get('key')}': show_when must name a radios or yes/no "
                                f"question and one of its choices with 'equals', so it can be revealed under it",
                            )
                        )
    if not problems:
        # The structural rules the app applies on every read (an 'about' section with a title...).
        try:
            definition = parse_definition(_plain(data), "The template")
        except DefinitionError as exc:
            problems.append(Problem(0, str(exc)))
        else:
            return CheckResult([], definition, _plain(data), dict(data.lines))
    return CheckResult(sorted(problems))


def _revealable(questions: list[Any], named: Any, condition: Any) -> bool:
    """Whether a follow-up on *condition* can be revealed under a choice of the question *named*."""
    parent = next((q for q in questions if isinstance(q, Mapping) and q.get("key") == named), None)
    return (
        parent is not None
        and parent.get("type") in ("radios", "yes_no")
        and isinstance(condition, dict)
        and set(condition) == {"question", "equals"}
    )


def _earlier_types(earlier: Any) -> dict[tuple[str | None, str], tuple[str, int]]:
    """(section key, question key) and (None, question key) -> (type, version) in earlier versions."""
    found: dict[tuple[str | None, str], tuple[str, int]] = {}
    for definition in sorted(earlier, key=lambda d: d.version):
        for section in definition.sections:
            for question in section.questions:
                found[(section.key, question.key)] = (question.type, definition.version)
                found[(None, question.key)] = (question.type, definition.version)
    return found


@dataclass(frozen=True)
class Change:
    what: str  # "section" or "question"
    key: str
    section: str  # the section a question is in ("" for a section)
    change: str  # "added", "removed" or "changed"
    detail: str = ""


def _question_fields(question: Any) -> dict[str, Any]:
    return {
        "label": question.label,
        "type": question.type,
        "required": question.required,
        "hint": question.hint or "",
        "choices": question.choices,
        "exclusive": question.exclusive,
        "max_length": question.max_length,
        "future": question.future,
        "required_when": question.required_when,
        "show_when": question.show_when,
        "guidance": question.guidance,
    }


def _section_fields(section: Any) -> dict[str, Any]:
    return {
        "title": section.title,
        "kind": section.kind,
        "intro": (section.intro or "").strip(),
        "needed_when": section.needed_when,
    }


def compare_definitions(old: FormDefinition, new: FormDefinition) -> list[Change]:
    """Sections and questions added, removed or changed from *old* to *new*, by key, in *new*'s
    order (removed ones after)."""
    changes: list[Change] = []
    for section in new.sections:
        before = old.section(section.key)
        if before is None:
            changes.append(Change("section", section.key, "", "added", section.title))
            changes += [Change("question", q.key, section.key, "added", q.label) for q in section.questions]
            continue
        differs = [name for name, value in _section_fields(section).items() if _section_fields(before)[name] != value]
        if differs:
            named = [f"title (was '{before.title}')" if name == "title" else name for name in differs]
            changes.append(Change("section", section.key, "", "changed", ", ".join(named)))
        for question in section.questions:
            was = before.question(question.key)
            if was is None:
                changes.append(Change("question", question.key, section.key, "added", question.label))
                continue
            differs = [
                name for name, value in _question_fields(question).items() if _question_fields(was)[name] != value
            ]
            if differs:
                changes.append(Change("question", question.key, section.key, "changed", ", ".join(differs)))
        changes += [
            Change("question", q.key, section.key, "removed", q.label)
            for q in before.questions
            if section.question(q.key) is None
        ]
    for section in old.sections:
        if new.section(section.key) is None:
            changes.append(Change("section", section.key, "", "removed", section.title))
    return changes
