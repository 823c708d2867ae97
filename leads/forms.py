"""Lead forms: the lead itself, convert, new lead from e-mail."""
from crispy_forms.bootstrap import Tab, TabHolder
from crispy_forms.layout import Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from crm.forms import CONTACT_FIELDS, CONTACT_WIDGETS, PersonForm
from leads.models import Lead


class LeadForm(PersonForm):
    """A lead: a business contact's fields without the Details page.
    Full name is the only required field."""

    # Set when the form was opened from an e-mail message (Create lead from e-mail).
    from_email = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Lead
        fields = CONTACT_FIELDS
        widgets = CONTACT_WIDGETS

    def get_layout(self):
        return Layout(
            TabHolder(
                Tab(_("General"), self.contact_section(_("Lead")), *self.general_sections(), self.score_section()),
                Tab(_("Comments"), "comments"),
                Tab(_("Categories"), "categories"),
            )
        )


class ConvertForm(forms.Form):
    """Convert to Business Contact, optionally creating an opportunity for it."""

    create_opportunity = forms.BooleanField(label=_("Also create an opportunity for this business contact"),
                                            required=False)
    opportunity_title = forms.CharField(label=_("Opportunity title"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("create_opportunity") and not (data.get("opportunity_title") or "").strip():
            self.add_error("opportunity_title", _("Enter the opportunity's title."))
        return data


class EmailCaptureForm(forms.Form):
    """Create a lead from an e-mail: upload the .eml file or paste the raw message."""

    message_file = forms.FileField(label=_("E-mail message file (.eml)"), required=False,
                                   widget=forms.ClearableFileInput(attrs={"accept": ".eml,message/rfc822"}))
    raw = forms.CharField(label=_("Or paste the raw message (with its headers)"), required=False,
                          widget=forms.Textarea(attrs={"rows": 10, "class": "font-monospace"}))

    def clean(self):
        from django.conf import settings

        from crm.validators import validate_upload_size
        from leads.email_capture import MessageError, parse_message

        data = super().clean()
        upload, raw = data.get("message_file"), (data.get("raw") or "").strip()
        if not upload and not raw:
            raise forms.ValidationError(_("Choose an .eml file or paste a message."))
        if upload:
            validate_upload_size(upload, settings.CRM_MAX_UPLOAD_SIZE)
            if upload.name.lower().endswith(".msg"):
                raise forms.ValidationError(_("Outlook .msg files cannot be read. Save the message as an .eml file "
                                              "(or paste its source) and try again."))
            content = upload.read()
        else:
            content = raw
        try:
            data["captured"] = parse_message(content)
        except MessageError as error:
            raise forms.ValidationError(str(error)) from error
        return data
