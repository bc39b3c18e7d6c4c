"""Password hashing (Argon2id) and the password policy. Pure functions."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters

# The most common passwords of breach lists that are 12+ characters long, and the obvious patterns.
# A longer list would be better served by a breach-corpus check; this one stops the classics.
COMMON = frozenset(
    """
    123456789012 1234567890123 12345678901234 123456789012345 1234567890qwe 1q2w3e4r5t6y
    qwertyuiopasdf qwertzuiopüasdf qwertzuiop123 qwertyuiop123 passwort1234 password1234
    passwort12345 password12345 passwort123456 password123456 hallo1234567 hallohallo12
    sommer2024!! sommer2025!! winter2025!! winter2026!! willkommen123 willkommen1234
    iloveyou1234 administrator adminadmin123 letmein12345 trustno1trustno1 000000000000
    111111111111 aaaaaaaaaaaa abcdefghijkl abc123abc123 changeme1234 geheim123456 startstart12
    stadtverwaltung dresden12345 berlin123456 passwortpasswort passwordpassword
    """.split()
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


#: what the dummy hash is made of; it is never accepted (see :func:`verify_password`)
DUMMY_PASSWORD = "dummy-password-for-timing"  # noqa: S105 - not a credential
_dummy: tuple[PasswordHasher, str] | None = None


def _dummy_hash() -> str:
    """A hash made with the current parameters, so that verifying against it costs the same."""
    global _dummy
    if _dummy is None or _dummy[0] is not _hasher:
        _dummy = (_hasher, _hasher.hash(DUMMY_PASSWORD))
    return _dummy[1]


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``.

    Always costs one Argon2 verification: without a stored hash (unknown account, invitation not yet
    accepted) it verifies against a dummy hash and returns False, so the time taken does not tell
    which accounts exist or are activated.
    """
    try:
        ok = _hasher.verify(stored_hash or _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    return ok and bool(stored_hash)


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def policy_problems(password: str, *, email: str = "") -> list[str]:
    """Reasons the password is refused (empty list: accepted)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(str(_l("Das Passwort muss mindestens %(n)d Zeichen lang sein.", n=MIN_LENGTH)))
    lowered = password.lower()
    if lowered in COMMON or len(set(lowered)) <= 2:
        problems.append(str(_l("Dieses Passwort ist zu verbreitet. Bitte wählen Sie ein anderes.")))
    local = email.split("@")[0].lower()
    if local and len(local) >= 4 and local in lowered:
        problems.append(str(_l("Das Passwort darf Ihre E-Mail-Adresse nicht enthalten.")))
    return problems
