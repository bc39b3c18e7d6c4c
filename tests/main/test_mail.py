"""The mail module: rendering in German and English, plain text with an HTML alternative, escaping,
one connection per batch, the development log instead of a server, and a production without one."""

from __future__ import annotations

import logging

import pytest

from lms import mail
from tests.smtp import free_port, html_part, smtp_config, smtp_server, text_part  # noqa: F401


def invitation(locale: str | None, name: str = "Anna Schmidt") -> mail.Mail:
    return mail.render("invitation", to="anna@stadt.example", locale=locale, name=name,
                       email="anna@stadt.example", url="https://lernen.example.org/einladung/abc", days=7)


def test_german_by_default_and_for_unknown_locales(app):
    for locale in (None, "de", "fr"):
        message = invitation(locale)
        assert message.subject == "Ihre Einladung zu KI-Kompetenz"
        assert "Guten Tag Anna Schmidt," in message.text
        assert "7 Tage gültig" in message.text
        assert '<html lang="de">' in message.html


def test_english_for_users_who_chose_it(app):
    message = invitation("en")
    assert message.subject == "Your invitation to KI-Kompetenz"
    assert "Dear Anna Schmidt," in message.text and "valid for 7 days" in message.text
    assert '<html lang="en">' in message.html
    assert '<a href="https://lernen.example.org/einladung/abc">Set password</a>' in message.html


def test_html_is_escaped_and_text_is_not(app):
    message = invitation("de", name="<script>x</script> & Co")
    assert "&lt;script&gt;x&lt;/script&gt; &amp; Co" in message.html and "<script>" not in message.html
    assert "<script>x</script> & Co" in message.text


def test_sent_as_text_with_html_alternative(app, smtp_server):  # noqa: F811
    app.config.update(smtp_config(smtp_server.port))
    result = mail.send([invitation("de"), invitation("en")])
    assert result.ok and len(result.sent) == 2
    first, second = smtp_server.mailbox.messages
    assert first.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in first.iter_parts()] == ["text/plain", "text/html"]
    assert "Guten Tag Anna Schmidt" in text_part(first) and "Dear Anna" in text_part(second)
    assert "<html" in html_part(first)
    assert first["From"] == "KI-Kompetenz <lernen@stadt.example>" and first["Message-ID"]


def test_unreachable_server_fails_every_message_without_raising(app, caplog):
    app.config.update(smtp_config(free_port()))
    sent = []
    result = mail.send([invitation("de") for _ in range(5)], on_sent=sent.append)
    assert not result.ok and len(result.failed) == 5 and sent == []
    assert "unreachable" in caplog.text


def test_development_logs_instead_of_sending(app, caplog):
    app.config.update(LMS_SMTP_HOST="", LMS_DEV=True)
    with caplog.at_level(logging.INFO, logger="lms.mail"):
        result = mail.send([invitation("de")])
    assert result.ok
    assert "not sent" in caplog.text and "https://lernen.example.org/einladung/abc" in caplog.text


def test_production_without_server_fails(app):
    app.config.update(LMS_SMTP_HOST="", LMS_DEV=False)
    result = mail.send([invitation("de")])
    assert [reason for _m, reason in result.failed] == ["LMS_SMTP_HOST is not set"]


@pytest.mark.parametrize("value", ["1", "true", "on"])
def test_settings_are_cast(value):
    from lms.config import from_environment

    cfg = from_environment({"LMS_SMTP_PORT": "587", "LMS_SMTP_STARTTLS": value, "LMS_SMTP_TIMEOUT": "10"})
    assert cfg == {"LMS_SMTP_PORT": 587, "LMS_SMTP_STARTTLS": True, "LMS_SMTP_TIMEOUT": 10}
