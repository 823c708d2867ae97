"""Base forms for record types."""
import copy

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import normalize_newlines
from django.utils.translation import gettext_lazy as _

from crm.names import person_name
from .links import LinkFormMixin
from .tabular import too_large
from .widgets import CommentsWidget


class PointNumberInput(forms.NumberInput):
    """An <input type="number">, whose value is written with a decimal point in
    every language: browsers take no other (a "12,50" shows an empty box)."""

    def format_value(self, value):
        return None if value in ("", None) else str(value)


class DecimalCommaMixin:
    """Amounts typed with a decimal comma ("12,50") are read as 12.50 in the
    languages that write one (French, Norwegian, Polish, Indonesian); a
    browser's number input sends "12.50" in every language, which is read as
    well. Number inputs still show "12.50" (``PointNumberInput``): only the
    reading is localized."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, (forms.DecimalField, forms.FloatField)):
                field.localize = True
                if isinstance(field.widget, forms.NumberInput):
                    widget = PointNumberInput(attrs=field.widget.attrs)
                    widget.is_required = field.widget.is_required
                    field.widget = widget


class RecordForm(LinkFormMixin, DecimalCommaMixin, forms.ModelForm):
    """A record's create/edit form.

    Carries the record's ``version`` so a stale save is detected (the services
    refuse it), offers only active users in "Assigned to" (plus whoever the
    record is assigned to now), and lays itself out with crispy-forms; the
    page template supplies the <form> tag and the Save & Close / Save & New /
    Cancel buttons.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        if "assigned_to" in self.fields:
            from crm.selectors import active_users

            current = self.instance.assigned_to_id if self.instance.pk else None
            queryset = active_users()
            if current:
                queryset = queryset.model.objects.filter(models.Q(is_active=True) | models.Q(pk=current)).order_by(
                    "first_name", "last_name", "username"
                )
            self.fields["assigned_to"].queryset = queryset
            self.fields["assigned_to"].label_from_instance = person_name
            if not self.instance.pk and user is not None and not self.is_bound and self.initial.get("assigned_to") is None:
                self.initial["assigned_to"] = user.pk  # a new record is mine unless I pick someone
        if "comments" in self.fields:
            self.fields["comments"].widget = CommentsWidget()
        if "categories" in self.fields:
            categories = self.fields["categories"]
            categories.widget = forms.CheckboxSelectMultiple(choices=categories.choices)
            categories.required = False
        for field in self.fields.values():
            if isinstance(field.widget, forms.DateInput):
                field.widget.input_type = "date"
                field.widget.format = "%Y-%m-%d"
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        # Layouts list their fields; hidden ones (the edit ``version``, a captured
        # e-mail's token …) must reach the page whether a layout names them or not.
        self.helper.render_hidden_fields = True
        layout = self.get_layout()
        if layout is not None:
            self.helper.layout = layout

    def get_layout(self):
        """Override to arrange fields in fieldsets/tabs (crispy Layout)."""
        return None

    def has_errors(self) -> bool:
        """Whether the page must say "Please correct the errors below": the
        form's own errors, or (overridden) those of the rows it carries, such
        as an opportunity's lines, which ``errors`` does not include."""
        return bool(self.errors)

    def top_errors(self) -> list:
        """The errors shown above the form: those of no field, and those of the
        hidden fields (a tampered ``version``), which have no place on the page."""
        errors = list(self.non_field_errors())
        for field in self.hidden_fields():
            # Django's own wording (and its translations), as its form rendering says it.
            errors.extend(_("(Hidden field %(name)s) %(error)s") % {"name": field.name, "error": error}
                          for error in field.errors)
        return errors

    def clean(self):
        return normalize_text(super().clean())

    def m2m_data(self) -> dict:
        """Many-to-many values to hand to the services after the instance is saved."""
        return {f.name: self.cleaned_data[f.name] for f in self.instance._meta.many_to_many if f.name in self.cleaned_data}


def add_refusal(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's refusal (the ``ValidationError`` of its ``full_clean``)
    on the form: an error about a field the form has beside that field, any
    other (a computed field such as a total, the whole record) at the top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def normalize_text(cleaned_data: dict) -> dict:
    """Line ends as stored: a browser sends a textarea's lines with CRLF, imports
    and services write LF, and the same text must not count as a change."""
    for name, value in cleaned_data.items():
        if isinstance(value, str) and "\r" in value:
            cleaned_data[name] = normalize_newlines(value)
    return cleaned_data


def date_widgets(*names: str) -> dict:
    return {name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for name in names}


def datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class BulkEditForm(forms.Form):
    """"Edit several at once": pick one field, then a value or "Clear the value"."""

    field = forms.ChoiceField(label=_("Field to change"))
    clear = forms.BooleanField(label=_("Clear the value"), required=False)

    def __init__(self, *args, record_form: type[forms.ModelForm], field_names: list[str], user=None, **kwargs):
        super().__init__(*args, **kwargs)
        template = record_form(user=user)
        self.record_fields = {name: template.fields[name] for name in field_names if name in template.fields}
        self.fields["field"].choices = [("", "---------")] + [(n, f.label) for n, f in self.record_fields.items()]
        chosen = self.data.get(self.add_prefix("field")) if self.is_bound else self.initial.get("field")
        if chosen in self.record_fields:
            value_field = copy.deepcopy(self.record_fields[chosen])
            value_field.required = False
            value_field.label = _("New value")
            self.fields["value"] = value_field

    def clean(self):
        data = super().clean()
        name = data.get("field")
        if name and "value" not in self.fields:
            raise forms.ValidationError(_("Choose the new value."))
        if name and not data.get("clear") and data.get("value") in (None, "", [], ()):
            if not isinstance(self.record_fields[name], forms.BooleanField):
                self.add_error("value", _("Enter a new value, or tick “Clear the value”."))
        return data


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or Excel .xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx"}))
    on_duplicate = forms.ChoiceField(
        label=_("When a row matches an existing record"), initial="update", widget=forms.RadioSelect,
        choices=[("update", _("Update the existing record")), ("skip", _("Skip the row"))],
    )
    clear_empty = forms.BooleanField(
        label=_("Empty cells clear saved values"), required=False,
        help_text=_("Off: an empty cell leaves the saved value as it is (the file has no information). "
                    "On: an empty cell clears the value of the record the row updates."),
    )

    def clean_file(self):
        """A file over the limit is refused by its size, before any of it is read."""
        upload = self.cleaned_data["file"]
        if upload.size > settings.CRM_MAX_IMPORT_SIZE:
            raise forms.ValidationError(too_large(upload.size, settings.CRM_MAX_IMPORT_SIZE), code="too_large")
        return upload
