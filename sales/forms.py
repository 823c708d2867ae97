"""Forms of the sales process: the opportunity with its products and services
and activity checklist, closing and reopening, and the customization pages."""
from __future__ import annotations

import re

from crispy_forms.bootstrap import Tab, TabHolder
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.forms import CRMRecordForm, ListValueOrNewField, two_columns
from crm.generic.forms import DecimalCommaMixin, date_widgets, datetime_widget
from crm.generic.params import parse_id, parse_ids
from crm.models import ListKind, ListValue
from sales import pricing
from sales.models import (
    Opportunity, OpportunityLine, Product, SalesActivity, SalesListKind, SalesStage, probability_after_change,
)
from sales.services import LineInput, default_stage


class ProductSelect(forms.Select):
    """The catalogue as a select whose options carry the unit price, so
    picking an item fills in the line's price (static/crm/crm.js)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        product = getattr(value, "instance", None)
        if product is not None:
            option["attrs"]["data-unit-price"] = f"{product.unit_price:f}"
        return option


class OpportunityLineForm(DecimalCommaMixin, forms.ModelForm):
    class Meta:
        model = OpportunityLine
        fields = ["product", "description", "quantity", "unit_price", "discount_percent"]
        widgets = {
            "product": ProductSelect(attrs={"class": "form-select form-select-sm line-product"}),
            "description": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            "quantity": forms.NumberInput(attrs={"class": "form-control form-control-sm text-end line-amount", "step": "any", "min": "0"}),
            "unit_price": forms.NumberInput(attrs={"class": "form-control form-control-sm text-end line-amount line-price", "step": "0.01", "min": "0"}),
            "discount_percent": forms.NumberInput(attrs={"class": "form-control form-control-sm text-end line-amount", "step": "any", "min": "0", "max": "100"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.product_id if self.instance.pk else None
        products = Product.objects.filter(active=True)
        if current:
            products = Product.objects.filter(pk=current) | products
        self.fields["product"].queryset = products.order_by("name")
        self.fields["product"].empty_label = _("(free text)")
        self.fields["product"].required = False
        self.fields["unit_price"].required = True
        self.fields["discount_percent"].required = False  # empty means no discount

    def clean(self):
        data = super().clean()
        if not data.get("DELETE") and not data.get("product") and not (data.get("description") or "").strip():
            self.add_error("description", _("Choose a catalogue item or describe the line."))
        return data

    def preview_total(self):
        """The line total of what was typed (for the live totals), or None."""
        try:
            return pricing.line_total(self.cleaned_data["quantity"], self.cleaned_data["unit_price"],
                                      self.cleaned_data.get("discount_percent") or 0)
        except (AttributeError, KeyError, TypeError):
            return None

    def shown_total(self):
        """The total the line's row shows: the stored one, or that of what was
        typed; None for a removed line, a new empty one or one that cannot be
        read yet."""
        if not self.is_bound:
            return self.instance.line_total if self.instance.pk else None
        self.is_valid()
        if getattr(self, "cleaned_data", {}).get("DELETE"):
            return None
        return self.preview_total()


class BaseLineFormSet(forms.BaseInlineFormSet):
    def total_form_count(self) -> int:
        """As many line forms as the post says (``TOTAL_FORMS``), but no more than
        rows it actually sent: a tampered count (``lines-TOTAL_FORMS=10**30``)
        would otherwise build and show hundreds of empty lines (Django stops at
        ``absolute_max``), seconds of work per request."""
        count = super().total_form_count()
        if self.is_bound:
            row = re.compile(rf"{re.escape(self.prefix)}-(\d+)-")
            sent = [int(match.group(1)) for key in self.data if (match := row.match(key))]
            count = min(count, max(sent, default=-1) + 1)
        return count


LineFormSet = forms.inlineformset_factory(
    Opportunity, OpportunityLine, form=OpportunityLineForm, formset=BaseLineFormSet, extra=0, can_delete=True,
    max_num=500, absolute_max=500, validate_max=True)


class OpportunityForm(CRMRecordForm):
    """The opportunity: General (information, link, sales information,
    products and services, source, stage and activities), Details, Categories."""

    linked = Opportunity.linked.formfield()
    initiated_by = Opportunity.initiated_by.formfield()
    source = ListValueOrNewField(kind=ListKind.SOURCE, label=_("Source"), help_text=_("Pick a source or type a new one."))
    done_activities = forms.ModelMultipleChoiceField(queryset=SalesActivity.objects.all(), required=False,
                                                     label=_("Sales activities done"))

    class Meta:
        model = Opportunity
        fields = ["title", "assigned_to", "opportunity_type", "probability", "close_date", "payment_terms",
                  "expiration_date", "delivery_date", "source", "competitors", "stage", "reminder", "reminder_at",
                  "categories", "comments"]
        widgets = {**date_widgets("close_date", "expiration_date", "delivery_date"), "reminder_at": datetime_widget(),
                   "competitors": forms.Textarea(attrs={"rows": 2}),
                   "probability": forms.NumberInput(attrs={"min": 0, "max": 100, "class": "line-amount"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if not self.is_bound and instance.pk:
            self.initial["done_activities"] = list(instance.activities_done.values_list("activity_id", flat=True))
        if not instance.pk and not self.is_bound and "stage" not in self.initial:
            self.initial["stage"] = getattr(default_stage(), "pk", None)
        self.fields["stage"].queryset = SalesStage.objects.order_by("position", "id")
        self.fields["stage"].empty_label = _("(no stage)")
        self.fields["opportunity_type"].queryset = ListValue.objects.filter(kind=SalesListKind.OPPORTUNITY_TYPE)
        self.fields["payment_terms"].queryset = ListValue.objects.filter(kind=SalesListKind.PAYMENT_TERMS)
        self.fields["reminder_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["stage"].widget.attrs.update({"class": "stage-select"})
        # A post without the lines' management form (e.g. from another client)
        # leaves the lines as they are.
        self.lines_submitted = self.is_bound and "lines-TOTAL_FORMS" in self.data
        self.lines = LineFormSet(self.data if self.lines_submitted else None, instance=instance, prefix="lines")

    def get_layout(self):
        return Layout(
            TabHolder(
                Tab(_("General"),
                    Fieldset(_("Opportunity information"), "title", two_columns("assigned_to", "opportunity_type")),
                    Fieldset(_("Linked account or business contact"), "linked"),
                    Fieldset(_("Sales information"), two_columns("probability", "close_date"),
                             two_columns("payment_terms", "expiration_date"), two_columns("delivery_date")),
                    HTML('{% include "sales/includes/lines_form.html" %}'),
                    Fieldset(_("Source information"), two_columns("source", "initiated_by"), "competitors"),
                    Fieldset(_("Sales stage and activities"), "stage",
                             HTML('{% include "sales/includes/checklist_form.html" %}'),
                             Div(Div("reminder", css_class="col-md-4"), Div("reminder_at", css_class="col-md-8"),
                                 css_class="row")),
                    ),
                Tab(_("Details"), "comments"),
                Tab(_("Categories"), "categories"),
            )
        )

    # --- validation ------------------------------------------------------
    def is_valid(self) -> bool:
        # Both run, so the errors of the record and of its lines show together.
        return all([super().is_valid(), not self.lines_submitted or self.lines.is_valid()])

    def has_errors(self) -> bool:
        return super().has_errors() or (self.lines_submitted and self.lines.total_error_count() > 0)

    def clean(self):
        data = super().clean()
        if data.get("reminder") and not data.get("reminder_at"):
            self.add_error("reminder_at", _("Choose when to be reminded."))
        return data

    def lines_data(self) -> list[LineInput] | None:
        """The lines as entered, without removed and empty ones, in order
        (None: the lines were not part of the post)."""
        if not self.lines_submitted:
            return None
        rows = []
        for form in self.lines.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            rows.append(LineInput(product=data.get("product"), description=data.get("description") or "",
                                  quantity=data["quantity"], unit_price=data["unit_price"],
                                  discount_percent=data.get("discount_percent") or 0,
                                  id=data["id"].pk if data.get("id") else None))
        return rows

    # --- what the page shows -------------------------------------------------
    def chosen_stage(self) -> SalesStage | None:
        """The stage the form shows (as typed, or as stored)."""
        if self.is_bound:
            pk = parse_id(self.data.get(self.add_prefix("stage")))
            return SalesStage.objects.filter(pk=pk).first() if pk else None
        pk = parse_id(self.initial.get("stage") or self.instance.stage_id)
        return SalesStage.objects.filter(pk=pk).first() if pk else None

    def checklist(self):
        """The chosen stage's activities with due dates and done boxes."""
        stage = self.chosen_stage()
        if stage is None:
            return []
        preview = Opportunity(pk=self.instance.pk, stage=stage,
                              stage_entered_on=self.instance.stage_entered_on if stage.pk == self.instance.stage_id else None)
        if self.is_bound:
            ticked = set(parse_ids(self.data.getlist(self.add_prefix("done_activities"))))
        else:
            ticked = set(self.initial.get("done_activities") or [])
        items = preview.activity_checklist()
        for item in items:
            item.done = item.activity.pk in ticked
        return items

    def activity_reminders(self) -> bool:
        """Whether open activities with a due date show as reminders (owner's setting)."""
        from sales.models import SalesSettings

        return SalesSettings.load().activity_reminders

    def totals(self) -> dict:
        """Line totals, total and expected revenue of what is on the form."""
        line_totals = [form.shown_total() for form in self.lines.forms]
        total = pricing.opportunity_total(t for t in line_totals if t is not None)
        try:
            probability = int(self.data.get(self.add_prefix("probability")) if self.is_bound else
                              self.initial.get("probability", self.instance.probability) or 0)
        except (TypeError, ValueError):
            probability = 0
        # What the save will make of it (a stage entered sets its default probability).
        stage = self.chosen_stage()
        loaded_stage, _date, loaded_probability = self.instance.loaded_state()
        probability = probability_after_change(stage, entering=getattr(stage, "pk", None) != loaded_stage,
                                               probability=probability, loaded_probability=loaded_probability)
        probability = max(0, min(100, probability))
        return {"line_totals": line_totals, "total": total, "probability": probability,
                "expected_revenue": pricing.expected_revenue(total, probability)}


class MarkClosedForm(forms.Form):
    """Mark closed: won or lost, and the real close date (default today)."""

    stage = forms.ModelChoiceField(queryset=SalesStage.objects.exclude(kind=SalesStage.Kind.OPEN), label=_("Result"),
                                   widget=forms.RadioSelect, empty_label=None)
    close_date = forms.DateField(label=_("Close date"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("Leave empty for today."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("close_date", timezone.localdate().isoformat())


class ReopenForm(forms.Form):
    stage = forms.ModelChoiceField(queryset=SalesStage.objects.filter(kind=SalesStage.Kind.OPEN), label=_("Sales stage"),
                                   empty_label=None)
    probability = forms.IntegerField(label=_("Probability (%)"), min_value=0, max_value=100, initial=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("stage", getattr(default_stage(), "pk", None))


class StageForm(forms.ModelForm):
    class Meta:
        model = SalesStage
        fields = ["name", "probability"]
        labels = {"name": _("Stage name"), "probability": _("Default probability (%)")}

    def validate_unique(self):
        # A name is taken in any case ("proposal" beside "Proposal"): the
        # services check that (stage_create, stage_rename) and say so.
        pass


class ActivityForm(forms.ModelForm):
    class Meta:
        model = SalesActivity
        fields = ["name", "duration_days"]
        labels = {"name": _("Sales activity")}


class StageDeleteForm(forms.Form):
    replacement = forms.ModelChoiceField(queryset=None, required=False, label=_("Move its opportunities to"),
                                         empty_label=_("(no stage)"))
    move_activities = forms.BooleanField(
        required=False, label=_("Move its sales activities to the top of the replacement stage's activities"))

    def __init__(self, *args, stage: SalesStage, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replacement"].queryset = SalesStage.objects.filter(kind=SalesStage.Kind.OPEN).exclude(pk=stage.pk)

    def clean(self):
        data = super().clean()
        if data.get("move_activities") and not data.get("replacement"):
            self.add_error("move_activities", _("Choose a replacement stage to move the activities to."))
        return data


class ProductForm(DecimalCommaMixin, forms.ModelForm):
    class Meta:
        model = Product
        fields = ["name", "description", "unit_price", "unit_cost", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
