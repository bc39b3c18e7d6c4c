"""Password hashing (Argon2id) and the password policy. Pure functions.

The policy (docs/security.md, "Passwords"): at least 12 characters, any characters, up to the form's
1,000; not one of the published or most common passwords; not containing the e-mail's local part; and
at least 10^10 guesses by the zxcvbn strength estimate, which also counts the user's own words
(e-mail, names, unit), the organisation's name and the words in :data:`CONTEXT_WORDS` as guessable.
"""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

MIN_LENGTH = 12
#: guesses (log10) an attacker needs by the zxcvbn estimate; 10: zxcvbn's best score, "very unguessable"
MIN_GUESSES_LOG10 = 10
#: zxcvbn judges at most this many characters (its cost grows with the length); the rest only adds
ESTIMATE_LENGTH = 72
#: the demo accounts' password, published in the README: never accepted for a real account
DEMO_PASSWORD = "Demo-Musterstadt-2026"  # noqa: S105 - published on purpose, refused by the policy
#: context-specific words (ASVS 6.1.2): the product, the roles, the setting, and common German
#: password words zxcvbn's English dictionaries lack. The user's own words and the organisation's
#: name are added per call (:func:`context_words`).
CONTEXT_WORDS = (
    "ki-kompetenz", "kikompetenz", "kompetenz", "lernplattform", "schulung", "zertifikat",
    "beschaeftigte", "koordination", "personalstelle", "ausschuss", "redaktion", "administration",
    "admin", "stadt", "stadtverwaltung", "verwaltung", "rathaus", "buergeramt", "landkreis", "gemeinde",
    "passwort", "kennwort", "geheim", "hallo", "willkommen", "sommer", "winter", "herbst", "fruehling",
    "januar", "februar", "maerz", "april", "juni", "juli", "august", "september", "oktober", "november",
    "dezember", "montag", "freitag", "schatz", "sonne", "liebe", "fussball", "deutschland", "europa",
    "musterstadt", "demo",
)
_UMLAUTS = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"))
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
) | {DEMO_PASSWORD.lower()}


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


def context_words(*, email: str = "", names: tuple[str, ...] | list[str] = (), org_name: str = "") -> list[str]:
    """The words a password is judged against: :data:`CONTEXT_WORDS`, the e-mail's local part, the
    names and the organisation's name, whole and in parts, with and without umlauts."""
    words = set(CONTEXT_WORDS)
    for text in (email.split("@")[0], *names, org_name):
        text = (text or "").strip().lower()
        parts = [text, *(p for p in re.split(r"[\W_]+", text) if len(p) >= 3)]
        for part in filter(None, parts):
            words.add(part)
            plain = part
            for umlaut, ascii_ in _UMLAUTS:
                plain = plain.replace(umlaut, ascii_)
            words.add(plain)
    return sorted(words)


def guesses_log10(password: str, words: list[str]) -> float:
    """zxcvbn's estimate of the guesses needed (log10), knowing ``words``."""
    return float(zxcvbn(password[:ESTIMATE_LENGTH], user_inputs=words)["guesses_log10"])


def policy_problems(password: str, *, email: str = "", names: tuple[str, ...] | list[str] = (),
                    org_name: str = "") -> list[str]:
    """Reasons the password is refused (empty list: accepted). ``names``: the user's names (and unit);
    ``org_name``: the organisation's (``LMS_ORG_NAME``)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(str(_l("Das Passwort muss mindestens %(n)d Zeichen lang sein.", n=MIN_LENGTH)))
    lowered = password.lower()
    if lowered in COMMON or len(set(lowered)) <= 2:
        problems.append(str(_l("Dieses Passwort ist zu verbreitet. Bitte wählen Sie ein anderes.")))
    local = email.split("@")[0].lower()
    if local and len(local) >= 4 and local in lowered:
        problems.append(str(_l("Das Passwort darf Ihre E-Mail-Adresse nicht enthalten.")))
    if not problems and guesses_log10(password, context_words(email=email, names=names, org_name=org_name)) \
            < MIN_GUESSES_LOG10:
        problems.append(str(_l("Dieses Passwort ist zu leicht zu erraten, zum Beispiel wegen eines "
                               "häufigen Wortes, einer Jahreszahl, eines Namens oder eines einfachen "
                               "Musters. Ein Satz aus mehreren Wörtern ist sicher und gut zu merken.")))
    return problems
