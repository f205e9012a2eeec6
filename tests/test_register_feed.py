"""The Atom feed of published assessments: only what is on the register, newest first, valid XML
with the titles escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from sqlalchemy import select

from eia.assessments.models import EiaSection
from eia.assessments.states import EiaKind, EiaState
from tests.factories import make_eia

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_feed_lists_published_assessments_newest_first(client, db):
    older = make_eia(
        title="Parks & <open> spaces", state=EiaState.PUBLISHED, published_at=datetime(2025, 5, 1, tzinfo=UTC)
    )
    newer = make_eia(
        title="Library opening hours", state=EiaState.PUBLISHED, published_at=datetime(2025, 9, 1, tzinfo=UTC)
    )
    db.session.execute(
        select(EiaSection).where(EiaSection.eia_id == newer.id, EiaSection.key == "about")
    ).scalar_one().answers = {"plain_summary": "Four branches open fewer hours; Saturday mornings stay."}
    draft = make_eia(title="Street lighting")
    individual = make_eia(
        kind=EiaKind.INDIVIDUAL,
        title="One employee",
        state=EiaState.SIGNED_OFF,
        published_at=datetime(2025, 9, 2, tzinfo=UTC),
    )
    db.session.commit()
    response = client.get("/register/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)  # well-formed: the & and < in a title are escaped
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        f"{newer.reference}: Library opening hours",
        f"{older.reference}: Parks & <open> spaces",
    ]
    assert entries[0].findtext(f"{ATOM}summary") == "Four branches open fewer hours; Saturday mornings stay."
    assert entries[0].find(f"{ATOM}link").get("href").endswith(f"/register/{newer.reference}")
    assert root.findtext(f"{ATOM}updated").startswith("2025-09-01")
    body = response.get_data(as_text=True)
    assert draft.reference not in body and individual.reference not in body and "One employee" not in body
    assert 'href="/register/feed.atom"' in client.get("/register/").get_data(as_text=True)
