"""What WeasyPrint's PDF/UA tagging leaves out, added where it builds the structure tree.

WeasyPrint (70) tags a document well but: it marks the running headers and footers of ``@page``
margin boxes as content that belongs to no structure element, where PDF/UA wants artifacts; it
gives table header cells no ``Scope``; it nests a ``dl``'s row ``div`` as ``L > Div > LI``; a table
that runs over pages becomes one table per page, the later ones without their caption; and a
chart's alternative text is its ``<title>`` only. :func:`install` wraps the two functions that
decide these, once. An element with the class ``pdf-artifact`` (a contents page's dot leader, say)
is drawn as an artifact too. tests/test_pdf_structure.py walks the result with pikepdf, so a
WeasyPrint that changes its internals fails there rather than quietly.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

#: The class that makes an element (and what its ::before and ::after add) page furniture.
ARTIFACT_CLASS = "pdf-artifact"
SVG = "{http://www.w3.org/2000/svg}"

_installed = False
_render = threading.local()


def new_document() -> None:
    """Forget the tables of the previous PDF: call before each render."""
    _render.tables_painted = set()  # ids of the HTML tables drawn on an earlier page
    _render.repeated_heads = set()  # ids of header-row boxes a table repeats on a later page
    _render.tables = {}  # HTML table id -> its structure element, from the page it starts on
    _render.repeated_marks = []  # stand-ins for the repeated header cells, holding the IDs cells name


def _is_artifact(box: Any) -> bool:
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.MarginBox):
        return True
    element = getattr(box, "element", None)
    return element is not None and ARTIFACT_CLASS in (element.get("class") or "").split()


def _descendants(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(child)


def _artifact_boxes(page_box: Any) -> set[int]:
    """Ids of every box inside a margin box or an artifact element on the page, and inside the
    header row a table repeats on its later pages (read once, where the table starts)."""
    from weasyprint.formatting_structure import boxes

    found: set[int] = set()
    tables_here: set[int] = set()
    stack = [page_box]
    while stack:
        box = stack.pop()
        if _is_artifact(box):
            found.update(id(inner) for inner in _descendants(box))
            continue
        if isinstance(box, boxes.TableBox) and box.element is not None:
            tables_here.add(id(box.element))
            if id(box.element) in _render.tables_painted:
                for group in box.children:
                    if getattr(group, "element_tag", None) == "thead":
                        _render.repeated_heads.add(id(group))
                        found.update(id(inner) for inner in _descendants(group))
        stack.extend(getattr(box, "children", ()))
    _render.tables_painted |= tables_here
    return found


def _join(pdf: Any, first: Any, later: Any) -> None:
    import pydyf

    """Move the rows of a table carried on to a later page into its structure element on the page
    where it starts; cells that named the repeated header row now name the first one."""
    prefix, first_prefix = f"{later.number}-", f"{first.number}-"
    repeated = {mark["ID"].string for mark in _render.repeated_marks if "ID" in mark}

    def retarget(reference: bytes) -> None:
        element = pdf.objects[int(reference.split()[0])]
        headers = element.get("A", {}).get("Headers")
        if headers is not None:
            element["A"]["Headers"] = pydyf.Array(
                pydyf.String(first_prefix + key.string[len(prefix) :]) if key.string in repeated else key
                for key in headers
            )
        for kid in element.get("K", ()):
            if isinstance(kid, bytes):
                retarget(kid)

    for kid in later["K"]:
        if isinstance(kid, bytes):  # "12 0 R": a structure element, not a marked sequence
            pdf.objects[int(kid.split()[0])]["P"] = first.reference
            retarget(kid)
        first["K"].append(kid)


def install() -> None:
    """Wrap WeasyPrint's drawing and tagging, once per process."""
    global _installed
    if _installed:
        return
    import pydyf
    from weasyprint.document import Page
    from weasyprint.pdf import tags
    from weasyprint.pdf.stream import Stream

    paint, marked, build = Page.paint, Stream.marked, tags._build_box_tree

    def paint_marking_artifacts(self: Any, stream: Any, scale: float = 1) -> None:
        stream._eia_artifacts = _artifact_boxes(self._page_box)
        return paint(self, stream, scale)

    def marked_or_artifact(self: Any, box: Any, tag: str) -> Any:
        if id(box) in getattr(self, "_eia_artifacts", ()):
            return self.artifact()
        return marked(self, box, tag)

    def build_box_tree(box: Any, parent: Any, pdf: Any, page_number: int, nums: Any, annotations: Any, tags_: Any):
        if id(box) in _render.repeated_heads:
            # A repeated header row is an artifact; its cells still need the mark WeasyPrint gives
            # a header cell, whose ID the rows below refer to (pointed at the first page's below).
            for inner in _descendants(box):
                if getattr(inner, "element_tag", None) in ("th", "td"):
                    inner.mark = pydyf.Dictionary({"A": pydyf.Dictionary({})})
                    _render.repeated_marks.append(inner.mark)
            return
        if _is_artifact(box):
            return  # drawn as an artifact: nothing of it in the structure tree
        if getattr(box, "element_tag", None) == "div" and parent["S"] == "/L":
            # A summary list's row: its dt and dd become the list's items, not a Div inside the list.
            for child in box.children:
                yield from tags._build_box_tree(child, parent, pdf, page_number, nums, annotations, tags_)
            return
        for element in build(box, parent, pdf, page_number, nums, annotations, tags_):
            if element["S"] == "/TH" and box.element is not None:
                scope = box.element.get("scope", "col")
                element["A"]["Scope"] = "/Row" if scope in ("row", "rowgroup") else "/Column"
            elif element["S"] == "/Table" and box.element is not None:
                first = _render.tables.setdefault(id(box.element), element)
                if first is not element:
                    _join(pdf, first, element)
                    continue
            elif element["S"] == "/Figure" and box.element is not None and box.element.tag == f"{SVG}svg":
                # The title names the chart; the description says what it shows and where its numbers are.
                parts = [
                    (found.text or "").strip()
                    for found in (box.element.find(f"{SVG}title"), box.element.find(f"{SVG}desc"))
                    if found is not None
                ]
                if any(parts):
                    element["Alt"] = pydyf.String(". ".join(part.rstrip(".") for part in parts if part) + ".")
            yield element

    Page.paint = paint_marking_artifacts
    Stream.marked = marked_or_artifact
    tags._build_box_tree = build_box_tree
    _installed = True
