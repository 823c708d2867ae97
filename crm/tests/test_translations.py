"""The interface ships complete in French, Norwegian Bokmål, Polish and Indonesian."""
import re
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


# The established terms of the specification (section 11), by the msgids the app uses.
SPEC_TERMS = {
    "fr": {"Opportunity": "Opportunité", "Sales stage": "Étape de vente", "Closed Won": "Close/conclue",
           "Closed Lost": "Close/perdue", "Expected revenue": "Revenu attendu", "Save & Close": "Enregistrer et fermer"},
    "nb": {"Opportunity": "Salgsmulighet", "Lead": "Kundeemne", "Sales stage": "Salgstrinn",
           "Closed Won": "Lukket/avtale inngått", "Closed Lost": "Lukket/ingen avtale", "Save & Close": "Lagre og lukk"},
    "pl": {"Lead": "Potencjalny klient", "Lead scoring criteria": "Kryteria określania wyników",
           "Edit several at once": "Edytuj zbiorczo", "Save & Close": "Zapisz i zamknij"},
    "id": {"Opportunity": "Kesempatan", "Sales stage": "Tahapan penjualan", "Save & Close": "Simpan & tutup"},
}

# Earlier terms the specification replaced (case-insensitive); none may be left in any translation.
OLD_TERMS = {
    "fr": r"Fermée gagnée|Fermée perdue|chiffre d’affaires prévu",
    "nb": r"fase|Lukket vunnet|Lukket tapt",
    "id": r"\btahap\b|\bpeluang\b",
}


@pytest.mark.parametrize("code, msgid, expected",
                         [(code, msgid, term) for code, terms in SPEC_TERMS.items() for msgid, term in terms.items()])
def test_established_terms(code, msgid, expected):
    with translation.override(code):
        assert translation.gettext(msgid) == expected


@pytest.mark.parametrize("code", sorted(OLD_TERMS))
def test_no_superseded_terms(code):
    text = (ROOT / "locale" / code / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    text = re.sub(r'"\n"', "", text)  # join the wrapped lines of each string
    msgstrs = re.findall(r'^msgstr(?:\[\d+\])? "(.*)"$', text, flags=re.MULTILINE)
    assert msgstrs
    assert [s for s in msgstrs if re.search(OLD_TERMS[code], s, flags=re.IGNORECASE)] == []


@pytest.mark.django_db
def test_pages_render_in_the_users_language(staff_client, staff):
    from crm.models import UserPreferences
    from crm.tests.factories import ContactFactory

    contact = ContactFactory()
    UserPreferences.objects.create(user=staff, language="nb")
    staff_client.post(reverse("crm:preferences"), {"language": "nb"})
    body = staff_client.get(reverse("crm:contact_edit", args=[contact.pk])).content.decode()
    assert "Lagre og lukk" in body and "Save &amp; Close" not in body
