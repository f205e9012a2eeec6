"""My work: grouped by what needs doing, the most urgent group first, each showing its first few with
a count and a "See all" page; past dates tagged "Overdue"; a fixed number of queries."""

from __future__ import annotations

import re
from datetime import date, timedelta

from eia.accounts.models import Role
from eia.assessments import mitigations as eia_mitigations
from eia.assessments.states import EiaState
from eia.db_types import utcnow
from eia.work import FIRST_FEW, Urgency, WorkGroup, WorkItem, in_order, urgency
from tests.factories import make_eia


def _mitigation(eia, author, action: str, due_on: date) -> None:
    eia_mitigations.add_mitigation(
        eia,
        {
            "characteristic_id": None,
            "action": action,
            "owner_id": author.id,
            "due_on": due_on,
            "status": "in_progress",
            "measure": "Counted quarterly.",
        },
        by=author,
    )


def test_urgency_and_the_order_of_groups():
    today = date(2026, 5, 11)
    assert urgency(date(2026, 5, 10), today) is Urgency.OVERDUE
    assert urgency(today, today) is Urgency.THIS_WEEK
    assert urgency(date(2026, 5, 18), today) is Urgency.THIS_WEEK
    assert urgency(date(2026, 5, 19), today) is Urgency.LATER
    assert urgency(None, today) is Urgency.LATER

    def group(key, *due):
        return WorkGroup(key, key, [WorkItem(key, "/", due_on=d) for d in due], today)

    later, week, late = (
        group("later", date(2027, 1, 1)),
        group("week", date(2026, 5, 12)),
        group("late", date(2026, 1, 1)),
    )
    empty = WorkGroup("drafts", "Your drafts", [], today, empty="You have no drafts.")
    # A group with nothing in it and nothing to say is left out.
    assert [g.key for g in in_order([empty, later, week, late, group("none")])] == ["late", "week", "later", "drafts"]
    mixed = group("mixed", date(2027, 1, 1), date(2026, 1, 1), None, date(2026, 5, 13))
    assert [i.due_on for i in mixed.items] == [date(2026, 1, 1), date(2026, 5, 13), date(2027, 1, 1), None]
    assert mixed.summary == "4 in all: 1 overdue, 1 due this week"


def test_my_work_puts_the_overdue_first_shows_a_few_and_links_to_all(client, login_as, db):
    author = login_as(Role.AUTHOR)
    today = utcnow().date()
    draft = make_eia(author=author, title="A draft of mine")
    for n in range(5):
        _mitigation(draft, author, f"Overdue mitigation {n}", today - timedelta(days=30 + n))
    _mitigation(draft, author, "Due this week", today + timedelta(days=2))
    _mitigation(draft, author, "Due next year", today + timedelta(days=365))
    past_review = make_eia(
        author=author, title="Reviewed long ago", state=EiaState.PUBLISHED, review_date=today - timedelta(days=240)
    )
    db.session.commit()

    page = client.get("/").get_data(as_text=True)

    mitigations, reviews, drafts = (page.index(t) for t in ("Mitigations you own", "due for review", "Your drafts"))
    assert mitigations < drafts and reviews < drafts  # groups with something overdue come first
    assert "7 in all: 5 overdue, 1 due this week" in page
    shown = re.findall(r"Overdue mitigation \d", page)
    assert len(shown) == FIRST_FEW  # the first few only ...
    assert shown == ["Overdue mitigation 4", "Overdue mitigation 3", "Overdue mitigation 2"]  # oldest first
    assert "Due next year" not in page
    assert "See all 7 mitigations" in page  # ... and a way to all of them
    # A review date eight months past is tagged.
    row = page[page.index(past_review.reference) :][:600]
    assert "Overdue" in row

    everything = client.get("/my-work/mitigations")
    assert everything.status_code == 200
    text = everything.get_data(as_text=True)
    assert len(re.findall(r"Overdue mitigation \d", text)) == 5
    assert "Due this week" in text and "Due next year" in text
    assert text.index("Overdue mitigation 0") < text.index("Due next year")
    assert client.get("/my-work/nothing-like-this").status_code == 404


def test_my_work_and_see_all_run_the_same_number_of_queries_however_much_there_is(client, login_as, db, count_queries):
    author = login_as(Role.AUTHOR)
    today = utcnow().date()
    first = make_eia(author=author)
    _mitigation(first, author, "One", today - timedelta(days=1))
    make_eia(author=author, state=EiaState.PUBLISHED, review_date=today - timedelta(days=3))
    db.session.commit()

    def count(url: str) -> int:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    few = count("/"), count("/my-work/mitigations"), count("/my-work/drafts")
    for n in range(12):
        eia = make_eia(author=author, title=f"Draft {n}")
        _mitigation(eia, author, f"Mitigation {n}", today + timedelta(days=n))
    make_eia(author=author, state=EiaState.PUBLISHED, review_date=today - timedelta(days=3))
    db.session.commit()
    assert (count("/"), count("/my-work/mitigations"), count("/my-work/drafts")) == few


def test_the_sign_off_queue_puts_the_soonest_decision_first_and_says_when_each_is_due(client, login_as, db):
    from eia.assessments.models import DecisionRecord
    from eia.extensions import db as _db

    today = utcnow().date()
    later = make_eia(title="Approved first, decided later", state=EiaState.APPROVED)
    sooner = make_eia(title="Approved last, decided sooner", state=EiaState.APPROVED)
    undated = make_eia(title="No decision date yet", state=EiaState.APPROVED)
    _db.session.add(DecisionRecord(eia_id=later.id, planned_on=today + timedelta(days=70)))
    _db.session.add(DecisionRecord(eia_id=sooner.id, planned_on=today + timedelta(days=10)))
    _db.session.commit()
    login_as(Role.DECISION_MAKER)
    page = client.get("/my-work/sign-off").get_data(as_text=True)
    titles = re.findall(r"EIA-\d{4}-\d{4}: ([^<]+)</a>", page)
    assert titles == [sooner.title, later.title, undated.title]
    assert '<th scope="col" class="govuk-table__header">Decision due</th>' in page
    assert page.count(">Waiting for your sign-off</h") == 1  # the page's heading, not again above the table
