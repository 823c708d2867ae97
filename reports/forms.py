"""Forms of the reports app (a report's options form is built by reports.base.OptionsForm)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from crm.generic.filtersets import style_widgets


class SaveReportForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    shared = forms.BooleanField(label=_("Share with the team"), required=False,
                                help_text=_("Everyone sees it under Saved reports; only you can change it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)
