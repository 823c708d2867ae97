"""Importing leads from CSV/Excel: the export's columns, the names other tools
use for them (Outlook, Google Contacts, common CRM exports; see crm.imports)
and how names in a file become users, list values, categories and accounts."""
from __future__ import annotations

from django.utils.translation import gettext as _

from crm.imports import READ_ONLY_PERSON, PersonImporter, person_columns
from crm.resources import PERSON_COLUMNS
from leads.models import Lead


class LeadImporter(PersonImporter):
    model = Lead
    columns = person_columns(PERSON_COLUMNS, READ_ONLY_PERSON)
    record_defaults = {"is_lead": True}

    def needs_name_message(self) -> str:
        return _("A lead needs a full name (or a first and last name).")
