"""The site visit form: general fields, the Link to control, details and categories."""
from crispy_forms.bootstrap import Tab, TabHolder
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from crm.forms import CRMRecordForm, two_columns
from crm.generic.forms import date_widgets
from sample_records.models import SiteVisit


class SiteVisitForm(CRMRecordForm):
    linked = SiteVisit.linked.formfield()

    class Meta:
        model = SiteVisit
        fields = ["title", "visit_date", "kind", "expenses", "assigned_to", "categories", "comments"]
        widgets = {**date_widgets("visit_date"), "expenses": forms.NumberInput(attrs={"min": 0, "step": "0.01"})}

    def get_layout(self):
        return Layout(
            TabHolder(
                Tab(_("General"),
                    Fieldset(_("Site visit"), "title", two_columns("visit_date", "kind"),
                             two_columns("expenses", "assigned_to")),
                    Fieldset(_("Visited account or business contact"), "linked")),
                Tab(_("Details"), "comments"),
                Tab(_("Categories"), "categories"),
            )
        )
