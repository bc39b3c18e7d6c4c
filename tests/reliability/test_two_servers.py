"""More than one app server: two gunicorn instances on separate ports share one database and one Redis.

What must hold when a load balancer sends a user's requests to either instance:

* a session started on one works on the other (signed cookie, same ``SECRET_KEY``; a quiz started on
  A is submitted on B with the CSRF token A gave);
* a logout on one ends that session on both (the session version in the database): the old cookie,
  replayed on the other instance, is refused;
* failed logins count across both (the login throttle lives in the database);
* the request rate limit counts across both (Flask-Limiter storage in Redis,
  ``LMS_RATELIMIT_STORAGE_URI``): 20 login POSTs per minute per address in all, not 20 per instance;
* when Redis goes away, both keep serving logins (each counts in memory until it is back).

In the PostgreSQL run both instances use one PostgreSQL database; in the SQLite run both use one
SQLite file (WAL; two processes on one machine, the supported way to run SQLite with several
gunicorn masters). Redis is Debian's ``redis-server`` on a free port in a temporary directory.
"""

from __future__ import annotations

import http.cookiejar
import re

import pytest

from tests.conftest import PASSWORD
from tests.reliability.support import (
    SLUG,
    Browser,
    Gunicorn,
    Redis,
    drop_database,
    new_database,
    seed,
    server_env,
)

pytestmark = pytest.mark.reliability
ITEM = re.compile(r'name="item-(\d+)" value="(\d+)"')
LOGIN_POSTS_PER_MINUTE = 20  # @limiter.limit("20 per minute", methods=["POST"]) on auth.login


@pytest.fixture
def cluster(_template_db, tmp_path):
    url = new_database(_template_db, tmp_path)
    emails = seed(url, learners=2)
    redis = Redis(tmp_path / "redis")
    redis.start()
    env = server_env(url, LMS_RATELIMIT_STORAGE_URI=redis.url, LMS_LOGIN_MAX_FAILURES="3",
                     LMS_IP_MAX_FAILURES="1000")
    servers = [Gunicorn(env, tmp_path / f"gunicorn-{name}.log", workers=1, threads=2) for name in "ab"]
    try:
        for server in servers:
            server.start()
        yield servers[0], servers[1], redis, emails
    finally:
        for server in servers:
            server.stop()
        redis.stop()
        drop_database(url)


def session_cookie(browser: Browser) -> http.cookiejar.Cookie:
    return next(c for c in browser.jar if c.name == "session")


def test_two_app_servers_share_sessions_logout_throttle_and_rate_limit(cluster):
    a, b, redis, (learner, other) = cluster
    posts = 0  # login POSTs from 127.0.0.1, on either server

    # a session started on A works on B: a quiz started on A is answered and submitted on B
    browser = Browser(a.url)
    assert browser.login(learner, PASSWORD).status == 302
    posts += 1
    assert browser.get("/schulungen", base_url=b.url).status == 200
    started = browser.post(f"/schulungen/{SLUG}/quiz", base_url=a.url)
    assert started.status == 302, started.body[:300]
    attempt = started.location
    page = browser.get(attempt, base_url=b.url)
    answers = dict(ITEM.findall(page.body))
    assert len(answers) == 4
    submitted = browser.post(attempt + "/abgeben", [(f"item-{i}", o) for i, o in answers.items()], base_url=b.url)
    assert submitted.status == 303 and submitted.location == attempt + "/ergebnis"
    assert browser.get(attempt + "/ergebnis", base_url=a.url).status == 200

    # a logout on B ends the session on both: the cookie from before the logout is refused by A and B
    old = session_cookie(browser)
    replay = Browser(a.url)
    replay.jar.set_cookie(old)
    assert replay.get("/schulungen").status == 200  # the copy works while the session lives
    assert browser.post("/abmelden", base_url=b.url).status == 302
    for server in (a, b):
        response = replay.get("/schulungen", base_url=server.url)
        assert response.status == 302 and response.location == "/anmelden", (server.url, response.status)

    # failed logins count across both: 3 failures (A, B, A) lock the account on both
    guesser = Browser(a.url)
    for n, server in enumerate((a, b, a), start=1):
        response = guesser.login(other, "falsch-falsch-falsch", base_url=server.url)
        posts += 1
        if n < 3:
            assert response.status == 200 and "E-Mail-Adresse oder Passwort ist falsch" in response.body
        else:  # the failure that locks the account says so at once
            assert response.status == 429 and "Zu viele fehlgeschlagene Anmeldeversuche" in response.body
    for server in (b, a):
        response = Browser(server.url).login(other, PASSWORD)
        posts += 1
        assert response.status == 429 and "Zu viele fehlgeschlagene Anmeldeversuche" in response.body

    # the rate limit counts across both (Redis): the POST after the 20th in this minute is refused,
    # whichever server gets it (with per-process memory storage each instance would allow 20)
    spammer = Browser(a.url)
    spammer.get("/anmelden")
    servers = [a, b]
    limited_at = None
    for n in range(posts + 1, 2 * LOGIN_POSTS_PER_MINUTE + 2):
        response = spammer.post("/anmelden", {"email": "", "password": ""}, base_url=servers[n % 2].url)
        if response.status == 429:
            assert "Zu viele Anfragen" in response.body
            limited_at = n
            break
        assert response.status == 200
    assert limited_at == LOGIN_POSTS_PER_MINUTE + 1, limited_at
    for server in (a, b):
        assert Browser(server.url).login(learner, PASSWORD).status == 429
    # and the counters are in Redis
    import redis as redis_client

    keys = redis_client.Redis.from_url(redis.url).keys("*")
    assert any(b"auth.login" in key or b"anmelden" in key for key in keys), keys

    # Redis gone: the servers fall back to counting in memory; logins keep working, no 5xx
    redis.stop()
    for server in (a, b):
        assert Browser(server.url).login(learner, PASSWORD).status == 302, server.url
