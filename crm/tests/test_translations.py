"""The interface ships complete in French, Norwegian Bokmål, Polish and Indonesian."""
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_catalog_is_complete(code, domain):
    po = ROOT / "locale" / code / "LC_MESSAGES" / f"{domain}.po"
    result = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


@pytest.mark.parametrize("code, expected", [
    ("fr", "Enregistrer et fermer"), ("nb", "Lagre og lukk"), ("pl", "Zapisz i zamknij"), ("id", "Simpan & tutup"),
])
def test_established_terms(code, expected):
    with translation.override(code):
        assert translation.gettext("Save & Close") == expected


@pytest.mark.django_db
def test_pages_render_in_the_users_language(staff_client, staff):
    from crm.models import UserPreferences
    from crm.tests.factories import ContactFactory

    contact = ContactFactory()
    UserPreferences.objects.create(user=staff, language="nb")
    staff_client.post(reverse("crm:preferences"), {"language": "nb"})
    body = staff_client.get(reverse("crm:contact_edit", args=[contact.pk])).content.decode()
    assert "Lagre og lukk" in body and "Save &amp; Close" not in body
