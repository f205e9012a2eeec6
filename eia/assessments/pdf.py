"""One assessment as a tagged PDF, for the register and the signed-in assessment page."""

from __future__ import annotations

import hashlib

from flask import Response, render_template

from eia import render_cache
from eia.assessments import committee, decisions, queries
from eia.assessments.models import Eia
from eia.pdf import render_pdf


def eia_pdf_response(eia: Eia) -> Response | tuple[str, int, dict[str, str]]:
    """The EIA as a PDF download (shared by the register and the signed-in EIA page), rendered once
    for what it says now: the cached copy is named by a hash of its HTML."""
    html = render_template(
        "pdf/eia.html",
        eia=eia,
        doc=queries.document(eia),
        record=eia.decision,
        timings=decisions.timeliness(eia),
        implications=committee.equality_implications(eia) if committee.has_implications(eia) else None,
    )
    key = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32]
    body = render_cache.cached(f"eia-{eia.reference}", key, lambda: render_pdf(html))
    if body is None:
        return render_cache.preparing(f"{eia.reference} as a PDF")
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{eia.reference}.pdf"'},
    )
