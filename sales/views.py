"""Sales ▸ Opportunities, closing and reopening, the product catalogue and the
owner's sales stages and activities page."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _, gettext_lazy, ngettext
from django.views import View

from crm.generic.actions import DEFAULT_ACTIONS, BulkAction
from crm.generic.params import object_or_404, parse_id
from crm.generic.services import DomainError
from crm.permissions import OwnerRequiredMixin, is_owner
from crm.views import CRMRecordViewSet
from sales import selectors, services
from sales.filtersets import OpportunityFilterSet
from sales.forms import (
    ActivityForm, MarkClosedForm, OpportunityForm, ProductForm, ReopenForm, StageDeleteForm, StageForm,
)
from sales.models import Opportunity, Product, SalesActivity, SalesSettings, SalesStage
from sales.imports import OpportunityImporter
from sales.resources import OpportunityResource
from sales.tables import OpportunityTable


class MarkClosed(BulkAction):
    """Mark one or several opportunities Closed Won or Closed Lost."""

    name = "close"
    label = gettext_lazy("Mark closed")
    icon = "flag"
    form_class = MarkClosedForm

    def run(self, queryset, user, form) -> str:
        count = services.opportunities_close(queryset=queryset, user=user, stage=form.cleaned_data["stage"],
                                             close_date=form.cleaned_data.get("close_date"))
        return ngettext("%(count)d opportunity closed.", "%(count)d opportunities closed.", count) % {"count": count}


class OpportunityViewSet(CRMRecordViewSet):
    record_type = "opportunity"
    url_prefix = "opportunities"
    queryset = Opportunity.objects.select_related("assigned_to", "stage", "account", "contact")
    list_fields = ("title", "probability", "total", "expected_revenue", "close_date", "created",
                   "stage__name", "stage__kind", "account__name", "contact__full_name",
                   "assigned_to__username", "assigned_to__first_name", "assigned_to__last_name")
    filterset = OpportunityFilterSet
    table = OpportunityTable
    form = OpportunityForm
    resource = OpportunityResource
    importer = OpportunityImporter
    actions = [*DEFAULT_ACTIONS[:2], MarkClosed(), *DEFAULT_ACTIONS[2:]]
    bulk_edit_exclude = (*CRMRecordViewSet.bulk_edit_exclude, "reminder_at")
    template_pane = "sales/opportunity_pane.html"
    template_print = "sales/opportunity_print.html"
    detail_sections = [
        (gettext_lazy("Opportunity information"), ["title", "assigned_to", "opportunity_type", "account", "contact",
                                                   "categories"]),
        (gettext_lazy("Sales information"), ["stage", "probability", "expected_revenue", "close_date", "payment_terms",
                                             "expiration_date", "delivery_date"]),
        (gettext_lazy("Source information"), ["source", "initiated_by_account", "initiated_by_contact", "competitors"]),
        (gettext_lazy("Details"), ["comments"]),
    ]

    @classmethod
    def new_instance(cls, request):
        return Opportunity(stage=services.default_stage())

    @classmethod
    def get_object(cls, request, pk):
        return get_object_or_404(
            Opportunity.objects.select_related("account", "contact", "assigned_to", "stage", "source",
                                               "opportunity_type", "payment_terms", "initiated_by_account",
                                               "initiated_by_contact"), pk=pk)

    @classmethod
    def save_form(cls, request, obj, form, creating: bool) -> None:
        services.opportunity_save(
            instance=obj, user=request.user, lines=form.lines_data(),
            done_activities=[a.pk for a in form.cleaned_data.get("done_activities") or []],
            expected_version=None if creating else form.cleaned_data.get("version"), m2m=form.m2m_data())

    @classmethod
    def detail_context(cls, request, obj) -> dict:
        buttons = []
        if obj.is_closed:
            if services.may_reopen(obj, request.user):
                buttons.append({"label": _("Reopen"), "icon": "arrow-counterclockwise",
                                "url": reverse("sales:opportunity_reopen", args=[obj.pk])})
        else:
            buttons.append({"label": _("Mark closed"), "icon": "flag",
                            "url": reverse("sales:opportunity_bulk", args=["close"]) + f"?pk={obj.pk}&next={obj.get_absolute_url()}"})
        return {
            "extra_buttons": buttons,
            "lines": obj.lines.select_related("product"),
            "checklist": obj.activity_checklist(),
            "activity_reminders": SalesSettings.load().activity_reminders,
        }

    @classmethod
    def print_context(cls, request, obj) -> dict:
        return {**super().print_context(request, obj), "lines": obj.lines.select_related("product"),
                "checklist": obj.activity_checklist()}

    @classmethod
    def extra_urls(cls) -> list:
        return [
            *super().extra_urls(),
            path("opportunities/<int:pk>/reopen/", ReopenView.as_view(), name="opportunity_reopen"),
            path("opportunities/form/line/", LineRowView.as_view(), name="opportunity_line_row"),
            path("opportunities/form/totals/", FormPartView.as_view(part="totals"), name="opportunity_totals"),
            path("opportunities/form/checklist/", FormPartView.as_view(part="checklist"), name="opportunity_checklist"),
        ]


class FormPartView(View):
    """Live parts of the opportunity form (htmx posts the whole form): the
    totals as lines, discounts and probability change, with each line's total
    out of band, and the activity checklist when the stage changes. They are
    computed by the same functions the save uses."""

    part = ""
    templates = {"totals": "sales/includes/lines_form.html#totals",
                 "checklist": "sales/includes/checklist_form.html#checklist"}

    def post(self, request):
        instance = Opportunity()
        if request.POST.get("object_pk"):
            instance = object_or_404(Opportunity, request.POST["object_pk"])
        form = OpportunityForm(request.POST, instance=instance, user=request.user)
        return render(request, self.templates[self.part], {"form": form, "oob": True})


class LineRowView(View):
    """One empty product/service line for the form ("Add line", htmx): the
    row at the formset's count (``lines-TOTAL_FORMS``, as the form has it),
    and that count plus one, which replaces the form's out of band."""

    def get(self, request):
        from sales.forms import LineFormSet

        index = parse_id(request.GET.get("lines-TOTAL_FORMS", "0")) or 0
        index = index if index < 500 else 0
        line = LineFormSet(prefix="lines").empty_form
        line.prefix = f"lines-{index}"  # the row's place in the formset
        line.fields["product"].widget.attrs["autofocus"] = True  # htmx focuses it once the row is in
        return render(request, "sales/includes/line_row.html", {"line": line, "new_total_forms": index + 1})


class ReopenView(View):
    """Reopen a closed opportunity into a chosen open stage."""

    def dispatch(self, request, pk):
        self.object = get_object_or_404(Opportunity.objects.select_related("stage"), pk=pk)
        if not self.object.is_closed:
            messages.info(request, _("“%(title)s” is not closed.") % {"title": self.object})
            return redirect(self.object.get_absolute_url())
        if not services.may_reopen(self.object, request.user):
            raise PermissionDenied
        return super().dispatch(request, pk)

    def get(self, request, pk):
        return render(request, "sales/reopen.html", {"object": self.object, "form": ReopenForm()})

    def post(self, request, pk):
        form = ReopenForm(request.POST)
        if form.is_valid():
            try:
                services.opportunity_reopen(opportunity=self.object, stage=form.cleaned_data["stage"],
                                            probability=form.cleaned_data["probability"], user=request.user)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("“%(title)s” is open again.") % {"title": self.object})
                return redirect("sales:opportunity_edit", pk=self.object.pk)
        return render(request, "sales/reopen.html", {"object": self.object, "form": form})


# --- Customize: sales stages and activities -------------------------------------

class StagesView(OwnerRequiredMixin, View):
    """The owner's page for sales stages and activities: add, rename, move,
    default, and the reminders setting; deleting a stage or an activity is
    confirmed on its own page (``StageDeleteView``, ``ActivityDeleteView``)."""

    def render_page(self, request, status=200, **forms):
        stages = (SalesStage.objects.order_by("position", "id")
                  .annotate(opportunity_count=Count("opportunities", distinct=True))
                  .prefetch_related(Prefetch("activities", queryset=SalesActivity.objects.order_by("position", "id"))))
        return render(request, "sales/stages.html", {
            "stages": stages, "settings": SalesSettings.load(),
            "stage_form": forms.get("stage_form") or StageForm(),
            "edit_stage": forms.get("edit_stage"), "activity_forms": forms.get("activity_forms", {}),
            "edit_activity": forms.get("edit_activity"),
        }, status=status)

    def get(self, request):
        return self.render_page(request)

    def post(self, request):
        op = request.POST.get("op", "")
        stage = object_or_404(SalesStage, request.POST["stage"]) if request.POST.get("stage") else None
        activity = object_or_404(SalesActivity, request.POST["activity"]) if request.POST.get("activity") else None
        try:
            response = self.apply(request, op, stage, activity)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("sales:stages")
        return response or redirect("sales:stages")

    def apply(self, request, op, stage, activity):
        if op in ("add_stage", "rename_stage"):
            form = StageForm(request.POST)
            if not form.is_valid():
                return self.render_page(request, status=400, **({"stage_form": form} if op == "add_stage" else
                                                                 {"edit_stage": (stage.pk, form)}))
            if op == "add_stage":
                services.stage_create(name=form.cleaned_data["name"])
            else:
                services.stage_rename(stage=stage, name=form.cleaned_data["name"])
            messages.success(request, _("The sales stages were saved."))
        elif op in ("stage_up", "stage_down") and stage:
            services.stage_move(stage=stage, offset=-1 if op == "stage_up" else 1)
        elif op == "default" and stage:
            services.stage_set_default(stage=stage)
            messages.success(request, _("New opportunities start in “%(stage)s”.") % {"stage": stage})
        elif op == "clear_default":
            services.stage_set_default(stage=None)
            messages.success(request, _("New opportunities start without a stage."))
        elif op in ("add_activity", "edit_activity") and (stage or activity):
            form = ActivityForm(request.POST, instance=activity or SalesActivity(stage=stage))
            if not form.is_valid():
                return self.render_page(request, status=400, **(
                    {"activity_forms": {stage.pk: form}} if op == "add_activity" else {"edit_activity": (activity.pk, form)}))
            services.activity_save(activity=form.save(commit=False))
            messages.success(request, _("“%(name)s” was saved.") % {"name": form.instance})
        elif op in ("activity_up", "activity_down") and activity:
            services.activity_move(activity=activity, offset=-1 if op == "activity_up" else 1)
        elif op == "delete_activity" and activity:
            # Deleting removes it from opportunities: it is confirmed on its own page first.
            return redirect("sales:activity_delete", pk=activity.pk)
        elif op == "settings":
            services.sales_settings_save(activity_reminders=request.POST.get("activity_reminders") == "on")
            messages.success(request, _("The sales settings were saved."))
        return None


class StageDeleteView(OwnerRequiredMixin, View):
    """Delete a stage: choose where its opportunities go, and whether its
    activities move along."""

    def render_page(self, request, stage, form):
        return render(request, "sales/stage_delete.html", {
            "stage": stage, "form": form, "opportunity_count": stage.opportunities.count(),
            "activities": stage.activities.order_by("position", "id")})

    def get(self, request, pk):
        stage = get_object_or_404(SalesStage, pk=pk)
        if stage.is_closed:
            messages.error(request, _("“%(stage)s” is built in and cannot be changed or deleted.") % {"stage": stage})
            return redirect("sales:stages")
        return self.render_page(request, stage, StageDeleteForm(stage=stage))

    def post(self, request, pk):
        stage = get_object_or_404(SalesStage, pk=pk)
        form = StageDeleteForm(request.POST, stage=stage)
        if not form.is_valid():
            return self.render_page(request, stage, form)
        try:
            moved = services.stage_delete(stage=stage, replacement=form.cleaned_data["replacement"],
                                          move_activities=form.cleaned_data["move_activities"], user=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("sales:stages")
        messages.success(request, ngettext(
            "“%(stage)s” was deleted; %(count)d opportunity was moved.",
            "“%(stage)s” was deleted; %(count)d opportunities were moved.", moved) % {"stage": stage, "count": moved})
        return redirect("sales:stages")


class ActivityDeleteView(OwnerRequiredMixin, View):
    """Delete a sales activity: GET says from how many opportunities it goes,
    POST deletes it (everywhere, done marks included)."""

    def get(self, request, pk):
        activity = get_object_or_404(SalesActivity.objects.select_related("stage"), pk=pk)
        return render(request, "sales/activity_delete.html", {
            "activity": activity, **selectors.activity_delete_effect(activity)})

    def post(self, request, pk):
        activity = get_object_or_404(SalesActivity.objects.select_related("stage"), pk=pk)
        try:
            done = services.activity_delete(activity=activity)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("sales:stages")
        messages.success(request, ngettext(
            "“%(name)s” was deleted (it was done on %(count)d opportunity).",
            "“%(name)s” was deleted (it was done on %(count)d opportunities).", done) % {"name": activity, "count": done})
        return redirect("sales:stages")


# --- The product and service catalogue ------------------------------------------

class ProductListView(View):
    """The catalogue: everyone sees it; the database owner edits it."""

    def get(self, request):
        products = Product.objects.annotate(line_count=Count("lines")).order_by("-active", "name")
        return render(request, "sales/products.html", {"products": products, "can_edit": is_owner(request.user)})


class ProductEditView(OwnerRequiredMixin, View):
    def render_form(self, request, form, product):
        return render(request, "sales/product_form.html", {"form": form, "object": product})

    def get(self, request, pk=None):
        product = get_object_or_404(Product, pk=pk) if pk else None
        return self.render_form(request, ProductForm(instance=product), product)

    def post(self, request, pk=None):
        product = get_object_or_404(Product, pk=pk) if pk else None
        if pk and "_delete" in request.POST:
            try:
                services.product_delete(product=product)
            except DomainError as error:
                messages.error(request, error.message)
                return redirect("sales:product_edit", pk=pk)
            messages.success(request, _("“%(name)s” was deleted.") % {"name": product})
            return redirect("sales:products")
        form = ProductForm(request.POST, instance=product)
        if not form.is_valid():
            return self.render_form(request, form, product)
        services.product_save(product=form.save(commit=False))
        messages.success(request, _("“%(name)s” was saved.") % {"name": form.instance})
        return redirect("sales:products")
