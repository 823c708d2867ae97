from crm.resources import PERSON_COLUMNS, resource_class
from leads.models import Lead

LeadResource = resource_class("LeadResource", Lead, PERSON_COLUMNS)
