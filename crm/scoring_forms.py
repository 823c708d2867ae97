"""The lead score on a form: criteria checkboxes, Automatic/Manual, stars;
and the form of a criterion on the Customize page.

Shared by the lead and business contact forms (the criteria score both).
The stars shown on the form are drawn by the server: when anything in the
section changes, htmx posts the form to ``crm.views.scoring.ScoreView``, which
computes them with ``submitted_score`` (the functions the save uses); the
saved score always comes from crm.services.
"""
from crispy_forms.layout import HTML, Div, Field, Fieldset
from django import forms
from django.utils.translation import gettext_lazy as _

from crm import scoring, selectors
from crm.generic.params import parse_ids
from crm.models import CriterionMet, ScoringCriterion


class CriteriaWidget(forms.CheckboxSelectMultiple):
    """Checkboxes labelled with each criterion's weight."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["label"] = f"{instance.description} ({instance.get_weight_display()})"
        return option


class StarsWidget(forms.RadioSelect):
    template_name = "crm/widgets/stars.html"


STAR_CHOICES = [(n, str(n)) for n in range(scoring.MAX_STARS + 1)]
STAR_VALUES = tuple(label for _value, label in STAR_CHOICES)


def submitted_score(form: forms.BaseForm) -> int:
    """The stars of a score section as it was sent (``form`` is bound): the
    ticked criteria, the score type and the manual stars, computed as the save
    computes them (``crm.selectors.score_of``). Odd input is no tick and no
    manual stars: ids that are no criterion's, values that are no star count."""
    criteria = form["criteria"].data or []
    manual = form["manual_score"].data
    return selectors.score_of(
        criteria_ids=parse_ids(criteria if isinstance(criteria, (list, tuple)) else [criteria]),
        score_type=str(form["score_type"].data or ""),
        manual_score=int(manual) if manual in STAR_VALUES else None,
    )


class ScoreSectionForm(forms.Form):
    """Only the score section of a lead or business contact form: what the
    live score (``crm.views.scoring.ScoreView``) reads of the whole form it is sent."""

    criteria = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    score_type = forms.CharField(required=False, widget=forms.RadioSelect)
    manual_score = forms.CharField(required=False, widget=forms.RadioSelect)


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

    def live_score(self) -> int:
        """The stars the score section opens with: the stored score, or for a
        form sent back with errors, what its ticks and choices give."""
        return submitted_score(self) if self.is_bound else self.instance.score

    def score_section(self) -> Fieldset:
        return Fieldset(
            _("Lead score"),
            Div(HTML('{% include "crm/includes/score_display.html" %}'), css_class="mb-2"),
            Div(Div("score_type", css_class="col-md-4"),
                Div(Field("manual_score", template="crm/includes/manual_score_field.html"), css_class="col-md-8"),
                css_class="row"),
            "criteria",
            css_class="lead-score-section",
        )


class CriterionForm(forms.ModelForm):
    """A criterion on Customize ▸ Lead scoring criteria."""

    class Meta:
        model = ScoringCriterion
        fields = ["description", "weight"]
