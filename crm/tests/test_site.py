"""Site-wide behaviour: sign-in, languages, production settings, demo data."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from crm.models import Account, UserPreferences

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings():
    env = {**os.environ, "DEBUG": "0", "CRM_HTTPS": "1", "SECRET_KEY": "x7!" * 20 + "long-random-production-key",
           "ALLOWED_HOSTS": "crm.example.com", "DJANGO_SETTINGS_MODULE": "crm.settings"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_sign_in_with_a_wrong_password_shows_an_error(client, staff):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert "Please enter a correct username and password." in response.content.decode()


@pytest.mark.django_db
def test_sign_in_and_out(client, staff):
    response = client.post(reverse("login"), {"username": "alice", "password": "pw-for-tests-2026"})
    assert response["Location"] == reverse("crm:home")
    assert client.get(reverse("crm:home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("crm:home")).status_code == 302


@pytest.mark.django_db
def test_each_user_picks_a_language(client, staff):
    client.force_login(staff)
    response = client.post(reverse("crm:preferences"), {"language": "fr"}, follow=True)
    assert UserPreferences.objects.get(user=staff).language == "fr"
    assert '<html lang="fr">' in response.content.decode()
    # The choice survives signing in again.
    client.logout()
    client.post(reverse("login"), {"username": "alice", "password": "pw-for-tests-2026"})
    assert '<html lang="fr">' in client.get(reverse("crm:home")).content.decode()


@pytest.mark.django_db
def test_opening_the_preferences_writes_nothing(staff_client, staff):
    response = staff_client.get(reverse("crm:preferences"))
    assert response.status_code == 200 and "Preferences" in response.content.decode()
    assert not UserPreferences.objects.filter(user=staff).exists()


@pytest.mark.django_db
def test_unknown_language_is_refused(staff_client, staff):
    response = staff_client.post(reverse("crm:preferences"), {"language": "xx"})
    assert "Select a valid choice." in response.content.decode()
    assert not UserPreferences.objects.filter(user=staff, language="xx").exists()


@pytest.mark.django_db
def test_workspace_navigation(staff_client):
    body = staff_client.get(reverse("crm:account_list")).content.decode()
    for label in ("Contact Management", "Sales", "Marketing", "Project Management", "Business Contacts"):
        assert label in body
    assert 'class="nav-link active" href="/accounts/"' in body


@pytest.mark.django_db
def test_demo_data_is_loaded_once(capsys):
    call_command("seed_demo")
    accounts = Account.objects.count()
    assert accounts > 0
    call_command("seed_demo")
    assert Account.objects.count() == accounts
    assert "owner  / owner-demo-2026" in capsys.readouterr().out


def test_no_template_or_static_file_loads_from_a_cdn():
    for folder in ("templates", "static/crm"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file():
                text = path.read_text(errors="ignore")
                assert "cdn." not in text and "//unpkg" not in text and "googleapis" not in text, path


@pytest.mark.parametrize("debug", ["1", "0"])
def test_a_request_is_logged_once(debug):
    """With the project's LOGGING (as `make run` uses it, DEBUG=1, and in
    production), a request's warning is printed once, not by both the
    "django" logger's handler and the root's."""
    code = ("import django; django.setup(); from django.test import Client; "
            "print(Client().get('/no-such-page/').status_code)")
    env = {**os.environ, "DEBUG": debug, "DJANGO_SETTINGS_MODULE": "crm.settings", "ALLOWED_HOSTS": "testserver"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.strip() == "404", result.stderr
    assert result.stderr.count("Not Found: /no-such-page/") == 1, result.stderr
def test_pages_link_a_favicon_that_loads_and_favicon_ico_leads_to_it(staff_client, client):
    """No 404 for the icon: pages link it, and /favicon.ico (asked for by pages
    without the link, such as the admin) redirects to it, signed in or not."""
    body = staff_client.get(reverse("crm:home")).content.decode()
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', body).group(1)
    icon = staff_client.get(href)
    assert icon.status_code == 200 and icon["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(icon.streaming_content)
    for user_client in (staff_client, client):
        response = user_client.get("/favicon.ico")
        assert response.status_code == 302 and response["Location"] == href
