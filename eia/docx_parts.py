"""Parts of the Word documents the app writes (an assessment, a budget round's members' pack) that
pass Word's accessibility checker: tables with a title and a header row repeated on each page, the
document's language, a bold label before its text. python-docx is imported where a document is made."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docx.table import Table


def _repeat_header(table: Table) -> None:
    """Mark the first row as the header row, repeated at the top of each page (Word's accessibility
    checker asks for it)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _describe(table: Table, title: str) -> None:
    """Give the table a title (its alternative text in Word)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = table._tbl.tblPr
    caption = OxmlElement("w:tblCaption")
    caption.set(qn("w:val"), title)
    properties.append(caption)


def table(document: Any, title: str, header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> Table:
    """A table with a bold header row that repeats on each page, and *title* as its alternative text."""
    made = document.add_table(rows=1, cols=len(header))
    made.style = "Table Grid"
    for cell, text in zip(made.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = made.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    _repeat_header(made)
    _describe(made, title)
    return made


def set_language(document: Any, language: str) -> None:
    """The language of the whole document (the default of every run), and in its properties."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document.core_properties.language = language
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    run_properties = run_defaults.find(qn("w:rPr")) if run_defaults is not None else None
    if run_properties is None:
        return
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_properties.append(lang)
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attribute), language)


def labelled(document: Any, label: str, text: str) -> None:
    """A paragraph: *label* in bold, a colon, then *text*."""
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(text)
