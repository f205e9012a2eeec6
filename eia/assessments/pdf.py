"""One assessment as a tagged PDF, for the register and the signed-in assessment page."""

from __future__ import annotations

from flask import Response, render_template

from eia.assessments import queries
from eia.assessments.models import Eia
from eia.pdf import render_pdf


def eia_pdf_response(eia: Eia) -> Response:
    """The EIA as a PDF download (shared by the register and the signed-in EIA page)."""
    html = render_template("pdf/eia.html", eia=eia, doc=queries.document(eia))
    body = render_pdf(html)
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{eia.reference}.pdf"'},
    )
