"""The marketing activity form."""
from crispy_forms.bootstrap import Tab, TabHolder
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from crm.forms import CRMRecordForm, two_columns
from crm.generic.forms import date_widgets
from crm.models import ListKind, ListValue, MarketingActivity


class MarketingActivityForm(CRMRecordForm):
    class Meta:
        model = MarketingActivity
        fields = ["name", "activity_type", "start_date", "end_date", "budget", "assigned_to", "categories", "comments"]
        widgets = {**date_widgets("start_date", "end_date"),
                   "budget": forms.NumberInput(attrs={"min": 0, "step": "0.01"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity_type"].queryset = ListValue.objects.filter(kind=ListKind.MARKETING_ACTIVITY_TYPE)

    def get_layout(self):
        return Layout(
            TabHolder(
                Tab(_("General"),
                    Fieldset(_("Marketing activity"), "name", two_columns("activity_type", "assigned_to"),
                             two_columns("start_date", "end_date"), two_columns("budget"))),
                Tab(_("Details"), "comments"),
                Tab(_("Categories"), "categories"),
            )
        )
