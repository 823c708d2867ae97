"""Two server processes over one database agree on everything a user does.

Under gunicorn with several workers each request may reach another process.
With sessions read through a per-process cache, a signed-out cookie was
still served as its user by another worker, an import uploaded on one worker
"had expired" on the next, and the language flipped between pages. Here two
real ``runserver`` processes share a SQLite file and a media folder; one
browser (one cookie jar) alternates between them.
"""
from __future__ import annotations

import http.cookiejar
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from crm.generic.testing import submitted_form

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Two-processes-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One cookie jar, sending each request to the server it is told to."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, base: str, path: str, data: dict | None = None, files: dict | None = None):
        body, headers = None, {}
        if files:
            boundary = uuid.uuid4().hex
            parts = []
            for name, values in (data or {}).items():
                for value in values:
                    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
            for name, (filename, content) in files.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                             f"Content-Type: text/csv\r\n\r\n".encode() + content + b"\r\n")
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            with self.opener.open(urllib.request.Request(base + path, data=body, headers=headers), timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def form(self, base: str, path: str, **match) -> dict:
        status, _headers, body = self.request(base, path)
        assert status == 200, (path, status)
        return submitted_form(body, **match)


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    """Two server processes on one SQLite file and one media folder."""
    folder = tmp_path_factory.mktemp("processes")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'crm.sqlite3'}", "MEDIA_ROOT": str(folder / "media"),
           "DEBUG": "0", "SECRET_KEY": "two-processes-" + "x" * 40, "ALLOWED_HOSTS": "127.0.0.1",
           "DJANGO_SETTINGS_MODULE": "crm.settings"}
    env.pop("CRM_HTTPS", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "shell", "-c",
                    "from django.contrib.auth import get_user_model; "
                    f"get_user_model().objects.create_user('alice', 'alice@example.com', '{PASSWORD}', "
                    "first_name='Alice', last_name='Smith')"], cwd=ROOT, env=env, check=True)
    servers, bases, logs = [], [], []
    for _ in range(2):
        port = free_port()
        log = open(folder / f"server-{port}.log", "w")
        logs.append(log)
        servers.append(subprocess.Popen([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], cwd=ROOT, env=env,
                                        stdout=log, stderr=subprocess.STDOUT))
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base in bases:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(base + "/accounts/login/", timeout=2).read()
                    break
                except (urllib.error.URLError, ConnectionError):
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        yield bases, folder
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        for log in logs:
            log.close()


def sign_in(browser: Browser, base: str) -> None:
    data = browser.form(base, "/accounts/login/", method="post")
    data.update(username=["alice"], password=[PASSWORD])
    status, headers, _body = browser.request(base, "/accounts/login/", data)
    assert status == 302, "sign-in failed"


def test_sign_out_on_one_process_signs_out_on_the_other(two_servers):
    (a, b), _folder = two_servers
    browser = Browser()
    sign_in(browser, a)
    assert browser.request(a, "/contacts/")[0] == 200
    assert browser.request(b, "/contacts/")[0] == 200   # B reads the same session
    cookie = next(c for c in browser.jar if c.name == "sessionid")
    logout = browser.form(b, "/contacts/", action="/accounts/logout/")
    assert browser.request(b, "/accounts/logout/", logout)[0] in (200, 302)
    # The browser forgets the cookie; a copy of it (another tab, a stolen
    # cookie) must be worth nothing on every process now.
    browser.jar.set_cookie(cookie)
    for base in (a, b):
        status, headers, _body = browser.request(base, "/contacts/")
        assert status == 302 and "/accounts/login/" in headers["Location"]


def test_language_chosen_on_one_process_is_used_by_the_other(two_servers):
    (a, b), _folder = two_servers
    browser = Browser()
    sign_in(browser, a)
    for base in (a, b):   # each process has served the session (and would have cached it)
        assert '<html lang="en' in browser.request(base, "/contacts/")[2]
    prefs = browser.form(a, "/preferences/", method="post", action="")
    prefs["language"] = ["fr"]
    assert browser.request(a, "/preferences/", prefs)[0] == 302
    for _ in range(3):
        assert '<html lang="fr"' in browser.request(b, "/contacts/")[2]
        assert '<html lang="fr"' in browser.request(a, "/contacts/")[2]


def test_an_import_uploaded_on_one_process_is_confirmed_on_the_other(two_servers):
    (a, b), folder = two_servers
    browser = Browser()
    sign_in(browser, a)
    assert browser.request(b, "/accounts/")[0] == 200   # B has read the session before the upload
    upload = browser.form(a, "/accounts/import/", enctype="multipart/form-data")
    upload.pop("file", None)
    content = b"Account name,City\nTwo Process Traders,Bergen\n"
    status, _headers, preview = browser.request(a, "/accounts/import/", upload, files={"file": ("accounts.csv", content)})
    assert status == 200 and "Two Process Traders" in preview
    commit = submitted_form(preview, method="post", class_="mb-3")
    assert commit["step"] == ["commit"]
    status, headers, body = browser.request(b, "/accounts/import/", commit)
    assert "expired" not in body
    assert status == 302 and headers["Location"].endswith("/accounts/")
    with closing(sqlite3.connect(folder / "crm.sqlite3")) as db:
        assert db.execute("SELECT count(*) FROM crm_account WHERE name = 'Two Process Traders'").fetchone() == (1,)
