from eia.accounts.models import Role


def test_sign_in_page_shows_council_and_form(client):
    response = client.get("/sign-in")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Testshire County Council" in page
    assert 'name="email"' in page


def test_home_shows_name_for_signed_in_person(client, login_as):
    user = login_as(Role.EQUALITIES)
    page = client.get("/").get_data(as_text=True)
    assert user.name in page
    assert "Audit log" in page
