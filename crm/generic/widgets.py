"""Widgets the record forms share."""
from django import forms
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
        )
        return context
