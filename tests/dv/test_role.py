"""The staff council's role can be assigned (admin form, ``lms users``) and shows its own pages."""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import select

from lms import db
from lms.admin.forms import role_choices
from lms.auth.models import User
from tests.conftest import PASSWORD


def test_the_role_is_offered_in_german_and_english(app):
    with app.test_request_context():
        with force_locale("de"):
            assert ("personalrat", "Personalrat") in role_choices()
        with force_locale("en"):
            assert ("personalrat", "Staff council") in role_choices()


def test_admin_gives_an_account_the_role(client, login_as, make_user):
    login_as("admin")
    member = make_user("author")
    response = client.post(f"/admin/konten/{member.id}", data={"role": "personalrat"})
    assert response.status_code == 302
    assert db.session.get(User, member.id, populate_existing=True).role == "personalrat"


def test_the_command_line_creates_a_council_account(runner):
    result = runner.invoke(args=["users", "create", "pr@stadt.example", "--role", "personalrat",
                                 "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User.role).where(User.email == "pr@stadt.example")) == "personalrat"


def test_the_navigation_shows_the_council_its_pages_and_no_one_elses(client, login_as):
    login_as("personalrat")
    html = client.get("/").get_data(as_text=True)
    for own in ('href="/personalrat/protokoll"', 'href="/dienstvereinbarung"', 'href="/schulungen"'):
        assert own in html, own
    for foreign in ('href="/berichte/einheiten"', 'href="/organisation/beschaeftigte"', 'href="/admin/protokoll"',
                    'href="/admin/konten"', 'href="/pflichtschulungen"'):
        assert foreign not in html, foreign
    assert "Personalrat" in html
