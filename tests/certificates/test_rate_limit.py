"""The public verification page is rate-limited (30 per minute per client address)."""

from __future__ import annotations

import pytest


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATELIMIT_ENABLED": True}


def test_verify_is_rate_limited(client):
    statuses = [client.get(f"/pruefen/CODE{n}").status_code for n in range(31)]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429
