"""A new service manager's assessment in a real browser, axe-core on every page: started for a
chosen service area, a co-author who edits a section, the impacts in two steps, one page with an
impossible date and a missing answer reported together, Check your answers with a Change link, the
declaration and the submission; the reviewer's comment on a section seen on that section and marked
dealt with. One whole section is filled in with the keyboard only."""

from __future__ import annotations

from datetime import date

from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from eia.accounts.models import Role, ServiceArea, User
from eia.assessments import mitigations as eia_mitigations
from eia.assessments import services as eia_services
from eia.assessments.models import Eia
from eia.demo.people import DEMO_PASSWORD
from eia.extensions import db
from tests.browser.conftest import assert_accessible, sign_in, visit
from tests.factories import PASSWORD, STANDARD_ANSWERS, make_user

CO_AUTHOR = "jo.okafor@council.example"
REVIEWER = "priya.shah@council.example"
NEW_AUTHOR = "dana.hughes@council.example"


class Journey:
    """A signed-in person's browser tab that checks every page it reaches with axe, and counts the
    pages it reached and the fields it filled."""

    def __init__(self, browser: Browser, base: str, email: str, password: str) -> None:
        self.page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        self.base = base
        self.pages = 0
        self.fields = 0
        self.page.on("load", lambda _page: self._arrived())
        sign_in(self.page, base, email, password)
        expect(self.page.get_by_role("heading", level=1)).to_have_text("My work")

    def _arrived(self) -> None:
        self.pages += 1

    def check(self) -> None:
        assert_accessible(self.page)

    def fill(self, label: str, value: str, **kwargs) -> None:
        self.page.get_by_label(label, **kwargs).fill(value)
        self.fields += 1

    def choose(self, label: str, **kwargs) -> None:
        self.page.get_by_label(label, **kwargs).check()
        self.fields += 1

    def click(self, role: str, name: str, **kwargs) -> None:
        self.page.get_by_role(role, name=name, **kwargs).first.click()
        self.page.wait_for_load_state()
        self.check()


def tab_to(page: Page, element_id: str, *, most: int = 120) -> None:
    """Press Tab until the element with *element_id* has the focus (keyboard only)."""
    for _ in range(most):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def choose_by_keyboard(page: Page, name: str, value: str) -> None:
    """Tab into the radio group *name* and choose *value* with the arrow keys (Space when none is chosen)."""
    for _ in range(120):
        if page.evaluate("document.activeElement && document.activeElement.name") == name:
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError(f"Tab never reached the {name} radios")
    if not page.evaluate("document.activeElement.checked"):
        page.keyboard.press("Space")
    for _ in range(10):
        if page.evaluate("document.activeElement.value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no {value!r} among the {name} radios")


def type_into(page: Page, element_id: str, text: str) -> None:
    tab_to(page, element_id)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def _new_author(app: Flask) -> None:
    with app.app_context():
        team = db.session.execute(select(ServiceArea).where(ServiceArea.name == "Tenancy Management")).scalar_one()
        make_user(Role.AUTHOR, name="Dana Hughes", email=NEW_AUTHOR, service_area=team)


def _answer_the_rest(app: Flask, reference: str, skip: set[str]) -> None:
    """Sections this test does not type in are answered through the same services the pages use."""
    with app.app_context():
        eia = db.session.execute(select(Eia).where(Eia.reference == reference)).scalar_one()
        author = db.session.execute(select(User).where(User.email == NEW_AUTHOR)).scalar_one()
        for section in eia.form.sections:
            if section.key in skip or section.kind == "impacts":
                continue
            if section.needed_when is not None and not section.needed_when.holds(eia.answers):
                continue  # left out by a rule of the template (the Covenant, with no covered function)
            answers = dict(STANDARD_ANSWERS.get(section.key, {}))
            if section.key == "mitigations":
                continue  # after its mitigation, below
            version = eia.section(section.key).version
            eia_services.save_section(eia, section.key, answers, completed=True, expected_version=version, by=author)
        age = next(i for i in eia.impacts if i.is_negative)
        eia_mitigations.add_mitigation(
            eia,
            {
                "characteristic_id": age.characteristic_id,
                "action": "Keep Tuesday and Thursday mornings at the two branches older borrowers use most.",
                "owner_id": author.id,
                "due_on": date(2099, 6, 30),
                "status": "not_started",
                "measure": "Morning visits by over-65s, compared quarterly.",
            },
            by=author,
        )
        version = eia.section("mitigations").version
        answers = STANDARD_ANSWERS["mitigations"] | {"monitoring_owner": str(author.id)}
        eia_services.save_section(eia, "mitigations", answers, completed=True, expected_version=version, by=author)
        db.session.commit()


def test_a_new_author_writes_an_assessment_with_a_colleague_and_deals_with_a_comment(
    browser: Browser, live_app: Flask, live_server: str
):
    _new_author(live_app)
    author = Journey(browser, live_server, NEW_AUTHOR, PASSWORD)
    author.check()

    # Started for a chosen service area: the library's, not the author's own team.
    author.click("button", "Start an assessment")
    author.choose("A policy, function, service or budget proposal")
    author.fill("Title of the proposal", "Library opening hours 2027")
    author.page.get_by_label("Which service area is it for?").select_option(label="Housing > Housing Options")
    author.fields += 1
    author.click("button", "Start the assessment")
    reference = author.page.locator(".govuk-caption-l").first.inner_text()
    assert reference.startswith("EIA-")
    visit(author.page, f"{live_server}/eias/{reference}/people")
    expect(author.page.locator("main")).to_contain_text("Housing > Housing Options")

    # A co-author who signs in, and edits a section.
    author.page.get_by_label("Add a co-author").select_option(label="Jo Okafor (jo.okafor@council.example)")
    author.fields += 1
    author.click("button", "Add co-author")
    expect(author.page.get_by_text("Jo Okafor can now help write")).to_be_visible()

    colleague = Journey(browser, live_server, CO_AUTHOR, DEMO_PASSWORD)
    colleague.click("link", reference)
    colleague.click("link", "Screening")
    colleague.fill("How many people are affected, and who are they?", "About 41,000 active borrowers.")
    colleague.fill("How significant is the effect on them?", "Moderate: fewer weekday evening hours.")
    colleague.click("button", "Save and continue")  # screening is asked over two pages
    expect(colleague.page.get_by_text("Page 2 of 2")).to_be_visible()
    colleague.choose("None of these")
    colleague.choose("Yes", exact=True)
    colleague.choose("Yes, I have completed this section")
    colleague.click("button", "Save and continue")
    expect(colleague.page.get_by_text("Screening saved.")).to_be_visible()

    # About the proposal (two pages) with the keyboard only: on its second page an impossible date and
    # a missing answer, reported together in one round, then put right.
    page = author.page
    visit(page, f"{live_server}/eias/{reference}/sections/about")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    choose_by_keyboard(page, "proposal_type", "service")
    tab_to(page, "lead_officer")
    page.keyboard.type("Dana Hughes")
    type_into(page, "decision_maker", "Cabinet Member for Culture")
    choose_by_keyboard(page, "decision_route", "cabinet")
    tab_to(page, "submit")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    author.fields += 4
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    author.check()
    type_into(page, "started_on-day", "31")
    type_into(page, "started_on-month", "2")
    type_into(page, "started_on-year", "2026")
    type_into(page, "changes", "Four branches move from 48 to 36 hours a week; Saturday mornings are kept.")
    choose_by_keyboard(page, "affects", "both")
    type_into(page, "plain_summary", "Four libraries open fewer weekday hours; mornings stay at two branches.")
    choose_by_keyboard(page, "completed", "yes")
    tab_to(page, "submit")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    author.fields += 7
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("real date")  # the impossible 31 February ...
    expect(summary).to_contain_text("Enter the aims and intended outcomes")  # ... and the missing answer, at once
    expect(page.locator("#changes")).to_have_value(  # nothing typed is lost
        "Four branches move from 48 to 36 hours a week; Saturday mornings are kept."
    )
    author.check()
    type_into(page, "started_on-day", "3")
    type_into(page, "aims", "Keep all eight branch libraries open within a budget reduced by £180,000.")
    tab_to(page, "submit")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    author.fields += 2
    expect(page.get_by_text("About the proposal saved.")).to_be_visible()
    author.check()

    # The impacts in two steps: a direction for every group, then a page for each one that is not neutral.
    author.click("link", "Impact on each characteristic")
    for name in ("Age", "Disability"):
        group = page.get_by_role("group", name=name, exact=True)
        group.get_by_label("Negative" if name == "Age" else "Not known").check()
        author.fields += 1
    for neutral in page.locator("input[name$='_direction'][value='neutral']").all():
        name = neutral.get_attribute("name")
        if page.locator(f"input[name='{name}']:checked").count():
            continue
        neutral.check()
        page.locator(f"#{name.removesuffix('_direction')}_reason").fill("The same opening hours apply to everyone.")
        author.fields += 2
    author.click("button", "Save and continue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Impact on age: negative")
    author.fill("What is the real effect on people?", "Fewer weekday mornings at the branches older people use.")
    author.fill("Who exactly is affected?", "Borrowers over 65 at Eastbrook and Millgate.")
    author.choose("Medium")
    author.click("button", "Save and continue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Impact on disability: not known")
    author.fill("What is the real effect on people?", "Not yet known for home library users.")
    author.fill("What will be done to find out, and by when?", "Ask the Disability Forum in March.")
    author.click("button", "Save and continue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Effects across groups and the aims of the duty")
    author.fill("eliminate unlawful discrimination", "Hours apply equally; home library visits go on.", exact=False)
    author.fill("advance equality of opportunity", "Saturday and after-school hours are kept.", exact=False)
    author.fill("foster good relations", "Libraries stay community spaces in every ward.", exact=False)
    author.choose("Yes, I have completed this section")
    author.click("button", "Save and continue")

    _answer_the_rest(live_app, reference, skip={"about", "screening"})

    # Check your answers, a Change link, then the declaration and the submission.
    visit(page, f"{live_server}/eias/{reference}")
    author.click("button", "Submit for review")
    expect(page.get_by_role("heading", name="Check your answers before submitting")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Moderate: fewer weekday evening hours.")
    author.click("link", "Change how significant is the effect on them?")
    expect(page.get_by_role("heading", level=1)).to_have_text("Screening")
    author.fill("How significant is the effect on them?", "Moderate: fewer weekday evening and morning hours.")
    author.click("button", "Save and continue")
    visit(page, f"{live_server}/eias/{reference}")
    author.click("button", "Submit for review")
    expect(page.locator("main")).to_contain_text("Moderate: fewer weekday evening and morning hours.")
    author.choose("I have considered the effect of the proposal", exact=False)
    author.click("button", "Submit for review")
    expect(page.get_by_text("has been sent to the equalities team for review")).to_be_visible()

    # The reviewer comments on one section and returns it.
    reviewer = Journey(browser, live_server, REVIEWER, DEMO_PASSWORD)
    visit(reviewer.page, f"{live_server}/eias/{reference}")
    reviewer.click("button", "Review this assessment")
    comment_box = reviewer.page.get_by_label("Comment on about the proposal (optional)")
    comment_box.fill("Say which branches keep their evening hours.")
    reviewer.page.get_by_role("button", name="Add the comment on about the proposal").click()
    expect(reviewer.page.get_by_text("Comment added.")).to_be_visible()
    reviewer.click("button", "Return to the author")
    reviewer.fill("Or return it to the author", "One question on the proposal itself.")
    reviewer.click("button", "Return to the author")
    expect(reviewer.page.get_by_text("has been returned to its author")).to_be_visible()

    # The author sees it on that section and marks it dealt with, with a reply.
    visit(page, f"{live_server}/eias/{reference}/sections/about")
    expect(page.locator(".app-comment")).to_contain_text("Say which branches keep their evening hours.")
    author.fill("Your reply (optional)", "Eastbrook keeps Thursday evenings.")
    author.click("button", "Mark as dealt with")
    expect(page.locator(".app-comment")).to_contain_text("Dealt with")
    expect(page.locator(".app-comment")).to_contain_text("Eastbrook keeps Thursday evenings.")

    print(
        f"\nauthor: {author.pages} pages, {author.fields} fields; co-author: {colleague.pages} pages, {colleague.fields} fields"
    )
    for journey in (author, colleague, reviewer):
        journey.page.context.close()
