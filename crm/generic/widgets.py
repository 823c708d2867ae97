"""Widgets the record forms share."""
from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


class CommentsWidget(forms.Textarea):
    """A notes area with an "Add time stamp" button that inserts the current
    date, time and the user's name at the cursor (static/crm/crm.js)."""

    template_name = "generic/widgets/comments.html"

    def __init__(self, attrs=None):
        super().__init__(attrs={"rows": 6, "class": "form-control", **(attrs or {})})


class LinkToWidget(forms.HiddenInput):
    """The "Link to" control: shows the linked record and opens the dialog
    to search for another record or create one in place.

    ``types`` are registry keys (e.g. ``["account"]`` or ``["account", "contact"]``).
    With one type the value is the primary key; with several it is ``"key:pk"``.
    """

    template_name = "generic/widgets/link_to.html"

    @property
    def is_hidden(self) -> bool:
        # Shown with its label and errors, although the value sits in a hidden input.
        return False

    def __init__(self, types: list[str], attrs=None):
        super().__init__(attrs)
        self.types = types

    def label_for(self, value) -> str:
        from crm.generic import registry

        if value in (None, ""):
            return ""
        try:
            if len(self.types) == 1:
                key, pk = self.types[0], value
            else:
                key, _sep, pk = str(value).partition(":")
            obj = registry.get(key).model._base_manager.filter(pk=int(pk)).first()
        except (KeyError, ValueError, TypeError):
            return ""
        return str(obj) if obj else ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            types=",".join(self.types),
            label=self.label_for(value),
            button_label=_("Link to…"),
            # The form marks the hidden input invalid; Bootstrap shows the error
            # below only after an invalid sibling, so the group is marked too.
            invalid="is-invalid" in str(context["widget"]["attrs"].get("class", "")).split(),
        )
        return context


class LinkManyWidget(forms.Widget):
    """The control of a ``LinkManyField``: the chosen records, each with a
    Remove button and a hidden input carrying its key, and "Add…", which
    opens the Link to dialog for the type (static/crm/crm.js adds the picked
    record to the list). Without JavaScript the chosen records are kept as
    they are."""

    template_name = "generic/widgets/link_many.html"
    allow_multiple_selected = True

    def __init__(self, type_key: str, attrs=None):
        super().__init__(attrs)
        self.type_key = type_key

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        return getter(name) if getter is not None else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        # As a multiple select: none chosen sends nothing, which is a value.
        return False

    def format_value(self, value) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, (tuple, list)):
            value = [value]
        return [str(v) for v in value if v not in (None, "")]

    def chosen(self, values: list[str]) -> list[tuple[str, str]]:
        """(key, name) of the chosen records that exist, in the order given (one query)."""
        from crm.generic import registry
        from crm.generic.params import parse_id

        pks = [pk for pk in (parse_id(v) for v in values) if pk is not None]
        if not pks:
            return []
        found = {obj.pk: str(obj) for obj in registry.get(self.type_key).model._base_manager.filter(pk__in=pks)}
        return [(str(pk), found[pk]) for pk in dict.fromkeys(pks) if pk in found]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        field_label = context["widget"]["attrs"].pop("data-field-label", "")
        context["widget"].update(types=self.type_key, chosen=self.chosen(context["widget"]["value"]),
                                 field_label=field_label)
        return context


# --- Fast rendering of the list filters ------------------------------------------------
# Every list page draws its filter form. Django renders each widget, and each
# option of a select or checkbox list, through its own template (input.html,
# attrs.html, select_option.html …): about 5 ms per page, a quarter of a list
# request. These functions write the same HTML in Python for the plain widgets
# (text-like inputs, single selects, checkbox options); any other widget keeps
# Django's templates.

def _attrs_html(attrs: dict) -> str:
    """Django's ``attrs.html``: ``True`` writes a bare attribute, ``False`` none."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {name}")
        elif value is not False:
            parts.append(f' {name}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _input_html(widget: dict) -> str:
    value = widget["value"]
    value_html = f' value="{conditional_escape(str(value))}"' if value is not None else ""
    return f'<input type="{widget["type"]}" name="{conditional_escape(widget["name"])}"{value_html}{_attrs_html(widget["attrs"])}>'


def _select_html(widget: dict) -> str:
    options = []
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            options.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            options.append(f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                           f'{_attrs_html(option["attrs"])}>{conditional_escape(option["label"])}</option>\n')
        if group_name:
            options.append("\n  </optgroup>")
    return f'<select name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>{"".join(options)}\n</select>'


FAST_TEMPLATES = {
    **{f"django/forms/widgets/{name}.html": _input_html
       for name in ("input", "text", "search", "date", "email", "number", "hidden", "url", "tel", "time",
                    "datetime")},
    "django/forms/widgets/select.html": _select_html,
}


def render_field(bound_field) -> str:
    """``{{ field }}`` for a filter form field, in Python where the widget is a plain one."""
    widget = bound_field.field.widget
    if (widget.template_name not in FAST_TEMPLATES or getattr(widget, "allow_multiple_selected", False)
            or getattr(widget, "option_template_name", None) not in (None, "django/forms/widgets/select_option.html")):
        return bound_field.as_widget()
    attrs = bound_field.build_widget_attrs({}, widget)
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound_field.auto_id)
    context = widget.get_context(bound_field.html_name, bound_field.value(), attrs)["widget"]
    return mark_safe(FAST_TEMPLATES[widget.template_name](context))


def render_choice(bound_widget) -> str:
    """``{{ option.tag }}`` of a checkbox or radio list, without its label (as ``tag()`` does)."""
    if bound_widget.data["template_name"] not in ("django/forms/widgets/checkbox_option.html",
                                                  "django/forms/widgets/radio_option.html"):
        return bound_widget.tag()
    return mark_safe(_input_html(bound_widget.data))
