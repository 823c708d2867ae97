"""The lead score on a form: criteria checkboxes, Automatic/Manual, stars.

Shared by the lead and business contact forms (the criteria score both).
The stars update as boxes are ticked (static/crm/crm.js mirrors
leads.scoring); the saved score always comes from leads.services.
"""
from crispy_forms.layout import HTML, Div, Field, Fieldset
from django import forms
from django.utils.translation import gettext_lazy as _

from leads import scoring
from leads.models import CriterionMet, ScoringCriterion


class CriteriaWidget(forms.CheckboxSelectMultiple):
    """Checkboxes that carry each criterion's weight for the live star count."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-weight"] = instance.weight
            option["label"] = f"{instance.description} ({instance.get_weight_display()})"
        return option


class StarsWidget(forms.RadioSelect):
    template_name = "leads/widgets/stars.html"


STAR_CHOICES = [(n, str(n)) for n in range(scoring.MAX_STARS + 1)]


class ScoringFormMixin(forms.ModelForm):
    criteria = forms.ModelMultipleChoiceField(
        queryset=ScoringCriterion.objects.all(), required=False, widget=CriteriaWidget, label=_("Scoring criteria"),
    )
    manual_score = forms.TypedChoiceField(
        choices=STAR_CHOICES, coerce=int, required=False, empty_value=None, widget=StarsWidget, label=_("Manual score"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["criteria"] = list(
                CriterionMet.objects.filter(contact_id=self.instance.pk).values_list("criterion_id", flat=True)
            )
        self.fields["score_type"].widget = forms.RadioSelect(choices=self.fields["score_type"].choices)
        self.fields["score_type"].required = False

    def clean_score_type(self):
        return self.cleaned_data.get("score_type") or self._meta.model.ScoreType.AUTOMATIC

    def score_section(self) -> Fieldset:
        return Fieldset(
            _("Lead score"),
            Div(HTML('{% include "leads/includes/score_display.html" %}'), css_class="mb-2"),
            Div(Div("score_type", css_class="col-md-4"),
                Div(Field("manual_score", template="leads/includes/manual_score_field.html"), css_class="col-md-8"),
                css_class="row"),
            "criteria",
            css_class="lead-score-section",
        )
