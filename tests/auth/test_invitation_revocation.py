"""Finding 1 (high): a new invitation link or a new password voids every other open link of that user.

The probe: ``lms users invite-employees --out inv.csv`` gave link L1, ``lms users invite EMAIL`` gave
L2; after a password was set through L2, L1 still set a new one and took the account over.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from lms import db
from lms.auth import services
from lms.auth.models import Invitation
from tests.conftest import PASSWORD

NEW = "Ein-frisches-Passwort-fuer-L2"
TAKEOVER = "Uebernahme-durch-alten-Link-1"


def token_of(link: str) -> str:
    return link.strip().rsplit("/einladung/", 1)[1]


def open_invitations(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Invitation).where(
        Invitation.user_id == user_id, Invitation.used_at.is_(None))) or 0


def test_probe_scenario_old_link_is_dead_after_a_new_one_and_a_password(runner, client, auth, make_employee,
                                                                          tmp_path):
    employee = make_employee(email="anna.schmidt@stadt.example")
    out = tmp_path / "inv.csv"
    assert runner.invoke(args=["users", "invite-employees", "--out", str(out)]).exit_code == 0
    first = token_of(out.read_text().splitlines()[1].split(";")[1])
    result = runner.invoke(args=["users", "invite", employee.email])
    assert result.exit_code == 0, result.output
    second = token_of(result.stdout)  # standard error says whether the e-mail left
    # issuing L2 voids L1 at once
    assert client.get(f"/einladung/{first}").status_code == 404
    assert client.post(f"/einladung/{second}", data={"password": NEW, "confirm": NEW}).status_code == 302
    # L1 cannot set a password afterwards
    response = client.post(f"/einladung/{first}", data={"password": TAKEOVER, "confirm": TAKEOVER})
    assert response.status_code == 404
    assert auth.login(employee.email, TAKEOVER).status_code == 200
    assert auth.login(employee.email, NEW).status_code == 302


def test_a_new_invitation_voids_the_open_ones(app, make_user):
    user = make_user("hr")
    tokens = [services.invite(user) for _ in range(3)]
    db.session.commit()
    assert open_invitations(user.id) == 1
    assert [services.find_invitation(t) is not None for t in tokens] == [False, False, True]


def test_setting_a_password_through_one_link_voids_the_others(app, make_user):
    """Two links open at the same time (e.g. one made before this fix): using one kills the other."""
    user = make_user("hr")
    first = services.invite(user)
    # a second open link written directly, as an older version of the app could have left it
    second = "zweiter-offener-link"
    db.session.add(Invitation(user=user, token_hash=services._token_hash(second),
                              expires_at=db.session.scalar(select(Invitation.expires_at))))
    db.session.commit()
    assert open_invitations(user.id) == 2
    services.accept_invitation(services.find_invitation(second), NEW)
    db.session.commit()
    assert services.find_invitation(first) is None
    assert open_invitations(user.id) == 0


def test_changing_the_password_voids_open_links(login_as, client):
    user = login_as("hr")
    token = services.invite(user)
    db.session.commit()
    response = client.post("/konto/passwort", data={"current": PASSWORD, "password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert client.get(f"/einladung/{token}").status_code == 404


def test_one_link_sets_a_password_only_once_even_if_loaded_twice(app, make_user):
    """Two requests that both loaded the same valid link: only the first may use it."""
    user = make_user("hr")
    token = services.invite(user)
    db.session.commit()
    inv_a = services.find_invitation(token)
    services.accept_invitation(inv_a, NEW)
    db.session.commit()
    # the second request still holds the invitation it loaded before the first one committed
    inv_b = db.session.get(Invitation, inv_a.id)
    set_committed_value(inv_b, "used_at", None)  # what that request's stale copy says
    try:
        services.accept_invitation(inv_b, TAKEOVER)
    except services.AccountError:
        pass
    else:
        raise AssertionError("a used invitation set a second password")
    finally:
        db.session.rollback()
