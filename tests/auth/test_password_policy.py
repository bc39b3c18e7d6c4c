"""Finding 5 (low): the password policy accepted ``Passwort1234!``, ``Sommer2026!!``, ``P@ssw0rd1234``,
``annaschmidt12`` for anna.schmidt and the published demo password.

Now a strength estimate (zxcvbn) with the user's own words (e-mail, names, unit) and the
organisation's name decides, after the length and the list of published passwords. The list of
context words is documented in docs/security.md.
"""

from __future__ import annotations

import pytest

from lms import db
from lms.auth import services
from lms.auth.passwords import DEMO_PASSWORD, context_words, policy_problems
from lms.demo import services as demo

ANNA = "anna.schmidt@stadt.example"


@pytest.mark.parametrize("password", [
    "Passwort1234!", "Sommer2026!!", "P@ssw0rd1234", "Winter2025!!!", "Hallo1234567", DEMO_PASSWORD,
    "demo-musterstadt-2026",
])
def test_the_probes_weak_passwords_are_refused(password, app):
    assert policy_problems(password, email=ANNA)


def test_the_users_name_makes_a_password_weak(app):
    assert policy_problems("annaschmidt12", email=ANNA)
    # a name without the e-mail: the employee's name is passed in
    assert policy_problems("ZoltanQuibbleworth!", email="z.q@stadt.example") == []
    assert policy_problems("ZoltanQuibbleworth!", email="z.q@stadt.example", names=("Zoltan", "Quibbleworth"))


def test_the_organisations_name_makes_a_password_weak(app):
    assert policy_problems("Quellenhausen2026!") == []
    assert policy_problems("Quellenhausen2026!", org_name="Stadtverwaltung Quellenhausen")


@pytest.mark.parametrize("password", [
    "Sommer im Elbtal 2026", "Lange-genug-und-geheim-42", "Ein-sicheres-Passwort-9", "correct horse battery staple",
    "Kaffee-Tasse-Fenster", "x" * 60 + "Lang genug und sehr lang",
])
def test_good_passwords_are_accepted(password, app):
    assert policy_problems(password, email=ANNA, names=("Anna", "Schmidt"), org_name="Stadtverwaltung Musterstadt") == []


def test_passwords_of_any_length_up_to_1000_are_judged(app):
    assert policy_problems("Ein langer Satz " * 60) == []  # 960 characters


def test_context_words_cover_user_organisation_and_product(app):
    words = context_words(email="jürgen.müller@stadt.example", names=("Jürgen", "Müller", "Bürgeramt"),
                          org_name="Stadtverwaltung Quellenhausen")
    for word in ("jürgen", "juergen", "müller", "mueller", "bürgeramt", "quellenhausen", "stadtverwaltung",
                 "kompetenz", "passwort"):
        assert word in words, word


def test_invitation_refuses_a_password_made_of_the_users_name(app, client, make_employee):
    employee = make_employee(first_name="Zoltan", last_name="Quibbleworth", email="zq@stadt.example")
    user = services.create_user(employee.email, "employee")
    token = services.invite(user)
    db.session.commit()
    response = client.post(f"/einladung/{token}", data={"password": "ZoltanQuibbleworth!",
                                                        "confirm": "ZoltanQuibbleworth!"})
    assert response.status_code == 200
    assert "zu leicht zu erraten" in response.get_data(as_text=True)


def test_the_organisation_name_comes_from_the_configuration(app):
    app.config["LMS_ORG_NAME"] = "Stadtverwaltung Quellenhausen"
    with pytest.raises(services.AccountError):
        services.create_user("it@stadt.example", "admin", password="Quellenhausen2026!")


def test_demo_load_still_creates_its_accounts_with_the_published_password(runner, app):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert demo.PASSWORD == DEMO_PASSWORD
    user = services.find_by_email(demo.ACCOUNTS[0].email)
    from lms.auth.passwords import verify_password

    assert verify_password(user.password_hash, DEMO_PASSWORD)
    # but nobody can choose it
    with pytest.raises(services.AccountError):
        services.set_password(user, DEMO_PASSWORD)
