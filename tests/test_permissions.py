"""Every route against every role: who is let in and who is refused (on the server, per object)."""

from __future__ import annotations

import re

import pytest

from eia.accounts.models import Role, TokenScope
from eia.accounts.tokens import create_token
from eia.permissions import RULES, can
from tests.factories import make_user, matrix_objects

ANONYMOUS = "anonymous"
EVERYONE = {ANONYMOUS, *Role}
SIGNED_IN = set(Role)
ADMIN = {Role.ADMIN}
EQUALITIES_AND_ADMIN = {Role.EQUALITIES, Role.ADMIN}
SAMPLE_READERS = {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}

# (method, url rule, who may use it). "{user}" is another person's id.
MATRIX = [
    ("GET", "/sign-in", EVERYONE),
    ("POST", "/sign-in", EVERYONE),
    ("GET", "/accessibility", EVERYONE),
    ("GET", "/healthz", EVERYONE),
    ("GET", "/readyz", EVERYONE),
    # From 127.0.0.1, which EIA_METRICS_ALLOWED_IPS lets in by default (other addresses: test_operations.py).
    ("GET", "/metrics", EVERYONE),
    # No provider is configured here, so both answer 404 (with one: test_oidc.py).
    ("GET", "/sign-in/oidc", EVERYONE),
    ("GET", "/sign-in/oidc/callback", EVERYONE),
    ("GET", "/sign-in/forgotten", EVERYONE),
    ("POST", "/sign-in/forgotten", EVERYONE),
    # {secret} is no link's: the page says so (the links themselves: test_account_links.py).
    ("GET", "/sign-in/reset/{secret}", EVERYONE),
    ("POST", "/sign-in/reset/{secret}", EVERYONE),
    ("GET", "/invitation/{secret}", EVERYONE),
    ("POST", "/invitation/{secret}", EVERYONE),
    ("GET", "/account/waiting", SIGNED_IN),
    ("GET", "/", SIGNED_IN),
    ("GET", "/my-work/drafts", SIGNED_IN),
    ("POST", "/sign-out", EVERYONE),
    ("GET", "/session/status", SIGNED_IN),
    ("POST", "/session/extend", SIGNED_IN),
    ("GET", "/account", SIGNED_IN),
    ("GET", "/account/password", SIGNED_IN),
    ("POST", "/account/reminders", SIGNED_IN),
    ("GET", "/notifications", SIGNED_IN),
    ("POST", "/account/password", SIGNED_IN),
    ("GET", "/account/tokens", SIGNED_IN),
    ("POST", "/account/tokens", SIGNED_IN),
    # {token} is another person's: only an administrator revokes it.
    ("POST", "/account/tokens/{token}/revoke", ADMIN),
    ("GET", "/admin/", ADMIN),
    ("GET", "/admin/users/", ADMIN),
    ("POST", "/admin/users/export.csv", ADMIN),
    ("GET", "/admin/users/new", ADMIN),
    ("POST", "/admin/users/new", ADMIN),
    ("GET", "/admin/users/{user}", ADMIN),
    ("POST", "/admin/users/{user}", ADMIN),
    ("POST", "/admin/users/{user}/disable", ADMIN),
    ("POST", "/admin/users/{user}/enable", ADMIN),
    ("POST", "/admin/users/{user}/unlock", ADMIN),
    ("POST", "/admin/users/{user}/invite", ADMIN),
    ("GET", "/admin/characteristics/", ADMIN),
    ("GET", "/admin/templates/", {Role.ADMIN, Role.EQUALITIES}),
    ("GET", "/admin/templates/compare?from={template}&to={template}", {Role.ADMIN, Role.EQUALITIES}),
    ("GET", "/admin/templates/{template}", {Role.ADMIN, Role.EQUALITIES}),
    ("GET", "/admin/templates/{template}/preview", {Role.ADMIN, Role.EQUALITIES}),
    ("GET", "/admin/templates/upload", ADMIN),
    ("POST", "/admin/templates/upload", ADMIN),
    # The shipped version is published already: an administrator gets past the permission to a 409.
    ("POST", "/admin/templates/{template}/publish", ADMIN),
    ("POST", "/admin/characteristics/{characteristic}", ADMIN),
    ("GET", "/admin/service-areas/", ADMIN),
    ("POST", "/admin/service-areas/", ADMIN),
    ("GET", "/eias/", SIGNED_IN),
    ("POST", "/eias/export.csv", SIGNED_IN),
    ("GET", "/eias/new", {Role.AUTHOR, Role.EQUALITIES, Role.ADMIN}),
    ("POST", "/eias/new", {Role.AUTHOR, Role.EQUALITIES, Role.ADMIN}),
    # {eia} belongs to another service area than the service manager signed in here.
    ("GET", "/eias/{eia}", {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}),
    ("GET", "/eias/{eia}/sections/about", {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}),
    # {eia} has no impact to describe yet: the page of one is not found, whoever asks.
    ("GET", "/eias/{eia}/sections/impacts/across-groups", {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}),
    ("POST", "/eias/{eia}/sections/impacts/across-groups", set()),
    ("GET", "/eias/{eia}/sections/impacts/age", {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}),
    ("POST", "/eias/{eia}/sections/impacts/age", set()),
    ("POST", "/eias/{eia}/sections/about", set()),
    # the second page of a section asked over two
    ("GET", "/eias/{eia}/sections/about/2", {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}),
    ("POST", "/eias/{eia}/sections/about/2", set()),
    ("GET", "/eias/{eia}/mitigations/new", set()),
    ("POST", "/eias/{eia}/mitigations/new", set()),
    ("GET", "/eias/{eia}/mitigations/{mitigation}", set()),
    ("POST", "/eias/{eia}/mitigations/{mitigation}", set()),
    ("GET", "/eias/{eia}/mitigations/{mitigation}/remove", set()),
    ("POST", "/eias/{eia}/mitigations/{mitigation}/remove", set()),
    ("GET", "/eias/{eia}/transitions/approve", {Role.EQUALITIES}),
    ("POST", "/eias/{eia}/transitions/approve", {Role.EQUALITIES}),
    # Abandoning: its author or the equalities team; restoring: the equalities team and admins (a draft
    # is refused for its state, not for the person); withdrawing a submission: those who edit it.
    ("GET", "/eias/{eia}/transitions/abandon", {Role.EQUALITIES}),
    ("POST", "/eias/{eia}/transitions/abandon", {Role.EQUALITIES}),
    ("GET", "/eias/{eia}/transitions/restore", EQUALITIES_AND_ADMIN),
    ("POST", "/eias/{eia}/transitions/restore", EQUALITIES_AND_ADMIN),
    ("GET", "/eias/{eia}/transitions/withdraw_submission", set()),
    ("POST", "/eias/{eia}/transitions/withdraw_submission", set()),
    ("GET", "/eias/{eia}/review", {Role.EQUALITIES}),
    ("POST", "/eias/{eia}/review", {Role.EQUALITIES}),
    ("POST", "/eias/{eia}/reviewer", {Role.EQUALITIES}),
    ("GET", "/eias/{eia}/decision", {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}),
    ("POST", "/eias/{eia}/decision", {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}),
    ("POST", "/eias/{eia}/review", {Role.EQUALITIES}),
    ("POST", "/eias/{eia}/reviewer", {Role.EQUALITIES}),
    ("POST", "/eias/{eia}/comments", {Role.EQUALITIES}),
    ("POST", "/eias/{eia}/reopen", set()),
    ("GET", "/eias/{eia}/people", {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}),
    ("POST", "/eias/{eia}/people/area", set()),
    ("POST", "/eias/{eia}/people/coauthors", {Role.EQUALITIES}),
    ("POST", "/eias/{eia}/people/coauthors/{coauthor}/remove", {Role.EQUALITIES}),
    ("POST", "/eias/{eia}/people/hand-over", {Role.EQUALITIES}),
    ("POST", "/eias/{eia}/comments/{comment}/dealt-with", set()),
    ("GET", "/eias/{eia}/history", {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}),
    ("GET", "/eias/{eia}.pdf", {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}),
    ("POST", "/eias/{eia}.docx", {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}),
    ("GET", "/eias/{eia}/evidence/", {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}),
    ("GET", "/eias/{eia}/evidence/new/file", set()),
    ("POST", "/eias/{eia}/evidence/new/file", set()),
    ("GET", "/eias/{eia}/evidence/{evidence}/download", {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}),
    ("GET", "/eias/{eia}/evidence/{evidence}/remove", set()),
    ("POST", "/eias/{eia}/evidence/{evidence}/remove", set()),
    ("GET", "/register/", EVERYONE),
    ("GET", "/register/feed.atom", EVERYONE),
    ("GET", "/register/equality-information/", EVERYONE),
    ("GET", "/register/equality-information/{year}/edit", EQUALITIES_AND_ADMIN),
    ("POST", "/register/equality-information/{year}/edit", EQUALITIES_AND_ADMIN),
    ("GET", "/register/audit-checkpoints", EVERYONE),
    ("GET", "/register/audit-checkpoints/feed.json", EVERYONE),
    ("GET", "/register/audit-checkpoints/checkpoint", EVERYONE),
    ("GET", "/register/audit-checkpoints/{checkpoint}.txt", EVERYONE),
    ("GET", "/register/audit-checkpoints/public-key", EVERYONE),
    ("GET", "/programme/", SIGNED_IN),
    ("POST", "/programme/", EQUALITIES_AND_ADMIN),
    ("POST", "/programme/{planned}/link", EQUALITIES_AND_ADMIN),
    ("GET", "/plans/", SIGNED_IN),
    ("GET", "/plans/import", EQUALITIES_AND_ADMIN),
    ("POST", "/plans/import", EQUALITIES_AND_ADMIN),
    ("POST", "/plans/import/confirm", EQUALITIES_AND_ADMIN),
    ("GET", "/plans/dashboard", SIGNED_IN),
    ("POST", "/plans/dashboard/export.csv", SIGNED_IN),
    ("GET", "/plans/{plan}", SIGNED_IN),
    ("GET", "/plans/{plan}/edit", EQUALITIES_AND_ADMIN),
    ("POST", "/plans/{plan}/edit", EQUALITIES_AND_ADMIN),
    ("POST", "/plans/{plan}/export.csv", SIGNED_IN),
    ("GET", "/plans/actions/{action}/edit", EQUALITIES_AND_ADMIN),
    ("POST", "/plans/actions/{action}/edit", EQUALITIES_AND_ADMIN),
    ("GET", "/plans/actions/{action}", SIGNED_IN),
    # The action's lead is "Improvement": nobody signed in here works there, so only the equalities team.
    ("POST", "/plans/actions/{action}", {Role.EQUALITIES}),
    ("POST", "/plans/actions/{action}/owner", EQUALITIES_AND_ADMIN),
    ("GET", "/plans/actions/{action}/evidence/{evidence}", SIGNED_IN),
    ("GET", "/eias/{eia}/actions/", {Role.EQUALITIES, Role.ADMIN, Role.DECISION_MAKER}),
    ("POST", "/eias/{eia}/actions/", set()),
    ("GET", "/eias/{eia}/actions/{link}/remove", set()),
    ("POST", "/eias/{eia}/actions/{link}/remove", set()),
    ("GET", "/samples/", SAMPLE_READERS),
    ("GET", "/samples/new", {Role.EQUALITIES}),
    ("POST", "/samples/new", {Role.EQUALITIES}),
    ("GET", "/samples/{sample}", SAMPLE_READERS),
    ("POST", "/samples/{sample}/verify", SAMPLE_READERS),
    ("GET", "/samples/{sample}/items/{item}", SAMPLE_READERS),
    # {item}'s EIA was written by someone else, so any equalities officer may score it.
    ("GET", "/samples/{sample}/items/{item}/score", {Role.EQUALITIES}),
    ("POST", "/samples/{sample}/items/{item}/score", {Role.EQUALITIES}),
    ("GET", "/samples/{sample}/items/{item}/scores/{score}/moderate", {Role.EQUALITIES}),
    ("POST", "/samples/{sample}/items/{item}/scores/{score}/moderate", {Role.EQUALITIES}),
    # {finding} is owned by the EIA's author, who is not the person signed in here.
    ("GET", "/samples/findings/{finding}", SAMPLE_READERS),
    ("POST", "/samples/findings/{finding}", {Role.EQUALITIES}),
    ("GET", "/dashboard", SAMPLE_READERS),
    ("GET", "/rounds/", SAMPLE_READERS),
    ("GET", "/rounds/new", {Role.EQUALITIES}),
    ("POST", "/rounds/new", {Role.EQUALITIES}),
    ("GET", "/rounds/{round}", SAMPLE_READERS),
    ("POST", "/rounds/{round}/members-pack.docx", SAMPLE_READERS),
    # {eia} is another service area's draft: only the equalities team puts it in a round (or out).
    ("POST", "/eias/{eia}/budget-round", {Role.EQUALITIES}),
    ("GET", "/reports/", SAMPLE_READERS),
    ("GET", "/reports/{year}", SAMPLE_READERS),
    ("GET", "/reports/{year}.pdf", SAMPLE_READERS),
    ("GET", "/reports/{year}/commentary", EQUALITIES_AND_ADMIN),
    ("POST", "/reports/{year}/commentary", EQUALITIES_AND_ADMIN),
    ("GET", "/audit-log/", EQUALITIES_AND_ADMIN),
    ("POST", "/audit-log/export.csv", EQUALITIES_AND_ADMIN),
    ("POST", "/audit-log/verify", EQUALITIES_AND_ADMIN),
]


def _flask_rule(path: str) -> str:
    rule = (
        path.replace("{user}", "<int:user_id>")
        .replace("{eia}", "<reference>")
        .replace("/about/2", "/<key>/<int:part>")
        .replace("/about", "/<key>")
        .replace("/impacts/age", "/impacts/<key>")
        .replace("{mitigation}", "<int:mitigation_id>")
        .replace("{characteristic}", "<int:characteristic_id>")
        .replace("{evidence}", "<int:evidence_id>")
        .replace("/new/file", "/new/<kind>")
        .replace("{plan}/export.csv", "{plan}/export.<any(csv, xlsx):file_format>")
        .replace("{plan}", "<int:plan_id>")
        .replace("{action}", "<int:action_id>")
        .replace("{link}", "<int:link_id>")
        .replace("{planned}", "<int:entry_id>")
        .replace("{sample}", "<int:sample_id>")
        .replace("{year}", "<int:year>")
        .replace("{item}", "<int:item_id>")
        .replace("{score}", "<int:score_id>")
        .replace("{finding}", "<int:finding_id>")
        .replace("{token}", "<int:token_id>")
        .replace("{coauthor}", "<int:coauthor_id>")
        .replace("/my-work/drafts", "/my-work/<key>")
        .replace("{comment}", "<int:comment_id>")
        .replace("{checkpoint}", "<int:checkpoint_id>")
        .replace("{secret}", "<secret>")
        .replace("{template}", "<int:template_id>")
        .replace("{round}/members-pack.docx", "<int:round_id>/members-pack.<any(pdf, docx):file_format>")
        .replace("{round}", "<int:round_id>")
        .split("?")[0]
    )
    return re.sub(r"/transitions/\w+$", "/transitions/<name>", rule)


# The register's per-EIA pages answer 404 for anything unpublished, whoever asks (tested in
# test_register_and_pdf.py); they have no role rule to walk here.
PUBLIC_PER_EIA = {
    ("GET", "/register/<reference>"),
    ("GET", "/register/<reference>.pdf"),
    ("GET", "/register/<reference>/evidence/<int:evidence_id>"),
    # A year's equality information likewise, until the equalities team publishes it
    # (test_equality_information.py); then anyone reads it.
    ("GET", "/register/equality-information/<int:year>"),
    ("GET", "/register/equality-information/<int:year>.pdf"),
}


def test_the_matrix_covers_every_route(app):
    """A new route must be added to the matrix above, with who may use it."""
    in_matrix = {(method, _flask_rule(path)) for method, path, _ in MATRIX}
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not rule.rule.startswith("/api/")  # tests/test_api_permissions.py
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - in_matrix - PUBLIC_PER_EIA == set(), "routes missing from the permission matrix"
    assert in_matrix - routes == set(), "matrix rows with no route"


@pytest.mark.parametrize("who", [ANONYMOUS, *Role], ids=str)
@pytest.mark.parametrize(("method", "path", "allowed"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
def test_route_allows_and_denies(client, login_as, db, who, method, path, allowed):
    objects = matrix_objects()
    target = objects["target"]
    token, _ = create_token(target, name="script", scope=TokenScope.READ, days=30, max_days=365, by=target)
    db.session.commit()
    if who != ANONYMOUS:
        login_as(who)
    objects.update(token=token.id, secret="not-a-real-link")
    url = path.format_map(objects)
    response = client.post(url, data={}) if method == "POST" else client.get(url)
    # Flask-Login sends the refused to sign in with where they were going in ?next=.
    refused_to_anonymous = response.status_code == 302 and "/sign-in?next=" in response.headers.get("Location", "")
    if who in allowed:
        assert response.status_code != 403, f"{who} should be allowed {method} {path}"
        assert not refused_to_anonymous, f"{who} should be allowed {method} {path}"
        assert response.status_code < 500
    elif who == ANONYMOUS:
        assert refused_to_anonymous, f"anonymous should be sent to sign in for {method} {path}"
    else:
        assert response.status_code == 403, f"{who} should be refused {method} {path}"
        assert "You do not have permission to see this page" in response.get_data(as_text=True)


def test_admin_cannot_disable_or_demote_themselves(client, login_as, db):
    admin = login_as(Role.ADMIN)
    response = client.post(f"/admin/users/{admin.id}/disable", data={"reason": "oops"})
    assert response.status_code == 403
    response = client.post(
        f"/admin/users/{admin.id}",
        data={
            "name": admin.name,
            "email": admin.email,
            "role": "author",
            "service_area_id": "",
            "version": admin.version,
        },
    )
    assert response.status_code == 403
    db.session.refresh(admin)
    assert admin.role is Role.ADMIN and admin.is_enabled


def test_a_disabled_person_can_do_nothing(db):
    user = make_user(Role.ADMIN, is_enabled=False)
    assert not any(can(user, action, user) for action in RULES if action != "home.view")
    assert not can(user, "home.view")


def test_an_unknown_action_is_a_programming_error(db):
    with pytest.raises(ValueError, match="no permission rule"):
        can(make_user(), "eia.delete_everything")
