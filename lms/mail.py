"""E-mail: render a message from templates and send batches over SMTP (stdlib ``smtplib``).

Every message is plain text with an HTML alternative, rendered from ``templates/mail/<name>.subject.txt``,
``<name>.txt`` and ``<name>.html`` in the recipient's language (German, or English for ``locale="en"``).

:func:`send` sends a batch over one connection. It never raises for a message: a message that fails
(connection refused, recipient refused, server gone) is logged and returned in ``Result.failed``, and
the batch goes on with the next one. Callers record what was sent (``Result.sent``) and leave the
failed ones for the next run.

Without ``LMS_SMTP_HOST`` in development mode (``LMS_DEV``) the messages are written to the log
instead of sent; outside development mode every message fails with "LMS_SMTP_HOST is not set".

Infrastructure layer: knows no domain.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    """One rendered message. ``ref`` is the caller's handle (e.g. a dedupe key), not sent."""

    to: str
    subject: str
    text: str
    html: str
    ref: str | None = None


@dataclass
class Result:
    sent: list[Mail] = field(default_factory=list)
    #: (message, reason) for every message that was not sent
    failed: list[tuple[Mail, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def mail_locale(locale: str | None) -> str:
    """The language of a mail: the user's choice if the app knows it, else the default (German)."""
    languages = current_app.config["LANGUAGES"]
    return locale if locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def absolute_url(endpoint: str, **values: object) -> str:
    """The public address (``LMS_BASE_URL``) of a page, also outside a request (the ``lms`` command)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["LMS_BASE_URL"].rstrip("/") + path


def render(template: str, *, to: str, locale: str | None = None, ref: str | None = None, **context: object) -> Mail:
    """Render ``mail/<template>.*`` in the recipient's language."""
    context.setdefault("org_name", current_app.config["LMS_ORG_NAME"])
    context.setdefault("base_url", current_app.config["LMS_BASE_URL"].rstrip("/"))
    with force_locale(mail_locale(locale)):
        subject = " ".join(render_template(f"mail/{template}.subject.txt", **context).split())
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", subject=subject, **context)
    return Mail(to=to, subject=subject, text=text.strip() + "\n", html=html, ref=ref)


def build_message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = sender
    message["To"] = mail.to
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(">") or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


def _connect() -> smtplib.SMTP:
    cfg = current_app.config
    host, port, timeout = cfg["LMS_SMTP_HOST"], cfg["LMS_SMTP_PORT"], cfg["LMS_SMTP_TIMEOUT"]
    smtp: smtplib.SMTP
    if cfg["LMS_SMTP_SSL"]:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if cfg["LMS_SMTP_STARTTLS"]:
            smtp.starttls(context=ssl.create_default_context())
    if cfg["LMS_SMTP_USER"]:
        smtp.login(cfg["LMS_SMTP_USER"], cfg["LMS_SMTP_PASSWORD"])
    return smtp


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip()


def send(mails: Iterable[Mail], *, on_sent: Callable[[Mail], None] | None = None) -> Result:
    """Send the messages over one SMTP connection; never raises for a message (see the module).

    ``on_sent`` is called after each message the server accepted (to record it at once).
    """
    cfg = current_app.config
    result = Result()
    mails = list(mails)
    if not mails:
        return result
    sender = cfg["LMS_MAIL_FROM"]
    if not cfg["LMS_SMTP_HOST"]:
        if not cfg["LMS_DEV"]:
            reason = "LMS_SMTP_HOST is not set"
            log.error("mail not sent to %d recipient(s): %s", len(mails), reason)
            result.failed.extend((m, reason) for m in mails)
            return result
        for mail in mails:  # development: the log is the mailbox
            log.info("mail (LMS_DEV, no LMS_SMTP_HOST: not sent) to %s: %s\n%s", mail.to, mail.subject, mail.text)
            result.sent.append(mail)
            if on_sent:
                on_sent(mail)
        return result

    smtp: smtplib.SMTP | None = None
    unreachable: str | None = None  # the server could not be reached twice in a row: fail the rest
    connect_failures = 0
    try:
        for mail in mails:
            if unreachable is not None:
                result.failed.append((mail, unreachable))
                continue
            try:
                if smtp is None:
                    try:
                        smtp = _connect()
                    except (smtplib.SMTPException, OSError):
                        connect_failures += 1
                        raise
                    connect_failures = 0
                smtp.send_message(build_message(mail, sender))
            except (smtplib.SMTPException, OSError) as exc:
                reason = _reason(exc)
                log.error("mail to %s not sent (%s): %s", mail.to, mail.subject, reason)
                result.failed.append((mail, reason))
                if connect_failures >= 2:
                    unreachable = reason
                if smtp is not None and isinstance(exc, (smtplib.SMTPServerDisconnected, OSError)):
                    _close(smtp)
                    smtp = None  # the next message tries a new connection
                continue
            result.sent.append(mail)
            if on_sent:
                on_sent(mail)
    finally:
        _close(smtp)
    if result.failed:
        log.error("%d of %d mail(s) not sent%s", len(result.failed), len(mails),
                  f": SMTP server {cfg['LMS_SMTP_HOST']}:{cfg['LMS_SMTP_PORT']} unreachable ({unreachable})"
                  if unreachable else "")
    return result


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def send_in_background(mails: Iterable[Mail]) -> threading.Thread:
    """Send in a thread and return at once: a request that answers the same whether or not it sends
    ("Passwort vergessen") must not take the SMTP server's time only when it does. Failures are logged."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    batch = list(mails)

    def run() -> None:
        with app.app_context():
            send(batch)

    thread = threading.Thread(target=run, name="lms-mail", daemon=True)
    thread.start()
    return thread
