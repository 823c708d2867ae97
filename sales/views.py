"""Sales ▸ Opportunities, closing and reopening, the product catalogue and the
owner's sales stages and activities page."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.template.backends.utils import csrf_input
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _, gettext_lazy, ngettext
from django.views import View

from crm.generic.actions import DEFAULT_ACTIONS, BulkAction
from crm.generic.ordered import OrderedDeleteView, OrderedList
from crm.generic.params import object_or_404, parse_id, parse_version
from crm.generic.services import DomainError, EditConflict
from crm.generic.tables import esc
from crm.templatetags.crm import money
from crm.permissions import OwnerRequiredMixin, is_owner
from crm.views.customize import CustomizeListView
from crm.views.records import CRMRecordViewSet
from sales import selectors, services
from sales.filtersets import BoardFilterSet, OpportunityFilterSet
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
        (gettext_lazy("Sales information"), ["stage", "probability", "@money:expected_revenue", "close_date", "payment_terms",
                                             "expiration_date", "delivery_date"]),
        (gettext_lazy("Source information"), ["source", "initiated_by_account", "initiated_by_contact",
                                               "initiated_by_activity", "competitors"]),
        (gettext_lazy("Details"), ["comments"]),
    ]

    @classmethod
    def new_instance(cls, request):
        return Opportunity(stage=services.default_stage())

    @classmethod
    def list_buttons(cls, request) -> list[dict]:
        return [{"label": _("Board"), "icon": "kanban", "url": reverse("sales:opportunity_board")}]

    @classmethod
    def get_object(cls, request, pk):
        return get_object_or_404(
            Opportunity.objects.select_related("account", "contact", "assigned_to", "stage", "source",
                                               "opportunity_type", "payment_terms", "initiated_by_account",
                                               "initiated_by_contact", "initiated_by_activity"), pk=pk)

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
            path("opportunities/board/", BoardView.as_view(), name="opportunity_board"),
            path("opportunities/board/move/", BoardMoveView.as_view(), name="opportunity_move"),
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


# --- The pipeline board ------------------------------------------------------------

def board_filter(request, data) -> tuple[BoardFilterSet, object, dict[str, str]]:
    """The board's filter from ``data`` (the page's query, or what a move
    posts with it): the filterset, the opportunities it lets through, and
    the filter as query parameters (for "Show more" and the List link)."""
    filterset = BoardFilterSet(data, queryset=Opportunity.objects.all(), request=request)
    if not filterset.is_valid():
        return filterset, Opportunity.objects.none(), {}
    params = {name: value.isoformat() if hasattr(value, "isoformat") else str(value)
              for name, value in filterset.form.cleaned_data.items() if value not in (None, "")}
    return filterset, filterset.qs, params


class BoardCards:
    """The board's cards as HTML, written here rather than by a template.

    A board draws up to 250 cards (50 per column); through a template partial
    each cost about 0.2 ms of variable lookups and node rendering, 50 ms of a
    5,000-opportunity board (bench/board.py), more than all its SQL (as for
    the list rows, README "HTML written in Python"). What the cards share is
    drawn once: where the Move to stage menu posts, its hidden fields (the
    CSRF token, and the board's filter, posted with a move so the answer's
    figures and the board shown afterwards keep it), its buttons per column
    (every open stage but the column's own), the labels. Every value is
    escaped (``esc``) as ``{{ }}`` would."""

    def __init__(self, request, params: dict[str, str], stages: list[SalesStage]):
        move_url = esc(reverse("sales:opportunity_move"))
        hidden = "".join(f'<input type="hidden" name="{esc(name)}" value="{esc(value)}">'
                         for name, value in params.items())
        self.form = (f'<form method="post" action="{move_url}" class="dropdown-menu board-move" hx-post="{move_url}" '
                     f'hx-target="closest .board-card" hx-swap="outerHTML">{csrf_input(request)}{hidden}')
        self.menus = {selectors.column_key(current): "".join(
            f'<button type="submit" class="dropdown-item" name="stage" value="{stage.pk}">{esc(stage)}</button>'
            for stage in stages if stage.pk != current) for current in [*(stage.pk for stage in stages), None]}
        self.total, self.closes = esc(_("Total")), esc(_("Closes"))
        self.assigned_to, self.move = esc(_("Assigned to")), esc(_("Move to stage"))
        self.dates: dict = {}    # close date -> as shown (many cards share one)

    def close_date(self, day) -> str:
        if day is None:
            return "—"
        if day not in self.dates:
            self.dates[day] = esc(date_format(day, "SHORT_DATE_FORMAT"))
        return self.dates[day]

    def html(self, card: selectors.BoardCard, *, more: bool = False, focus: bool = False) -> str:
        """One card; ``more``: it came with "Show more"; ``focus``: board.js focuses it (after a move)."""
        pk, title = card.pk, esc(card.title)
        linked = (f'<div class="small text-truncate"><a class="link-secondary" href="{esc(card.linked_url)}">'
                  f'{esc(card.linked_name)}</a></div>') if card.linked_name else ""
        assignee = f"<div><dt>{self.assigned_to}</dt><dd>{esc(card.assignee)}</dd></div>" if card.assignee else ""
        flags = (" data-more" if more else "") + (" data-focus" if focus else "")
        return mark_safe(
            f'<article class="card board-card" id="board-card-{pk}" draggable="true" tabindex="-1" '
            f'aria-labelledby="board-card-{pk}-title"{flags}><div class="card-body p-2">'
            f'<h3 class="h6 mb-1 board-card-title" id="board-card-{pk}-title"><a href="{esc(card.url)}">{title}</a></h3>'
            f'{linked}<dl class="board-card-facts small mb-1"><div><dt>{self.total}</dt><dd>{esc(money(card.total))}</dd>'
            f'</div><div><dt>{self.closes}</dt><dd>{self.close_date(card.close_date)}</dd></div>{assignee}</dl>'
            f'<div class="dropdown"><button type="button" class="btn btn-sm btn-outline-secondary dropdown-toggle '
            f'board-move-toggle" data-bs-toggle="dropdown" aria-expanded="false">{self.move}'
            f'<span class="visually-hidden">: {title}</span></button>{self.form}'
            f'<input type="hidden" name="opportunity" value="{pk}"><input type="hidden" name="version" '
            f'value="{card.version}"><input type="hidden" name="column" value="{esc(card.column_key)}">'
            f'{self.menus.get(card.column_key, "")}</form></div></div></article>')


def more_url(params: dict[str, str], key: str, last: selectors.BoardCard) -> str:
    """The "Show more" address of a column: the cards after ``last``."""
    return f"{reverse('sales:opportunity_board')}?{urlencode({**params, 'column': key, 'after': last.cursor})}"


def parse_cursor(value: str | None):
    """A "Show more" key ("2026-12-01_42", "_42" for an undated card), or None for anything else."""
    date_text, _sep, pk_text = (value or "").partition("_")
    pk = parse_id(pk_text)
    if pk is None:
        return None
    if not date_text:
        return None, pk
    try:
        date = parse_date(date_text)
    except ValueError:
        return None
    return (date, pk) if date else None


class BoardView(View):
    """Sales ▸ Opportunities ▸ Board: the open opportunities as cards in a
    column per open sales stage (``sales.selectors.board_columns``), filtered
    by assignee and close date. "Show more" (htmx) gets the ``more`` partial:
    a column's next cards after the last one shown."""

    template_name = "sales/board.html"

    def get(self, request):
        stages = selectors.open_stages()
        filterset, queryset, params = board_filter(request, request.GET)
        writer = BoardCards(request, params, stages)
        if request.htmx and "column" in request.GET:
            key = request.GET["column"]
            cards, more = selectors.board_more_cards(queryset, stages, key, parse_cursor(request.GET.get("after")))
            return render(request, f"{self.template_name}#more", {
                "cards_html": [writer.html(card, more=True) for card in cards],
                "more_url": more_url(params, key, cards[-1]) if more else ""})
        columns = selectors.board_columns(queryset, stages)
        for column in columns:
            column.more_url = more_url(params, column.key, column.cards[-1]) if column.more else ""
            column.cards_html = [writer.html(card) for card in column.cards]
        list_url = reverse("sales:opportunity_list")
        list_query = filterset.list_query()
        return render(request, self.template_name, {
            "filterset": filterset, "columns": columns,
            "list_url": f"{list_url}?{urlencode(list_query)}" if list_query else list_url,
            "filtered": bool(params),
        })


class BoardMoveView(View):
    """A card dropped on another column, or its "Move to stage" menu: the
    opportunity moves through ``services.opportunity_move`` (the form's
    rules). It posts the opportunity, the stage, the version the card was
    drawn at, the column it stood in and the board's filter.

    An htmx request gets the ``moved`` partial: the card again where it
    belongs now (in place, at the top of its new column, or nowhere if it is
    closed or gone), every column's figures out of band, and what happened
    (a stale card: what the other person changed; nothing is written).
    Without JavaScript the menu's form posts here and the board is shown
    again with the message."""

    def post(self, request):
        stages = selectors.open_stages()
        _filterset, queryset, params = board_filter(request, request.POST)
        pk = parse_id(request.POST.get("opportunity"))
        opportunity = Opportunity.objects.select_related("stage").filter(pk=pk).first() if pk else None
        stage = next((s for s in stages if s.pk == parse_id(request.POST.get("stage"))), None)
        version = parse_version(request.POST.get("version"))
        error = ""
        if opportunity is None:
            error = _("This opportunity no longer exists: someone deleted it.")
        elif stage is None:
            error = _("That sales stage no longer exists or is not open: choose one of the board's stages.")
        elif version is None:
            error = _("The board is out of date: reload the page and move the card again.")
        else:
            try:
                services.opportunity_move(opportunity=opportunity, stage=stage, user=request.user,
                                          expected_version=version)
            except EditConflict as conflict:
                error = self.conflict_message(opportunity, conflict)
            except DomainError as refusal:
                error = refusal.message
            except ValidationError as invalid:
                error = _("“%(title)s” was not moved: %(errors)s") % {"title": opportunity,
                                                                     "errors": " ".join(invalid.messages)}
        if error:
            message = error
        else:
            message = _("“%(title)s” moved to %(stage)s (probability %(probability)d %%).") % {
                "title": opportunity, "stage": stage, "probability": opportunity.probability}
        if not request.htmx:
            (messages.error if error else messages.success)(request, message)
            return HttpResponseRedirect(f"{reverse('sales:opportunity_board')}?{urlencode(params)}"
                                        if params else reverse("sales:opportunity_board"))
        return self.moved(request, queryset, params, stages, pk, message, error=bool(error))

    @staticmethod
    def conflict_message(opportunity, conflict: EditConflict) -> str:
        changes = "; ".join(
            f"{capfirst(change.get('label', name))}: {change.get('old') or '—'} → {change.get('new') or '—'}"
            for entry in conflict.entries for name, change in (entry.changes or {}).items())
        return _("%(user)s changed “%(title)s” after the board was shown, so it was not moved (%(changes)s). "
                 "Its card now shows it as it is.") % {
            "user": EditConflict.names(conflict.entries), "title": opportunity, "changes": changes or "—"}

    def moved(self, request, queryset, params: dict[str, str], stages, pk, message: str, *, error: bool):
        """The htmx answer: the card where it belongs now, the columns' figures, the message."""
        shown = [key for key in request.POST.getlist("columns") if key]
        card = selectors.board_card(queryset, stages, pk) if pk else None
        displayed = request.POST.get("column", "")
        in_place = card is not None and card.column_key == displayed
        insert_into = card.column_key if card is not None and not in_place and (
            not shown or card.column_key in shown) else ""
        return render(request, "sales/board.html#moved", {
            "card": card, "card_html": BoardCards(request, params, stages).html(card, focus=True) if card else "",
            "in_place": in_place, "insert_into": insert_into,
            "headers": selectors.board_headers(queryset, stages, shown or None), "message": message, "error": error})


# --- Customize: sales stages and activities -------------------------------------

class Activities(OrderedList):
    """The sales activities of one stage (``parent``), a table under the stage;
    a delete is confirmed first (``ActivityDeleteView``)."""

    key = "activity"
    form_class = ActivityForm
    queryset = SalesActivity.objects.select_related("stage")
    column_headings = True
    add_label = gettext_lazy("Add activity")
    add_inline = True
    empty_text = gettext_lazy("No sales activities in this stage.")
    delete_url_name = "sales:activity_delete"

    def new_instance(self, parent):
        return SalesActivity(stage=parent)

    def get_form(self, data=None, *, instance, adding, **kwargs):
        form = super().get_form(data, instance=instance, adding=adding, **kwargs)
        if adding:
            form.fields["name"].label = _("New sales activity in %(stage)s") % {"stage": instance.stage}
            form.fields["name"].widget.attrs["placeholder"] = _("New sales activity")
        return form

    def save(self, form, *, creating):
        services.activity_save(activity=form.save(commit=False))
        return _("“%(name)s” was saved.") % {"name": form.instance}

    def move(self, item, offset):
        services.activity_move(activity=item, offset=offset)


class Stages(OrderedList):
    """The sales stages, each with its activities; the built-in closed stages
    are shown but not changed. Deleting one asks for a replacement (``StageDeleteView``)."""

    key = "stage"
    form_class = StageForm
    edit_label = gettext_lazy("Save")     # the name and the default probability
    add_label = gettext_lazy("Add stage")
    add_heading = gettext_lazy("New stage")
    delete_url_name = "sales:stage_delete"
    item_actions = ("default", "clear_default")
    nested = Activities()

    def get_queryset(self):
        return (SalesStage.objects.order_by("position", "id")
                .annotate(opportunity_count=Count("opportunities", distinct=True))
                .prefetch_related(Prefetch("activities", queryset=SalesActivity.objects.order_by("position", "id"))))

    def nested_items(self, item):
        return item.activities.all()

    def editable(self, item):
        return not item.is_closed

    def save(self, form, *, creating):
        if creating:
            services.stage_create(name=form.cleaned_data["name"], probability=form.cleaned_data["probability"])
        else:
            services.stage_update(stage=form.instance, name=form.cleaned_data["name"],
                                  probability=form.cleaned_data["probability"])
        return _("The sales stages were saved.")

    def move(self, item, offset):
        services.stage_move(stage=item, offset=offset)

    def run_action(self, op, item):
        """Use as default / Clear default."""
        if op == "default":
            services.stage_set_default(stage=item)
            return _("New opportunities start in “%(stage)s”.") % {"stage": item}
        services.stage_set_default(stage=None)
        return _("New opportunities start without a stage.")


class StagesView(CustomizeListView):
    """The owner's page for sales stages and activities, and the reminders setting."""

    lists = [Stages()]
    template_name = "sales/stages.html"
    title = gettext_lazy("Sales stages and activities")
    intro = gettext_lazy(
        "Opportunities move through these stages in this order. Each stage can have sales activities with a duration in "
        "days: an activity is due that many days after the previous one, counted from the day the opportunity entered "
        "the stage. An opportunity that enters a stage with a default probability gets that probability, unless the "
        "same change sets another. Closed Won and Closed Lost are built in.")
    page_width = "col-xl-10"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "settings": SalesSettings.load()}

    def post(self, request, *args, **kwargs):
        if request.POST.get("op") == "settings":   # the one form of the page that is no list's
            services.sales_settings_save(activity_reminders=request.POST.get("activity_reminders") == "on")
            messages.success(request, _("The sales settings were saved."))
            return redirect("sales:stages")
        return super().post(request, *args, **kwargs)


class StageDeleteView(OwnerRequiredMixin, OrderedDeleteView):
    """Delete a stage: choose where its opportunities go, and whether its
    activities move along."""

    queryset = SalesStage.objects.all()
    template_name = "sales/stage_delete.html"

    def get_form(self, item, data=None):
        return StageDeleteForm(data, stage=item)

    def refusal(self, item):
        return _("“%(stage)s” is built in and cannot be changed or deleted.") % {"stage": item} if item.is_closed else ""

    def get_context_data(self, item):
        return {"opportunity_count": item.opportunities.count(), "activities": item.activities.order_by("position", "id")}

    def list_url(self, item):
        return reverse("sales:stages")

    def delete(self, item, form, user):
        moved = services.stage_delete(stage=item, replacement=form.cleaned_data["replacement"],
                                      move_activities=form.cleaned_data["move_activities"], user=user)
        return ngettext("“%(stage)s” was deleted; %(count)d opportunity was moved.",
                        "“%(stage)s” was deleted; %(count)d opportunities were moved.", moved) % {"stage": item, "count": moved}


class ActivityDeleteView(OwnerRequiredMixin, OrderedDeleteView):
    """Delete a sales activity: GET says from how many opportunities it goes,
    POST deletes it (everywhere, done marks included)."""

    queryset = SalesActivity.objects.select_related("stage")
    template_name = "sales/activity_delete.html"

    def get_context_data(self, item):
        return selectors.activity_delete_effect(item)

    def list_url(self, item):
        return reverse("sales:stages")

    def delete(self, item, form, user):
        done = services.activity_delete(activity=item)
        return ngettext("“%(name)s” was deleted (it was done on %(count)d opportunity).",
                        "“%(name)s” was deleted (it was done on %(count)d opportunities).", done) % {"name": item, "count": done}


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
