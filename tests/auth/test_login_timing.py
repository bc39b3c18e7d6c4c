"""Finding 3 (medium): login timing told which accounts are invited but not yet activated.

A failed login costs one Argon2 verification whatever the account's state (unknown, invited without
a password, inactive, wrong password), so the response time does not tell them apart. Proven by
counting verifications, not by measuring time.
"""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from lms import db
from lms.auth import passwords, services
from lms.auth.passwords import verify_password
from tests.conftest import PASSWORD


class CountingHasher(PasswordHasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verifications = 0

    def verify(self, hash, password):
        self.verifications += 1
        return super().verify(hash, password)


@pytest.fixture
def hasher(monkeypatch) -> CountingHasher:
    counting = CountingHasher()
    monkeypatch.setattr(passwords, "_hasher", counting)
    return counting


def accounts(make_user):
    active = make_user("hr")
    inactive = make_user("hr")
    inactive.is_active = False
    invited = services.create_user("eingeladen@stadt.example", "hr")
    services.invite(invited)
    db.session.commit()
    return {"active": active.email, "inactive": inactive.email, "invited": invited.email,
            "unknown": "niemand@stadt.example"}


@pytest.mark.parametrize("state", ["active", "inactive", "invited", "unknown"])
def test_every_failed_login_costs_exactly_one_verification(state, app, auth, make_user, hasher):
    email = accounts(make_user)[state]
    hasher.verifications = 0
    response = auth.login(email, "ein-falsches-passwort")
    assert response.status_code == 200
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.get_data(as_text=True)
    assert hasher.verifications == 1


def test_the_correct_password_costs_one_verification_too(app, auth, make_user, hasher):
    email = accounts(make_user)["active"]
    hasher.verifications = 0
    assert auth.login(email, PASSWORD).status_code == 302
    assert hasher.verifications == 1


def test_no_stored_hash_never_verifies_even_with_the_dummy_password(app, hasher):
    """The dummy hash is only for timing: nothing ever matches an account without a password."""
    assert verify_password(None, passwords.DUMMY_PASSWORD) is False
    assert verify_password("", passwords.DUMMY_PASSWORD) is False
    assert hasher.verifications == 2


def test_an_invited_account_cannot_log_in_with_any_password(app, auth, make_user, hasher):
    email = accounts(make_user)["invited"]
    for guess in ("", passwords.DUMMY_PASSWORD, "dummy-password-for-timing"):
        assert auth.login(email, guess or "x").status_code == 200
