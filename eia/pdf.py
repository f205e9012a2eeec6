"""Turning the app's own HTML into PDF with WeasyPrint, fetching nothing from outside."""

from __future__ import annotations

from typing import Any


class RefusedFetch(ValueError):
    """The PDF tried to load something; PDFs here are self-contained."""


def refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The URL fetcher for every PDF: no file://, no network. Styles are inlined in the template."""
    raise RefusedFetch(f"the PDF may not fetch {url[:80]}")


def render_pdf(html: str) -> bytes:
    """Render *html* to a tagged PDF (PDF/UA-1). Its title, author and language come from the HTML's
    ``<title>``, ``<meta name="author">`` and ``<html lang>``; running headers, footers and anything
    of class ``pdf-artifact`` are artifacts (see :mod:`eia.pdf_tagging`)."""
    from weasyprint import HTML  # heavy (about 0.7 s): imported when a PDF is made, not at start-up

    from eia.pdf_tagging import install, new_document

    install()
    new_document()
    document = HTML(string=html, url_fetcher=refuse_fetch, base_url="about:blank")
    return document.write_pdf(pdf_variant="pdf/ua-1") or b""
