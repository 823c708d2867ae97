"""Template helpers for record pages: labelled field values, badges, user names,
a score as stars (``crm.stars``), amounts of money (``crm.money``)."""
from django import template
from django.db import models
from django.template.loader import render_to_string
from django.urls import NoReverseMatch
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import mark_safe
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.generic import panes, registry
from crm.generic.widgets import render_choice, render_field
from crm.money import format_money
from crm.names import person_name
from crm.stars import star_glyphs, stars_html, stars_label

register = template.Library()

register.filter("star_glyphs", star_glyphs)
register.filter("stars_label", stars_label)


@register.filter
def user_display(user) -> str:
    if not user or not user.is_authenticated:
        return ""
    return person_name(user)


def _record_link(obj):
    try:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj)
    except (AttributeError, NoReverseMatch):
        return format_html("{}", obj)


@register.simple_tag
def field_label(obj, name: str) -> str:
    if name.startswith(("@stars:", "@money:")):
        return str(obj._meta.get_field(name.split(":", 1)[1]).verbose_name).capitalize()
    if name.startswith("@address:"):
        prefix = name.split(":", 1)[1]
        choices = dict(obj._meta.get_field("mailing_address").choices)
        return _("%(kind)s address") % {"kind": choices.get(prefix, prefix)}
    return str(obj._meta.get_field(name).verbose_name).capitalize()


@register.simple_tag(takes_context=True)
def field_value(context, obj, name: str):
    """A field's value as HTML: links for related records, e-mail and web
    addresses, badges for categories, line breaks for long text. Always escaped.
    In a PDF (``printing`` in the context) badges carry their colours inline."""
    if name.startswith("@address:"):
        return format_html_join("", "{}<br>", ((line,) for line in obj.address_lines(name.split(":", 1)[1])))
    if name.startswith("@stars:"):
        return stars_html(getattr(obj, name.split(":", 1)[1]), label_shown=True)
    if name.startswith("@money:"):
        return money(getattr(obj, name.split(":", 1)[1]))
    field = obj._meta.get_field(name)
    if field.many_to_many:
        if field.related_model.__name__ == "Category":
            categories = list(getattr(obj, name).all())
            return render_to_string("generic/includes/categories.html",
                                    {"categories": categories, "printing": context.get("printing", False)}) if categories else ""
        return ", ".join(str(o) for o in getattr(obj, name).all())
    if field.choices:
        return getattr(obj, f"get_{name}_display")()
    value = getattr(obj, name)
    if value in (None, ""):
        return ""
    if isinstance(field, models.ForeignKey):
        if field.related_model.__name__ == "User":
            return user_display(value)
        return _record_link(value)
    if isinstance(field, models.EmailField):
        return format_html('<a href="mailto:{}">{}</a>', value, value)
    if isinstance(field, models.URLField):
        return format_html('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', value, value)
    if isinstance(field, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(field, models.DateTimeField):
        return localize(timezone.localtime(value))
    if isinstance(field, models.TextField):
        # linebreaks() escapes the text itself but returns a plain str: mark
        # it safe, or the tag (or ``{{ value }}``) escapes it a second time.
        return mark_safe(linebreaks(value, autoescape=True))
    if isinstance(field, models.FileField):
        return getattr(obj, "file_name", "") or value.name.rsplit("/", 1)[-1]
    return localize(value)


@register.filter
def money(value) -> str:
    """An amount with the site's currency in the active language
    (``crm.money.format_money``): "$2,500.00", "2 500,00 €"; empty for no
    amount or, as Django's number filters do, for text that is no number."""
    try:
        return format_money(value)
    except ValueError:
        return ""


@register.simple_tag(takes_context=True)
def section_fields(context, obj, names) -> list[tuple[str, str]]:
    """(label, value) of each field of a record's section that has a value: a
    record page, reading pane or PDF leaves out empty fields, and a section
    whose fields are all empty."""
    fields = []
    for name in names:
        value = field_value(context, obj, name)
        if value:
            fields.append((field_label(obj, name), value))
    return fields


@register.simple_tag(takes_context=True)
def pane_sections(context) -> str:
    """The sections other apps registered for the record type's pane
    (crm.generic.panes), each drawn as ``{% include %}`` would draw it, with
    what the section's ``context`` returns added to the page's context."""
    rtype, obj = context.get("rtype"), context.get("object")
    if rtype is None or obj is None:
        return ""
    parts = []
    for section in panes.pane_sections(rtype.key):
        template = context.template.engine.get_template(section.template_name)
        with context.push(section.context_for(context.get("request"), obj)):
            parts.append(template.render(context))
    return mark_safe("".join(parts))


@register.simple_tag(takes_context=True)
def record_buttons(context) -> list[dict]:
    """The buttons other apps registered for the record type's page and pane
    (crm.generic.panes.register_button) that this person sees on the record:
    ``{% record_buttons as buttons %}``."""
    rtype, obj = context.get("rtype"), context.get("object")
    if rtype is None or obj is None:
        return []
    return panes.record_buttons(context.get("request"), rtype.key, obj)


@register.simple_tag
def record_url(obj, action: str, *args):
    """URL of one of a record's pages (``history``, ``edit`` …) via the registry."""
    from django.urls import reverse

    if not args:
        return registry.record_url(obj, action)
    return reverse(registry.for_instance(obj).url_name(action), args=[obj.pk, *args])


@register.filter
def record_type_label(obj) -> str:
    try:
        return registry.for_instance(obj).verbose_name
    except LookupError:
        return obj._meta.verbose_name


@register.simple_tag(takes_context=True)
def url_replace(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for paging/sorting links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode()


@register.simple_tag
def bulk_url(obj, action: str) -> str:
    """A bulk action applied to this one record (Assign to, Categorize from a record page)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    rtype = registry.for_instance(obj)
    return reverse(rtype.url_name("bulk"), args=[action]) + "?" + urlencode({"pk": obj.pk, "next": obj.get_absolute_url()})


@register.filter
def widget_html(bound_field) -> str:
    """``{{ field }}`` of a list filter, rendered without per-widget templates where possible."""
    return render_field(bound_field)


@register.filter
def choice_tag(bound_widget) -> str:
    """``{{ option.tag }}`` of a checkbox list, rendered without templates."""
    return render_choice(bound_widget)
