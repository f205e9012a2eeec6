"""The PDFs (a single assessment and the annual report) pass PDF/UA's structure rules, read back
with pikepdf: every table header cell has a scope, lists and links nest validly, every table has a
caption and a header row, every figure's alternative text says where its numbers are, and the running
headers and footers are artifacts, not content outside the structure tree."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO

import pikepdf
import pytest

from eia.accounts.models import Role
from tests.test_register_and_pdf import published_eia
from tests.test_report import _known_year


def _kids(node: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    k = node.get("/K")
    if k is None:
        return []
    items = list(k) if isinstance(k, pikepdf.Array) else [k]
    return [item for item in items if isinstance(item, pikepdf.Dictionary) and "/S" in item]


def _elements(node: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
    for kid in _kids(node):
        yield kid
        yield from _elements(kid)


def _kind(node: pikepdf.Dictionary) -> str:
    return str(node.S)


def _marked_ids(pdf: pikepdf.Pdf) -> Iterator[tuple[int, int, list[str]]]:
    """(page index, MCID, marked-content tags around it) for every marked sequence with an MCID that
    shows text, and (page, -1, tags) for text shown outside any marked content."""
    for index, page in enumerate(pdf.pages):
        stack: list[tuple[str, int | None]] = []
        for operands, operator in pikepdf.parse_content_stream(page):
            name = str(operator)
            if name == "BDC":
                properties = operands[1]
                mcid = (
                    int(properties.MCID)
                    if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties
                    else None
                )
                stack.append((str(operands[0]), mcid))
            elif name == "BMC":
                stack.append((str(operands[0]), None))
            elif name == "EMC":
                stack.pop()
            elif name in ("Tj", "TJ", "'", '"'):
                tags = [tag for tag, _ in stack]
                mcids = [mcid for _, mcid in stack if mcid is not None]
                yield index, (mcids[-1] if mcids else -1), tags


def check_structure(body: bytes) -> dict[str, int]:
    """Walk the structure tree and the content; fail on any broken rule. Returns what was seen."""
    pdf = pikepdf.open(BytesIO(body))
    root = pdf.Root.StructTreeRoot
    elements = [element for top in _kids(root) for element in [top, *_elements(top)]]
    seen = {"TH": 0, "Table": 0, "Figure": 0, "L": 0, "Link": 0, "artifact text": 0}
    for element in elements:
        kind = _kind(element)
        kids = [_kind(kid) for kid in _kids(element)]
        if kind == "/TH":
            seen["TH"] += 1
            assert str(element.A.get("/Scope")) in ("/Row", "/Column"), "a table header cell without a scope"
        elif kind == "/L":
            seen["L"] += 1
            assert set(kids) <= {"/LI", "/Caption"}, f"a list holding {kids}"
        elif kind == "/LI":
            assert set(kids) <= {"/Lbl", "/LBody"}, f"a list item holding {kids}"
        elif kind == "/Link":
            seen["Link"] += 1
            assert not any(_kind(inner) == "/Link" for inner in _elements(element)), "a link inside a link"
        elif kind == "/Table":
            seen["Table"] += 1
            assert "/Caption" in kids, "a table without a caption"
            headers = [cell for cell in _elements(element) if _kind(cell) == "/TH"]
            head = [part for part in _kids(element) if _kind(part) == "/THead"]
            assert head and headers, "a table without a header row"
        elif kind == "/Figure":
            seen["Figure"] += 1
            alt = str(element.get("/Alt", ""))
            assert "numbers are in the table" in alt, f"a figure whose text does not say where its numbers are: {alt!r}"

    # Every data cell names header cells that exist.
    ids = {str(element.ID) for element in elements if _kind(element) == "/TH" and "/ID" in element}
    for element in elements:
        if _kind(element) == "/TD" and "/A" in element and "/Headers" in element.A:
            assert {str(key) for key in element.A.Headers} <= ids, "a cell naming a header that is not there"

    # Every piece of text shown is either an artifact or marked content of an element in the tree.
    reachable = {element.objgen for element in elements}
    parents = root.ParentTree.Nums
    by_page = {int(parents[i]): parents[i + 1] for i in range(0, len(parents), 2)}
    furnished: set[int] = set()
    for index, mcid, tags in _marked_ids(pdf):
        if "/Artifact" in tags:
            seen["artifact text"] += 1
            furnished.add(index)
            continue
        assert mcid >= 0, f"text outside any marked content on page {index + 1}"
        owners = by_page[int(pdf.pages[index].obj.StructParents)]
        assert owners[mcid].objgen in reachable, f"text on page {index + 1} belongs to nothing in the structure tree"
    seen["pages"], seen["pages with artifact text"] = len(pdf.pages), len(furnished)
    return seen


def test_a_single_assessment_pdf(client, db):
    eia = published_eia(db)
    seen = check_structure(client.get(f"/register/{eia.reference}.pdf").data)
    assert seen["Table"] >= 2 and seen["TH"] >= 10 and seen["L"] >= 2
    # The running header and the page number are artifacts on every page, not only somewhere.
    assert seen["pages with artifact text"] == seen["pages"] and seen["artifact text"] >= 2 * seen["pages"]


def test_the_annual_report_pdf(client, login_as, db):
    _known_year(db)
    login_as(Role.EQUALITIES)
    seen = check_structure(client.get("/reports/2025.pdf").data)
    assert (
        seen["Table"] == 22 and seen["Figure"] >= 2 and seen["Link"] >= 14
    )  # each of the 22 tables whole, one link per contents entry
    assert seen["TH"] > 50 and seen["artifact text"] > 20  # furniture and the contents' dot leaders
    assert seen["pages with artifact text"] == seen["pages"]


@pytest.mark.parametrize(
    "html",
    [
        "<table><tr><th>Name</th></tr><tr><td>x</td></tr></table>",  # no caption, no header row
        "<style>a::after { content: ' (more)' }</style><p><a href='#a'>one</a></p><p id=a>a</p>",
        "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><title>A chart</title></svg>",
    ],
    ids=["table", "link", "figure"],
)
def test_the_checks_can_fail(html):
    from eia.pdf import render_pdf

    body = render_pdf(f"<!DOCTYPE html><html lang='en-GB'><head><title>t</title></head><body>{html}</body></html>")
    with pytest.raises(AssertionError):
        check_structure(body)
