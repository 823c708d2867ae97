"""Importing leads from CSV/Excel: the export's columns, the names other tools
use for them (Outlook, Google Contacts, common CRM exports; see crm.imports)
and how names in a file become users, list values, categories and accounts."""
from __future__ import annotations

from django.utils.translation import gettext as _, gettext_lazy

from crm.imports import PERSON_IGNORED, READ_ONLY_PERSON, PersonImporter, person_columns
from crm.models import ListKind
from crm.models.contacts import CONTACT_SEARCH_INDEX
from crm.resources import PERSON_COLUMNS
from leads.models import Lead


class LeadImporter(PersonImporter):
    model = Lead
    columns = person_columns(PERSON_COLUMNS, READ_ONLY_PERSON)
    preview_columns = (("full_name", gettext_lazy("Full name")), ("company_name", gettext_lazy("Company")),
                       ("email", gettext_lazy("E-mail")))
    ignored_headers = READ_ONLY_PERSON + PERSON_IGNORED
    record_defaults = {"is_lead": True}
    fulltext = CONTACT_SEARCH_INDEX
    list_columns = {"source": (ListKind.SOURCE, True)}

    def needs_name_message(self) -> str:
        return _("A lead needs a full name (or a first and last name).")
