"""Record pages of the contact-management workspace: ``CRMRecordViewSet`` (the
base of every CRM record type, in this app and the apps built on it), accounts
and business contacts, and the sections person records share."""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views import View

from crm import selectors
from crm.services import person_save
from crm.filtersets import AccountFilterSet, ContactFilterSet
from crm.forms import AccountForm, ContactForm
from crm.generic.files import serve_stored_file
from crm.generic.views import RecordViewSet
from crm.imports import AccountImporter, ContactImporter
from crm.models import Account, BusinessContact
from crm.resources import AccountResource, ContactResource
from crm.tables import AccountTable, ContactTable
from crm.views.history import HistoryItemCreateView, RecordEmailView, RecordHistoryView, RecordMeetingView


class CRMRecordViewSet(RecordViewSet):
    """A record type of the CRM: the generic pages plus History, E-mail and Meeting request."""

    @classmethod
    def extra_urls(cls) -> list:
        key, prefix = cls.record_type, cls.url_prefix
        return [
            path(f"{prefix}/<int:pk>/history/", RecordHistoryView.as_view(viewset=cls), name=f"{key}_history"),
            path(f"{prefix}/<int:pk>/history/new/<str:kind>/", HistoryItemCreateView.as_view(viewset=cls), name=f"{key}_history_add"),
            path(f"{prefix}/<int:pk>/email/", RecordEmailView.as_view(viewset=cls), name=f"{key}_email"),
            path(f"{prefix}/<int:pk>/meeting/", RecordMeetingView.as_view(viewset=cls), name=f"{key}_meeting"),
        ]

    @classmethod
    def list_annotations(cls, model) -> dict:
        return {**super().list_annotations(model), selectors.CATEGORY_BADGES: selectors.category_badges(model)}

    @classmethod
    def list_rows(cls, request, rows) -> list:
        return selectors.attach_categories(super().list_rows(request, rows))

    @classmethod
    def print_context(cls, request, obj) -> dict:
        return {"history": selectors.history_for_record(obj)[:20]}


# --- Sections of the detail page, reading pane and print ---------------------------------
# A section is (title, field names); "@address:<prefix>", "@stars:<field>" and
# "@money:<field>" (an amount with its currency, crm.money.format_money) are drawn by the crm template tags. Every record type of business contacts (business contacts
# here, leads in their app) composes its sections from these, so a field added to a
# person's section shows on each of them.

COMMENTS_SECTION = (_("Comments"), ["comments"])
PERSON_NUMBERS_SECTION = (_("Internet and phone numbers"), [
    "email", "email2", "email3", "web_page", "business_phone", "mobile_phone", "home_phone", "fax", "other_phone"])
PERSON_ADDRESSES_SECTION = (_("Addresses"), ["@address:business", "@address:home", "@address:other", "mailing_address"])
PERSON_SOURCE_SECTION = (_("Source information"), ["source", "initiated_by_account", "initiated_by_contact",
                                                    "initiated_by_activity"])
# What a person's record page reads with it (one query for the record and its Source information).
PERSON_SOURCE_RELATED = ("source", "initiated_by_account", "initiated_by_contact", "initiated_by_activity")
PERSON_SCORE_SECTION = (_("Lead score"), ["@stars:score", "score_type"])
PERSON_DETAILS_SECTION = (_("Details"), ["department", "office", "profession", "manager_name", "assistant_name",
                                         "birthday", "anniversary"])
# What a person record shows between its own heading section and its comments.
PERSON_SECTIONS = [PERSON_NUMBERS_SECTION, PERSON_ADDRESSES_SECTION, PERSON_SOURCE_SECTION, PERSON_SCORE_SECTION]


class AccountViewSet(CRMRecordViewSet):
    record_type = "account"
    url_prefix = "accounts"
    queryset = Account.objects.select_related("assigned_to")
    resource = AccountResource
    importer = AccountImporter
    list_fields = ("name", "business_phone", "email", "business_city", "created", "assigned_to__username",
                   "assigned_to__first_name", "assigned_to__last_name")
    filterset = AccountFilterSet
    table = AccountTable
    form = AccountForm
    template_pane = "crm/account_pane.html"

    @classmethod
    def detail_context(cls, request, obj) -> dict:
        contacts = obj.contacts.filter(is_lead=False).order_by("file_as", "id")
        return {"related_contacts": contacts[:50], "related_contact_count": contacts.count()}

    detail_sections = [
        (_("Account"), ["name", "account_number", "office", "assigned_to", "categories"]),
        (_("Internet and phone numbers"), ["email", "email2", "email3", "web_page", "business_phone", "mobile_phone", "fax", "other_phone"]),
        (_("Addresses"), ["@address:business", "@address:billing", "@address:shipping", "mailing_address"]),
        COMMENTS_SECTION,
    ]


class PersonViewSetMixin:
    """Business contacts and leads are saved with their ticked scoring criteria
    (the criteria score business contacts too) in one service call."""

    @classmethod
    def save_form(cls, request, obj, form, creating: bool) -> None:
        person_save(instance=obj, user=request.user, criteria=form.cleaned_data.get("criteria") or [],
                    expected_version=None if creating else form.cleaned_data.get("version"), m2m=form.m2m_data())
        cls.save_related(request, obj, form)


class ContactViewSet(PersonViewSetMixin, CRMRecordViewSet):
    record_type = "contact"
    url_prefix = "contacts"
    queryset = BusinessContact.objects.filter(is_lead=False).select_related("assigned_to")
    list_fields = ("full_name", "file_as", "company_name", "job_title", "business_phone", "email", "business_city",
                   "created", "is_lead", "assigned_to__username", "assigned_to__first_name", "assigned_to__last_name")
    filterset = ContactFilterSet
    table = ContactTable
    resource = ContactResource
    importer = ContactImporter
    form = ContactForm
    template_pane = "crm/contact_pane.html"
    detail_sections = [
        (_("Business contact"), ["full_name", "file_as", "job_title", "company_name", "account", "assigned_to", "categories"]),
        *PERSON_SECTIONS,
        PERSON_DETAILS_SECTION,
        COMMENTS_SECTION,
    ]

    @classmethod
    def object_queryset(cls, request):
        return BusinessContact.objects.filter(is_lead=False).select_related("account", "assigned_to",
                                                                            *PERSON_SOURCE_RELATED)


class ContactPhotoView(View):
    def get(self, request, pk):
        contact = get_object_or_404(BusinessContact, pk=pk)
        return serve_stored_file(contact.photo, inline_images=True)
