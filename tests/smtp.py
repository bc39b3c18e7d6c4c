"""A real SMTP server for tests (aiosmtpd on a free local port) that keeps the messages it received.

Import the fixture into a test module: ``from tests.smtp import smtp_server  # noqa: F401``. It points
``LMS_SMTP_HOST``/``LMS_SMTP_PORT`` of the ``app_config`` at the server.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """The aiosmtpd handler: every accepted message, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        #: recipients the server refuses (550), to test a failure of one message
        self.refuse: set[str] = set()
        #: seconds to wait before accepting each message (a slow server)
        self.delay = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def wait_for(self, address: str, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages to ``address`` once there are ``count`` of them (for mails sent in the background)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no {count} mail(s) to {address} within {timeout} s: {self.to(address)}")

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


def text_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return part.get_content()


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    """A running SMTP server: ``.mailbox`` (see :class:`Mailbox`), ``.port``, ``.stop()``."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    controller.mailbox = mailbox  # type: ignore[attr-defined]
    try:
        yield controller
    finally:
        try:
            controller.stop()
        except (AssertionError, RuntimeError):
            pass  # stopped by the test


def smtp_config(port: int) -> dict[str, Any]:
    return {"LMS_SMTP_HOST": "127.0.0.1", "LMS_SMTP_PORT": port, "LMS_SMTP_TIMEOUT": 5,
            "LMS_MAIL_FROM": "KI-Kompetenz <lernen@stadt.example>"}
