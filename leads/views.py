"""Sales ▸ Leads: list, reading pane, form with scoring, convert, new lead from e-mail.

The live score and the scoring criteria pages are crm's (``crm.views.scoring``)."""
import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _, gettext_lazy, ngettext
from django.views import View

from crm.generic import services as record_services
from crm.generic.actions import DEFAULT_ACTIONS, BulkAction
from crm.generic.params import object_or_404
from crm.selectors import people_with_email
from crm.templatetags.crm import record_url
from crm.views.records import (
    COMMENTS_SECTION, PERSON_SECTIONS, PERSON_SOURCE_RELATED, CRMRecordViewSet, PersonViewSetMixin,
)
from leads import services
from leads.filtersets import LeadFilterSet
from leads.forms import ConvertForm, EmailCaptureForm, LeadForm
from leads.models import Lead
from leads.imports import LeadImporter
from leads.resources import LeadResource
from leads.tables import LeadTable


class ConvertToContact(BulkAction):
    name = "convert"
    label = gettext_lazy("Convert to Business Contact")
    icon = "person-vcard"

    def run(self, queryset, user, form) -> str:
        count = services.leads_convert(queryset=queryset, user=user)
        return ngettext("%(count)d lead converted to a business contact.",
                        "%(count)d leads converted to business contacts.", count) % {"count": count}


class LeadViewSet(PersonViewSetMixin, CRMRecordViewSet):
    record_type = "lead"
    url_prefix = "leads"
    queryset = Lead.objects.select_related("assigned_to", "source")
    list_fields = ("full_name", "file_as", "company_name", "email", "business_phone", "score", "created", "is_lead",
                   "source__name", "assigned_to__username", "assigned_to__first_name", "assigned_to__last_name")
    filterset = LeadFilterSet
    table = LeadTable
    resource = LeadResource
    importer = LeadImporter
    form = LeadForm
    actions = [*DEFAULT_ACTIONS[:3], ConvertToContact(), DEFAULT_ACTIONS[3]]
    template_pane = "crm/contact_pane.html"
    bulk_edit_exclude = (*CRMRecordViewSet.bulk_edit_exclude, "first_name", "last_name")
    detail_sections = [
        (gettext_lazy("Lead"), ["full_name", "file_as", "job_title", "company_name", "account", "assigned_to", "categories"]),
        *PERSON_SECTIONS,
        COMMENTS_SECTION,
    ]

    @classmethod
    def new_instance(cls, request):
        return Lead(is_lead=True)

    @classmethod
    def object_queryset(cls, request):
        return Lead.objects.select_related("account", "assigned_to", *PERSON_SOURCE_RELATED)

    @classmethod
    def save_related(cls, request, obj, form) -> None:
        token = form.cleaned_data.get("from_email")
        captured = request.session.get(CAPTURED_EMAILS, {}).get(token) if token else None
        if captured:
            services.lead_attach_captured_email(lead=obj, captured=captured, user=request.user)
            request.session[CAPTURED_EMAILS].pop(token, None)
            request.session.modified = True

    @classmethod
    def list_buttons(cls, request) -> list[dict]:
        return [{"label": _("New lead from e-mail"), "icon": "envelope-plus", "url": reverse("leads:lead_from_email")}]

    @classmethod
    def detail_context(cls, request, obj) -> dict:
        return {"extra_buttons": [{"label": _("Convert to Business Contact"), "icon": "person-vcard",
                                   "url": reverse("leads:lead_convert", args=[obj.pk])}]}

    @classmethod
    def extra_urls(cls) -> list:
        return [
            *super().extra_urls(),
            path("leads/<int:pk>/convert/", LeadConvertView.as_view(), name="lead_convert"),
            path("leads/from-email/", LeadFromEmailView.as_view(), name="lead_from_email"),
            path("leads/from-email/attach/", AttachCapturedEmailView.as_view(), name="lead_from_email_attach"),
        ]


CAPTURED_EMAILS = "captured_emails"


class LeadFromEmailView(View):
    """Create a lead from an e-mail: read the message, then open the New lead
    form with the sender filled in; saving keeps the message in its history.

    A sender already in the CRM (a lead or business contact with that address)
    is offered first: open it, keep the message in its history, or create a
    new lead anyway."""

    def get(self, request):
        return render(request, "leads/from_email.html", {"form": EmailCaptureForm()})

    def post(self, request):
        form = EmailCaptureForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "leads/from_email.html", {"form": form})
        captured = form.cleaned_data["captured"]
        token = secrets.token_urlsafe(9)
        stored = request.session.get(CAPTURED_EMAILS, {})
        # Keep only the last few unsaved captures per session.
        stored = dict(list(stored.items())[-4:])
        stored[token] = captured.as_session()
        request.session[CAPTURED_EMAILS] = stored
        query = urlencode({"full_name": captured.full_name, "first_name": captured.first_name,
                           "last_name": captured.last_name, "email": captured.address, "from_email": token})
        new_lead_url = f"{reverse('leads:lead_add')}?{query}"
        existing = list(people_with_email(captured.address)[:10])
        if existing:
            return render(request, "leads/from_email_existing.html", {
                "captured": captured, "existing": existing, "token": token, "new_lead_url": new_lead_url})
        return redirect(new_lead_url)


class AttachCapturedEmailView(View):
    """Keep a captured message in the history of a lead or business contact that
    is already in the CRM (instead of creating a second record)."""

    def post(self, request):
        token = request.POST.get("token", "")
        captured = request.session.get(CAPTURED_EMAILS, {}).get(token)
        if captured is None:
            messages.error(request, _("This message has expired; read it again."))
            return redirect("leads:lead_from_email")
        person = object_or_404(people_with_email(captured.get("address", "")), request.POST.get("record"))
        services.lead_attach_captured_email(lead=person, captured=captured, user=request.user)
        request.session[CAPTURED_EMAILS].pop(token, None)
        request.session.modified = True
        messages.success(request, _("The message was added to the history of “%(name)s”.") % {"name": person})
        return redirect(record_url(person, "history"))


class LeadConvertView(View):
    """Convert one lead (and, if asked, create an opportunity for it); the
    business contact form then opens for editing."""

    def render_page(self, request, lead, form):
        return render(request, "leads/convert.html", {"object": lead, "form": form})

    def get(self, request, pk):
        lead = get_object_or_404(Lead, pk=pk)
        return self.render_page(request, lead, ConvertForm(initial={"opportunity_title": lead.company_name or str(lead)}))

    def post(self, request, pk):
        lead = get_object_or_404(Lead, pk=pk)
        form = ConvertForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, lead, form)
        title = form.cleaned_data["opportunity_title"] if form.cleaned_data["create_opportunity"] else ""
        try:
            contact = services.lead_convert(lead=lead, user=request.user, opportunity_title=title)
        except record_services.DomainError as error:
            messages.error(request, error.message)
            return redirect("crm:contact_detail", pk=pk)
        if contact.new_opportunity is not None:
            messages.success(request, _("“%(name)s” is now a business contact, with the opportunity “%(title)s”.")
                             % {"name": contact, "title": contact.new_opportunity})
        else:
            messages.success(request, _("“%(name)s” is now a business contact.") % {"name": contact})
        return redirect(reverse("crm:contact_edit", args=[contact.pk]))
