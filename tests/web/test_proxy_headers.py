"""``X-Forwarded-For`` counts only from the proxies named by ``forwarded_allow_ips``.

A real ``hiplab serve`` (uvicorn in a subprocess, as a user runs it) on a SQLite file.
The attack: anyone who can reach the server from 127.0.0.1 (another user on the
machine, a local script) sends a new ``X-Forwarded-For`` with every login guess, so
each guess seems to come from a new address and the per-address login limit never
fires; the forged addresses would also fill the access log. uvicorn believes the
header from 127.0.0.1 by default; ``hiplab serve`` turns that off unless the setting
names the proxy, and the app itself never reads the header.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import _started

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
FORGED = "203.0.113."


def _guess(url: str, forwarded_for: str) -> int:
    """Try a wrong password for one account, claiming to come from ``forwarded_for``."""
    headers = {"X-Forwarded-For": forwarded_for}
    with httpx.Client(base_url=url, headers=headers) as browser:
        token = CSRF_FIELD.search(browser.get("/login").text)
        assert token, "no CSRF token in the login page"
        answer = browser.post(
            "/login",
            data={"email": "victim@clinic.test", "password": "a guess", "csrf_token": token[1]},
        )
        return answer.status_code


def _configure(monkeypatch: pytest.MonkeyPatch, proxies: str) -> None:
    """Have the next server allow 2 failed logins per address and believe ``proxies``."""
    monkeypatch.setenv("HIPLAB_LOGIN_ATTEMPTS", "2")
    monkeypatch.setenv("HIPLAB_FORWARDED_ALLOW_IPS", proxies)
    monkeypatch.setenv("PYTHONUNBUFFERED", "1")  # the access log reaches the file at once


def test_forged_forwarded_addresses_are_ignored_without_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure(monkeypatch, "")
    store_url = f"sqlite:///{tmp_path / 'hiplab.sqlite'}"
    with _started(store_url, tmp_path, "sqlite") as server:
        answers = [_guess(server.url, f"{FORGED}{n}") for n in (1, 2, 3)]
    log = server.output()
    assert answers == [401, 401, 429]  # all three came from 127.0.0.1, whatever they claimed
    assert '"POST /login HTTP/1.1" 429' in log  # the access log is on
    assert FORGED not in log
    assert re.search(r"127\.0\.0\.1:\d+ - \"POST /login", log)


def test_the_named_proxys_forwarded_address_is_the_clients(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure(monkeypatch, "127.0.0.1")
    store_url = f"sqlite:///{tmp_path / 'hiplab.sqlite'}"
    with _started(store_url, tmp_path, "sqlite") as server:
        answers = [_guess(server.url, f"{FORGED}1") for _ in range(3)]
        other = _guess(server.url, f"{FORGED}2")
    log = server.output()
    assert answers == [401, 401, 429]  # one client behind the proxy hits its limit
    assert other == 401  # another client behind it is judged on its own
    assert f'{FORGED}1:0 - "POST /login HTTP/1.1" 429' in log
    assert f'{FORGED}2:0 - "POST /login HTTP/1.1" 401' in log
