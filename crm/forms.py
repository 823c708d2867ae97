"""Forms of the contact-management records, history items and customization pages."""
from crispy_forms.bootstrap import Tab, TabHolder
from crispy_forms.layout import Div, Field, Fieldset, Layout
from django import forms
from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from crm.generic.links import LinkField
from crm.generic.forms import RecordForm, date_widgets, datetime_widget, normalize_text
from crm.generic.params import parse_id
from crm.generic.widgets import CommentsWidget, LinkToWidget
from crm.models import Account, BusinessContact, Category, HistoryItem, ListKind, ListValue, UserPreferences
from crm.models.base import ADDRESS_PARTS
from crm.permissions import is_owner
from crm.scoring_forms import ScoringFormMixin
from crm.validators import normalize_upload_name, validate_upload_content, validate_upload_name, validate_upload_size


def address_fieldset(prefix: str, label) -> Fieldset:
    return Fieldset(
        format_lazy(_("{} address"), label),
        Field(f"{prefix}_street", rows=2),
        Div(Div(f"{prefix}_postal_code", css_class="col-md-4"), Div(f"{prefix}_city", css_class="col-md-8"), css_class="row"),
        Div(Div(f"{prefix}_state", css_class="col-md-6"), Div(f"{prefix}_country", css_class="col-md-6"), css_class="row"),
    )


def address_fields(*prefixes: str) -> list[str]:
    return [f"{p}_{part}" for p in prefixes for part in ADDRESS_PARTS]


def two_columns(*names: str) -> Div:
    return Div(*[Div(n, css_class="col-md-6") for n in names], css_class="row")


class ListValueInput(forms.TextInput):
    """A text box offering a list's values (a datalist) that also takes a new one."""

    template_name = "crm/widgets/list_value_input.html"

    def __init__(self, kind: str, attrs=None):
        super().__init__(attrs)
        self.kind = kind

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["options"] = list(ListValue.objects.filter(kind=self.kind).values_list("name", flat=True))
        context["widget"]["list_id"] = f"{attrs.get('id', name)}-values"
        return context


class ListValueOrNewField(forms.Field):
    """Pick a value of a customizable list, or type a new one (created when the
    record is saved). Matching is case-insensitive, so no near-duplicates."""

    default_validators = [ProhibitNullCharactersValidator()]

    def __init__(self, *, kind: str, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(widget=ListValueInput(kind), **kwargs)
        self.kind = kind

    def prepare_value(self, value):
        if isinstance(value, ListValue):
            return value.name
        if parse_id(value) is not None:
            return ListValue.objects.filter(pk=parse_id(value)).values_list("name", flat=True).first() or ""
        return value

    def clean(self, value):
        name = " ".join((value or "").split())
        super().clean(name)
        if not name:
            return None
        if len(name) > 100:
            raise forms.ValidationError(_("Ensure this value has at most 100 characters (it has %(n)d).") % {"n": len(name)})
        existing = ListValue.objects.filter(kind=self.kind, name__iexact=name).first()
        return existing or ListValue(kind=self.kind, name=name)


class CRMRecordForm(RecordForm):
    """Record form of the CRM: customizable-list fields get "Edit this list"
    beside them for the database owner."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_owner(self.user):
            return
        for name, field in self.fields.items():
            model_field = self.instance._meta.get_field(name) if name in self._meta.fields else None
            if getattr(model_field, "related_model", None) is ListValue:
                kind = model_field.remote_field.limit_choices_to["kind"]
                field.help_text = format_html('{} <a href="{}" class="edit-list-link">{}</a>', field.help_text,
                                              reverse("crm:list_edit", args=[kind]), _("Edit this list"))


PHONE_EMAIL = ["email", "email2", "email3", "web_page", "business_phone", "mobile_phone", "fax", "other_phone"]


class AccountForm(CRMRecordForm):
    class Meta:
        model = Account
        fields = ["name", "account_number", "office", "assigned_to", *PHONE_EMAIL,
                  *address_fields("business", "billing", "shipping"), "mailing_address", "categories", "comments"]
        widgets = {f"{p}_street": forms.Textarea(attrs={"rows": 2}) for p in ("business", "billing", "shipping")}

    def get_layout(self):
        return Layout(
            TabHolder(
                Tab(_("General"),
                    Fieldset(_("Account"), two_columns("name", "account_number"), two_columns("office", "assigned_to")),
                    Fieldset(_("Internet and phone numbers"), two_columns("email", "business_phone"),
                             two_columns("email2", "mobile_phone"), two_columns("email3", "fax"),
                             two_columns("web_page", "other_phone")),
                    Div(Div(address_fieldset("business", _("Business")), css_class="col-md-4"),
                        Div(address_fieldset("billing", _("Billing")), css_class="col-md-4"),
                        Div(address_fieldset("shipping", _("Shipping")), css_class="col-md-4"), css_class="row"),
                    "mailing_address",
                    ),
                Tab(_("Comments"), "comments"),
                Tab(_("Categories"), "categories"),
            )
        )


CONTACT_FIELDS = ["full_name", "first_name", "last_name", "file_as", "job_title", "company_name", "account",
                  "assigned_to", "photo", *PHONE_EMAIL, "home_phone",
                  *address_fields("business", "home", "other"), "mailing_address", "source",
                  "score_type", "manual_score", "categories", "comments"]
CONTACT_WIDGETS = {
    **{f"{p}_street": forms.Textarea(attrs={"rows": 2}) for p in ("business", "home", "other")},
    "photo": forms.ClearableFileInput(attrs={"accept": "image/*"}),
}


class PersonForm(ScoringFormMixin, CRMRecordForm):
    """What business contacts and leads share: name, company, numbers,
    addresses, source information and the lead score."""

    account = forms.ModelChoiceField(
        queryset=Account.objects.all(), required=False, label=_("Account"), widget=LinkToWidget(types=["account"])
    )
    source = ListValueOrNewField(kind=ListKind.SOURCE, label=_("Source"),
                                 help_text=_("Pick a source or type a new one."))
    initiated_by = BusinessContact.initiated_by.formfield()

    def contact_section(self, title):
        return Fieldset(title, two_columns("full_name", "job_title"), two_columns("first_name", "last_name"),
                        two_columns("file_as", "assigned_to"), "photo")

    def general_sections(self) -> list:
        return [
            Fieldset(_("Company"), two_columns("company_name", "account")),
            Fieldset(_("Internet and phone numbers"), two_columns("email", "business_phone"),
                     two_columns("email2", "mobile_phone"), two_columns("email3", "home_phone"),
                     two_columns("web_page", "fax"), two_columns("other_phone")),
            Div(Div(address_fieldset("business", _("Business")), css_class="col-md-4"),
                Div(address_fieldset("home", _("Home")), css_class="col-md-4"),
                Div(address_fieldset("other", _("Other")), css_class="col-md-4"), css_class="row"),
            "mailing_address",
            Fieldset(_("Source information"), two_columns("source", "initiated_by")),
        ]


class ContactForm(PersonForm):
    class Meta:
        model = BusinessContact
        fields = [*CONTACT_FIELDS, "department", "office", "profession", "manager_name", "assistant_name",
                  "birthday", "anniversary"]
        widgets = {**CONTACT_WIDGETS, **date_widgets("birthday", "anniversary")}

    def get_layout(self):
        return Layout(
            TabHolder(
                Tab(_("General"), self.contact_section(_("Business contact")), *self.general_sections(),
                    self.score_section()),
                Tab(_("Details"),
                    two_columns("department", "office"), two_columns("profession", "manager_name"),
                    two_columns("assistant_name"), two_columns("birthday", "anniversary")),
                Tab(_("Comments"), "comments"),
                Tab(_("Categories"), "categories"),
            )
        )


# --- Communication history ---------------------------------------------------

# Each kind's fields in the order its form shows them: the subject first,
# then when (start, end or due date), the kind's own details, the notes last.
KIND_FIELDS = {
    HistoryItem.Kind.NOTE: ["subject", "occurred_at", "body"],
    HistoryItem.Kind.PHONE: ["subject", "occurred_at", "direction", "phone_number", "duration_minutes", "body"],
    HistoryItem.Kind.TASK: ["subject", "occurred_at", "due_date", "status", "priority", "percent_complete", "assigned_to", "body"],
    HistoryItem.Kind.EMAIL: ["subject", "occurred_at", "email_from", "email_to", "body"],
    HistoryItem.Kind.APPOINTMENT: ["subject", "occurred_at", "end_at", "location", "attendees", "body"],
    HistoryItem.Kind.FILE: ["subject", "occurred_at", "file", "body"],
}
KIND_LABELS = {
    HistoryItem.Kind.TASK: {"occurred_at": _("Start date")},
    HistoryItem.Kind.EMAIL: {"occurred_at": _("Sent")},
    HistoryItem.Kind.APPOINTMENT: {"occurred_at": _("Start")},
}


class HistoryItemForm(forms.ModelForm):
    """The form of one history item kind; only that kind's fields are shown."""

    class Meta:
        model = HistoryItem
        # Every kind's fields (each form keeps its kind's, in KIND_FIELDS order).
        fields = list(dict.fromkeys(f for names in KIND_FIELDS.values() for f in names))
        widgets = {
            "occurred_at": datetime_widget(), "end_at": datetime_widget(), **date_widgets("due_date"),
            "body": CommentsWidget(), "attendees": forms.Textarea(attrs={"rows": 2}), "email_to": forms.Textarea(attrs={"rows": 2}),
        }

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, kind: str, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.instance.kind = kind
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        for name in list(self.fields):
            if name not in KIND_FIELDS[kind] and name != "version":
                del self.fields[name]
        self.order_fields(KIND_FIELDS[kind])
        for name, label in KIND_LABELS.get(kind, {}).items():
            self.fields[name].label = label
        if "occurred_at" in self.fields:
            self.fields["occurred_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
            if not self.instance.pk:
                self.initial.setdefault("occurred_at", timezone.localtime().replace(second=0, microsecond=0))
        if "end_at" in self.fields:
            self.fields["end_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if "assigned_to" in self.fields:
            from crm.selectors import active_users

            self.fields["assigned_to"].queryset = active_users()
            if user and not self.instance.pk:
                self.initial.setdefault("assigned_to", user.pk)
        if "file" in self.fields:
            self.fields["file"].required = not self.instance.pk
            self.fields["file"].help_text = _("Up to %(size)d MB.") % {"size": settings.CRM_MAX_UPLOAD_SIZE // (1024 * 1024)}
        if kind == HistoryItem.Kind.FILE:
            self.fields["subject"].required = False

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "size") and not getattr(upload, "_committed", True):
            validate_upload_size(upload)
            validate_upload_name(upload.name)
            validate_upload_content(upload)
            # Saved and offered for download as Windows would save it.
            upload.name = normalize_upload_name(upload.name)
        return upload

    def clean(self):
        data = normalize_text(super().clean())
        if self.kind == HistoryItem.Kind.FILE and not data.get("subject") and data.get("file"):
            data["subject"] = data["file"].name[:255]
            self.instance.subject = data["subject"]
        return data


class MeetingRequestForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=255)
    start = forms.DateTimeField(label=_("Start"), widget=datetime_widget(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    duration = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=24 * 60, initial=60)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class LinkRecordForm(forms.Form):
    """Link an existing history item to one more record."""

    def __init__(self, *args, types: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record"] = LinkField(types=types, required=True, label=_("Record"))


# --- Customization and preferences ------------------------------------------------

class ListValueForm(forms.ModelForm):
    class Meta:
        model = ListValue
        fields = ["name"]

    def __init__(self, *args, kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if kind is not None:   # else the instance says which list (a new one: ListValue(kind=…))
            self.instance.kind = kind

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        duplicate = ListValue.objects.filter(kind=self.instance.kind, name__iexact=name).exclude(pk=self.instance.pk)
        if duplicate.exists():
            raise forms.ValidationError(_("“%(name)s” is already in the list.") % {"name": name})
        return name


class ListValueDeleteForm(forms.Form):
    replacement = forms.ModelChoiceField(queryset=None, required=False, label=_("Replace it with"),
                                         empty_label=_("(blank)"))

    def __init__(self, *args, value: ListValue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replacement"].queryset = ListValue.objects.filter(kind=value.kind).exclude(pk=value.pk)


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "colour"]
        widgets = {"colour": forms.TextInput(attrs={"type": "color", "class": "form-control form-control-color"})}


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = UserPreferences
        fields = ["language"]


class ReminderForm(forms.Form):
    """Which reminder a Dismiss or Snooze button is for: its source, object,
    detail and the due time the page showed (``crm.reminders.Reminder``)."""

    source = forms.CharField(max_length=40)
    object_id = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    detail_id = forms.IntegerField(min_value=0, max_value=2**63 - 1, required=False)
    due = forms.CharField(max_length=40, validators=[ProhibitNullCharactersValidator()])

    def clean_detail_id(self) -> int:
        return self.cleaned_data.get("detail_id") or 0


class ReminderSnoozeForm(ReminderForm):
    duration = forms.ChoiceField(label=_("Snooze"), error_messages={
        "required": _("Choose how long to snooze: 15 minutes, 1 hour, tomorrow or next week."),
        "invalid_choice": _("Choose how long to snooze: 15 minutes, 1 hour, tomorrow or next week."),
    })

    def __init__(self, *args, **kwargs):
        from crm.reminders import SNOOZE_CHOICES

        super().__init__(*args, **kwargs)
        self.fields["duration"].choices = SNOOZE_CHOICES
