"""One editor for the short ordered lists an owner keeps: add an item, change
it, move it up or down, delete it (customizable lists, categories, lead
scoring criteria, sales stages and their activities).

A page declares its lists and writes no view code or template of its own: an
``OrderedList`` subclass says what the list holds (``queryset``), the form of
one item (``form_class``, a ModelForm, so ``maxlength`` and the like are the
model's), its labels, and which service each change calls (``save``, ``move``,
``delete``); an ``OrderedListView`` subclass lists them (``lists``) with the
page's title. ``crm.views.scoring.Criteria`` and ``CriteriaView`` are a whole example;
``sales.views.Stages`` nests each stage's activities (``nested``) and adds two
ops of its own (``item_actions``).

Every button is a form of its own that posts ``list`` (the list's ``key``),
``op`` and, for an item, ``pk``, so what a page posts is what a browser sends
from it: ``add`` (with ``parent`` for a list nested in another's items),
``edit``, ``up``, ``down``, ``delete`` and the list's ``item_actions``. The
fields of a row stand in the table's cells and belong to the row's edit form
through their ``form`` attribute. An unknown list or op is a 400, an item that
is not in the list a 404; writes go through the list's services, whose
``DomainError`` is shown as a message.

A delete that needs a confirmation (a replacement to choose, or what it
changes to say first) is a link to the list's ``delete_url_name``, a page on
``OrderedDeleteView``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Model, QuerySet
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from crm.generic.params import object_or_404, safe_next
from crm.generic.services import DomainError


class OrderedList:
    """What one list holds, the form of one item and the services that write it.

    Instances are shared by all requests: keep request data off them (a list
    that depends on the URL, like a customizable list's kind, is made per
    request by the view's ``get_lists``)."""

    key: str = "item"                   # names the list in what its forms post and in element ids
    form_class: type[forms.ModelForm]   # the fields of one item, shown as the row's columns
    queryset: QuerySet | None = None    # the items, in their order
    movable: bool = True                # Move up / Move down
    column_headings: bool = False       # a header row with the fields' labels
    column_class = "col-w-9"            # the width of the cells of the fields after the first
    column_classes: dict[str, str] = {} # … of some field ("colour": "col-shrink")
    edit_label = _("Save")              # the button that saves a changed row
    add_label = _("Add")
    add_heading = ""                    # above the add form ("New criterion")
    add_inline: bool = False            # the add form as the table's last row, not a card below it
    empty_text = ""
    delete_url_name: str = ""           # the confirmation page (its argument: the pk); "" deletes here
    item_actions: tuple[str, ...] = ()  # ops of the list's own, run by ``run_action``
    nested: OrderedList | None = None   # a list each editable item has (a stage's activities)

    # --- what the list holds -------------------------------------------------
    def get_queryset(self) -> QuerySet:
        """The items in order; a posted ``pk`` is looked up here, so an item of
        another list is not found."""
        return self.queryset.all()

    def new_instance(self, parent: Model | None) -> Model:
        """The unsaved item the add form fills in (``parent``: the outer item of a nested list)."""
        return self.form_class._meta.model()

    def nested_items(self, item: Model):
        """The items of ``nested`` that belong to ``item`` (prefetched by ``get_queryset``)."""
        raise NotImplementedError(f"{type(self).__name__} has a nested list: say where its items are")

    def editable(self, item: Model) -> bool:
        """Whether the item can be changed here (a built-in stage cannot)."""
        return True

    def get_form(self, data=None, *, instance: Model, adding: bool, **kwargs) -> forms.ModelForm:
        return self.form_class(data, instance=instance, **kwargs)

    # --- writes (each calls the list's service) ---------------------------------
    def save(self, form: forms.ModelForm, *, creating: bool) -> str:
        """Save a valid add (``creating``) or edit form; returns the message to show ("" for none)."""
        raise NotImplementedError(f"{type(self).__name__} must save through its service")

    def move(self, item: Model, offset: int) -> None:
        raise NotImplementedError(f"{type(self).__name__} is movable: name its service")

    def delete(self, item: Model, user) -> str:
        """Delete without a confirmation page (no ``delete_url_name``); returns the message."""
        raise NotImplementedError(f"{type(self).__name__} must delete through its service")

    def run_action(self, op: str, item: Model) -> str:
        """One of ``item_actions`` on ``item``; returns the message."""
        raise NotImplementedError(f"{type(self).__name__} declares item actions: run them")

    # --- derived ---------------------------------------------------------------
    @property
    def ops(self) -> set[str]:
        return {"add", "edit", "delete", *(("up", "down") if self.movable else ()), *self.item_actions}

    def delete_url(self, item: Model) -> str:
        return reverse(self.delete_url_name, args=[item.pk]) if self.delete_url_name else ""


# --- What the template shows ---------------------------------------------------

@dataclass
class Bound:
    """A posted form that did not validate, shown again where it was typed:
    the edit form of item ``pk``, or the add form (``pk`` is then the parent's, or None)."""

    key: str
    op: str
    pk: int | None
    form: forms.ModelForm


@dataclass
class Row:
    item: Model
    form: forms.ModelForm | None        # None: the item cannot be changed here
    form_id: str = ""
    first: bool = False                 # among the rows that can move
    last: bool = False
    delete_url: str = ""
    nested: Editor | None = None
    cells: list = field(default_factory=list)   # (bound field, CSS class of its cell)


@dataclass
class Column:
    label: str
    css: str = ""                       # the first field's cell takes the room the others leave


class Editor:
    """One list as a page shows it: a row per item (its own edit form), the add form."""

    def __init__(self, spec: OrderedList, items, *, parent: Model | None = None, bound: Bound | None = None):
        self.spec, self.key, self.parent = spec, spec.key, parent
        self.add_form_id = f"{spec.key}-add" + (f"-{parent.pk}" if parent is not None else "")
        adding = bound if bound and bound.key == spec.key and bound.op == "add" else None
        if adding and adding.pk == (parent.pk if parent is not None else None):
            self.add_form = adding.form
        else:
            self.add_form = item_form(spec, instance=spec.new_instance(parent), form_id=self.add_form_id, adding=True)
        # Headed by the fields' own labels (an add form may say more: "New sales activity in …").
        visible = [(name, f) for name, f in spec.form_class.base_fields.items() if not f.widget.is_hidden]
        self.columns = [Column(f.label, "" if i == 0 else spec.column_classes.get(name, spec.column_class))
                        for i, (name, f) in enumerate(visible)]
        self.add_cells = self.cells(self.add_form)
        self.rows = [self._row(item, bound) for item in items]
        movable = [row for row in self.rows if row.form is not None]
        if movable:
            movable[0].first = movable[-1].last = True
        self.width = len(self.columns) + 2   # the fields, the edit button, the other buttons

    def _row(self, item, bound: Bound | None) -> Row:
        if not self.spec.editable(item):
            return Row(item, None)
        form_id = f"{self.key}-edit-{item.pk}"
        if bound and bound.key == self.key and bound.op == "edit" and bound.pk == item.pk:
            form = bound.form
        else:
            form = item_form(self.spec, instance=item, form_id=form_id, adding=False)
        nested = None
        if self.spec.nested is not None:
            nested = Editor(self.spec.nested, self.spec.nested_items(item), parent=item, bound=bound)
        return Row(item, form, form_id, delete_url=self.spec.delete_url(item), nested=nested, cells=self.cells(form))

    def cells(self, form) -> list[tuple]:
        return list(zip(form.visible_fields(), [column.css for column in self.columns]))


def item_form(spec: OrderedList, data=None, *, instance, form_id: str, adding: bool) -> forms.ModelForm:
    """The form of one item, as shown and as validated: ids unique on the page;
    a row's (and an inline add form's) fields are compact and belong to the
    form ``form_id`` wherever they stand. The browser's limits come from the
    model: ``maxlength`` through the ModelForm, ``min``/``max`` from its validators."""
    form = spec.get_form(data, instance=instance, adding=adding, auto_id=f"{form_id}-%s")
    inline = not adding or spec.add_inline
    for name, bound_field in form.fields.items():
        widget = bound_field.widget
        _limits_from_model(form, name, widget)
        if inline:
            widget.attrs["form"] = form_id
            classes = [*_compact_class(widget).split(), *widget.attrs.get("class", "").split()]
            widget.attrs["class"] = " ".join(dict.fromkeys(classes))
    if inline and form.is_bound:
        for name in form.errors:
            if name in form.fields:
                form.fields[name].widget.attrs["class"] += " is-invalid"
    return form


def _compact_class(widget) -> str:
    if isinstance(widget, forms.Select):
        return "form-select form-select-sm"
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    return "form-control form-control-sm"


def _limits_from_model(form, name: str, widget) -> None:
    """``min``/``max`` for a number the model's validators bound (Django's
    ModelForm passes on ``max_length`` but not a ``MaxValueValidator``)."""
    if not isinstance(widget, forms.NumberInput):
        return
    try:
        model_field = form._meta.model._meta.get_field(name)
    except FieldDoesNotExist:
        return
    for validator in model_field.validators:
        if isinstance(validator, MaxValueValidator):
            widget.attrs.setdefault("max", validator.limit_value)
        elif isinstance(validator, MinValueValidator):
            widget.attrs.setdefault("min", validator.limit_value)


# --- The page --------------------------------------------------------------------

class OrderedListView(View):
    """A page of one or more ordered lists (``lists``), each a table of its items."""

    lists: list[OrderedList] = []
    template_name = "generic/ordered_list.html"
    title = ""
    heading = ""                          # the h1, when it says more than the title
    intro = ""
    page_width = "col-md-8 col-lg-6"
    breadcrumb: tuple[str, str] | None = None   # (label, URL name) of the page above

    def get_lists(self) -> list[OrderedList]:
        return self.lists

    def get_context_data(self, **kwargs) -> dict:
        return kwargs

    def render_page(self, request, bound: Bound | None = None, status: int = 200):
        editors = [Editor(spec, spec.get_queryset(), bound=bound) for spec in self.get_lists()]
        label, url_name = self.breadcrumb or ("", "")
        return render(request, self.template_name, self.get_context_data(
            editors=editors, title=self.title, heading=self.heading or self.title, intro=self.intro,
            page_width=self.page_width, breadcrumb_label=label, breadcrumb_url=reverse(url_name) if url_name else "",
            next=safe_next(request, ""),
        ), status=status)

    def get(self, request, *args, **kwargs):
        return self.render_page(request)

    def post(self, request, *args, **kwargs):
        found = self._find_list(request.POST.get("list"))
        op = request.POST.get("op")
        if found is None or op not in found[0].ops:
            return HttpResponseBadRequest()
        spec, outer = found
        try:
            if op == "add":
                parent = object_or_404(outer.get_queryset(), request.POST.get("parent")) if outer else None
                form_id = f"{spec.key}-add" + (f"-{parent.pk}" if parent is not None else "")
                form = item_form(spec, request.POST, instance=spec.new_instance(parent), form_id=form_id, adding=True)
                if not form.is_valid():
                    return self.render_page(request, Bound(spec.key, op, parent.pk if parent else None, form), 400)
                message = spec.save(form, creating=True)
            else:
                item = object_or_404(spec.get_queryset(), request.POST.get("pk"))
                if op == "edit":
                    form = item_form(spec, request.POST, instance=item, form_id=f"{spec.key}-edit-{item.pk}",
                                     adding=False)
                    if not form.is_valid():
                        return self.render_page(request, Bound(spec.key, op, item.pk, form), 400)
                    message = spec.save(form, creating=False)
                elif op in ("up", "down"):
                    spec.move(item, -1 if op == "up" else 1)
                    message = ""
                elif op == "delete" and spec.delete_url_name:
                    # Deleting here changes other records: it is confirmed on its own page first.
                    return redirect(spec.delete_url(item))
                elif op == "delete":
                    message = spec.delete(item, request.user)
                else:
                    message = spec.run_action(op, item)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if message:
                messages.success(request, message)
        return redirect(request.get_full_path())

    def _find_list(self, key) -> tuple[OrderedList, OrderedList | None] | None:
        """The list named ``key`` and the list it is nested in (None at the top)."""
        for spec in self.get_lists():
            if spec.key == key:
                return spec, None
            if spec.nested is not None and spec.nested.key == key:
                return spec.nested, spec
        return None


class OrderedDeleteView(View):
    """The confirmation page of deleting one item of an ordered list: GET says
    what the delete changes (and asks for a replacement where ``form_class``
    does), POST deletes through the service and goes back to the list."""

    queryset: QuerySet | None = None
    template_name = ""
    form_class: type[forms.Form] | None = None

    def get_object(self, pk) -> Model:
        return object_or_404(self.queryset.all(), pk)

    def get_form(self, item: Model, data=None) -> forms.Form | None:
        return self.form_class(data) if self.form_class else None

    def refusal(self, item: Model) -> str:
        """Why the item cannot be deleted at all ("" if it can): said on the list page."""
        return ""

    def get_context_data(self, item: Model) -> dict:
        """What the page says the delete changes."""
        return {}

    def list_url(self, item: Model) -> str:
        raise NotImplementedError(f"{type(self).__name__}: say which list page to go back to")

    def delete(self, item: Model, form: forms.Form | None, user) -> str:
        """Delete through the service; returns the message."""
        raise NotImplementedError(f"{type(self).__name__} must delete through its service")

    def render_page(self, request, item, form):
        return render(request, self.template_name, {
            "object": item, "form": form, "list_url": self.list_url(item), **self.get_context_data(item)})

    def get(self, request, pk):
        item = self.get_object(pk)
        if refusal := self.refusal(item):
            messages.error(request, refusal)
            return redirect(self.list_url(item))
        return self.render_page(request, item, self.get_form(item))

    def post(self, request, pk):
        item = self.get_object(pk)
        form = self.get_form(item, request.POST)
        if form is not None and not form.is_valid():
            return self.render_page(request, item, form)
        try:
            message = self.delete(item, form, request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, message)
        return redirect(self.list_url(item))
