"""Lead forms: the lead itself, convert, scoring criteria."""
from crispy_forms.bootstrap import Tab, TabHolder
from crispy_forms.layout import Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from crm.forms import CONTACT_FIELDS, CONTACT_WIDGETS, PersonForm
from leads.models import Lead, ScoringCriterion


class LeadForm(PersonForm):
    """A lead: a business contact's fields without the Details page.
    Full name is the only required field."""

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


class CriterionForm(forms.ModelForm):
    class Meta:
        model = ScoringCriterion
        fields = ["description", "weight"]


class ConvertForm(forms.Form):
    """Convert to Business Contact (the opportunity option comes with opportunities)."""

    confirm = forms.BooleanField(initial=True, required=True, widget=forms.HiddenInput)
