"""Walking the whole site in tests: every URL pattern of the project with its
path converters filled from existing rows, and the forms of the rendered pages
read as a browser would submit them (used by ``test_no_get_writes`` and
``test_fuzz``).

A URL pattern this module cannot fill (a new converter name, a view whose
records it does not know) fails the walk loudly instead of being skipped, so a
new page is never left out of the tests by accident.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import BaseForm
from django_filters import FilterSet
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern

from crm.generic.views.viewset import RecordViewSet
from crm.models import BusinessContact, HistoryItem, ListValue, list_kind_choices

# --- URL patterns -------------------------------------------------------------------


@dataclass
class Pattern:
    name: str                       # "crm:contact_detail" (or the route for unnamed ones)
    route: str                      # the full route, converters and regex groups included
    pattern: URLPattern
    converters: list[str] = field(default_factory=list)   # the names of its path parameters

    @property
    def view_class(self):
        return getattr(self.pattern.callback, "view_class", None)

    @property
    def viewset(self) -> type[RecordViewSet] | None:
        return getattr(self.pattern.callback, "view_initkwargs", {}).get("viewset")

    @property
    def model_admin(self):
        return getattr(self.pattern.callback, "model_admin", None)

    def url(self, values: dict[str, object]) -> str:
        """The URL with ``values`` in its parameters; checked to resolve to this very pattern."""
        url = "/" + _REGEX_GROUP.sub(lambda m: str(values[m.group(1)]), self.route).replace("^", "").replace("$", "")
        url = _ROUTE_PARAM.sub(lambda m: str(values[m.group(2)]), url)
        match = resolve(url.split("?")[0])
        assert match.func is self.pattern.callback, f"{url} resolves to {match.view_name}, not to {self.name}"
        return url


_ROUTE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
# A named group of a regex pattern, with up to one level of nested parentheses.
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")


def all_patterns(resolver: URLResolver | None = None, namespace: str = "", prefix: str = "") -> list[Pattern]:
    """Every URL pattern of the project's URLconf, resolved recursively."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = _route(entry)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += all_patterns(entry, ns, prefix + route)
        else:
            full = prefix + route
            groups = _REGEX_GROUP.findall(full)
            names = [name for _conv, name in _ROUTE_PARAM.findall(_REGEX_GROUP.sub("", full))]
            converters = names + groups
            found.append(Pattern(f"{namespace}{entry.name}" if entry.name else full, full, entry, converters))
    return found


def _route(entry) -> str:
    pattern = entry.pattern
    if isinstance(pattern, RegexPattern):
        return pattern._regex
    return str(pattern)


# --- Filling path parameters with existing rows ---------------------------------------------


def pattern_model(pattern: Pattern):
    """The model whose primary key fills the pattern's ``pk`` / ``object_id`` / ``id``."""
    from crm.views import customize, history, records, scoring
    from crm.generic.views.deleted import DeletedItemRestoreView
    from crm.models import DeletedItem, ScoringCriterion
    from leads import views as lead_views
    from leads.models import Lead
    from sales import views as sales_views
    from sales.models import Opportunity, Product, SalesActivity, SalesStage

    if pattern.viewset is not None:
        return pattern.viewset.rtype().model
    if pattern.model_admin is not None:
        return pattern.model_admin.model
    by_view = {
        history.HistoryItemDetailView: HistoryItem, history.HistoryItemEditView: HistoryItem,
        history.HistoryItemDeleteView: HistoryItem, history.HistoryItemLinkView: HistoryItem,
        history.HistoryFileDownloadView: HistoryItem, records.ContactPhotoView: BusinessContact,
        customize.ListValueDeleteView: ListValue, lead_views.LeadConvertView: Lead,
        scoring.CriterionDeleteView: ScoringCriterion, sales_views.ReopenView: Opportunity,
        sales_views.StageDeleteView: SalesStage, sales_views.ActivityDeleteView: SalesActivity,
        sales_views.ProductEditView: Product, DeletedItemRestoreView: DeletedItem,
    }
    from projects import views as project_views
    from projects.models import ProjectTemplate

    by_view |= {project_views.TemplateDeleteView: ProjectTemplate, project_views.CreateProjectView: Opportunity}
    from reports import views as report_views
    from reports.models import SavedReport

    by_view |= {report_views.SavedReportView: SavedReport, report_views.SavedReportChangeView: SavedReport,
                report_views.SavedReportDeleteView: SavedReport}
    if pattern.view_class in by_view:
        return by_view[pattern.view_class]
    if pattern.name == "admin:auth_user_password_change":
        return User
    raise AssertionError(f"urlwalk does not know whose ids fill {pattern.name} ({pattern.route}): add its view")


def path_values(pattern: Pattern, samples: dict[type, list[int]]) -> list[dict[str, object]]:
    """The parameter sets a pattern is opened with: each sample row of its model,
    and every value of a ``kind`` or bulk ``action`` parameter."""
    if not pattern.converters:
        return [{}]
    if set(pattern.converters) == {"workspace", "code"}:  # a report: each one under its own workspace
        from reports import registry

        return [{"workspace": report.workspace, "code": report.code} for report in registry.all_reports()]
    if pattern.name == "admin:view_on_site":
        obj = samples["view_on_site"][0]
        return [{"content_type_id": ContentType.objects.get_for_model(obj).pk, "object_id": obj.pk}]
    choices: dict[str, list] = {}
    for name in pattern.converters:
        if name in ("pk", "object_id", "id"):
            model = pattern_model(pattern)
            ids = samples.get(model) or samples.get(model._meta.concrete_model)
            assert ids, f"no sample rows of {model.__name__} for {pattern.name}"
            choices[name] = ids
        elif name == "kind":
            choices[name] = ([kind for kind, _label in list_kind_choices()] if pattern.name == "crm:list_edit"
                            else HistoryItem.Kind.values)
        elif name == "action":
            choices[name] = [action.name for action in pattern.viewset.get_actions()]
        elif name == "app_label":
            choices[name] = ["crm", "auth", "leads", "sales"]
        elif name == "url":
            choices[name] = ["crm/nothing/"]
        elif name == "token":
            # A calendar feed's address (crm.reminders): the signed-in user's, and a wrong one.
            from crm.reminders import feed_token

            choices[name] = [feed_token(User.objects.get(pk=samples[User][0])), "1-wrong"]
        elif name == "workspace":
            from crm.navigation import WORKSPACES

            choices[name] = [w.key for w in WORKSPACES if w.record_types]
        else:
            raise AssertionError(f"urlwalk cannot fill <{name}> of {pattern.name} ({pattern.route})")
    # Every value of each parameter is opened once, with the first value of the
    # others (not every combination).
    first = {name: values[0] for name, values in choices.items()}
    combos = [first]
    for name, values in choices.items():
        combos += [{**first, name: value} for value in values[1:]]
    return combos


def site_urls(samples: dict[type, list[int]]) -> list[tuple[Pattern, str]]:
    """Every pattern of the project, each with every URL it is opened at."""
    return [(pattern, pattern.url(values)) for pattern in all_patterns() for values in path_values(pattern, samples)]


# --- Forms on rendered pages -------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str               # input type, "select", "textarea"
    value: str = ""         # what a browser submits untouched ("" if nothing)
    options: list[str] = field(default_factory=list)
    submitted: bool = True  # False for an unticked checkbox / radio
    hidden: bool = False
    invalid: bool = False   # shown with an error (aria-invalid, Bootstrap's is-invalid)


@dataclass
class Form:
    method: str
    action: str | None
    fields: list[Field]
    attrs: dict
    # Addresses its fields are also sent to by script (htmx, live parts): (method, url).
    endpoints: list[tuple[str, str]] = field(default_factory=list)

    def data(self) -> dict[str, list[str]]:
        """What a browser submits from the form untouched."""
        data: dict[str, list[str]] = {}
        for f in self.fields:
            if f.submitted:
                data.setdefault(f.name, []).append(f.value)
        return data

    def names(self) -> list[str]:
        return list(dict.fromkeys(f.name for f in self.fields))

    def invalid(self) -> set[str]:
        """The names of the fields shown with an error."""
        return {f.name for f in self.fields if f.invalid}


def _is_invalid(attrs: dict) -> bool:
    return attrs.get("aria-invalid") == "true" or "is-invalid" in (attrs.get("class") or "").split()


class _PageForms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.depth = 0
        self.select: Field | None = None
        self.option: dict | None = None
        self.textarea: Field | None = None
        self.select_chosen: list[str] = []
        self.select_multiple = False
        # Fields outside their form, which they name in their ``form`` attribute
        # (an ordered list's rows): {form id: fields}, joined to it in page_forms.
        self.owned: dict[str, list[Field]] = {}
        self.owner: list[Field] | None = None   # where the open select or textarea goes

    def fields_of(self, attrs) -> list[Field] | None:
        """The field list a control belongs to: the form its ``form`` attribute
        names, else the form it stands in (None: no form's)."""
        if attrs.get("form"):
            return self.owned.setdefault(attrs["form"], [])
        return self.current.fields if self.current is not None else None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if self.current is None:
                self.current = Form((attrs.get("method") or "get").lower(), attrs.get("action"), [], attrs)
                self.forms.append(self.current)
            self.depth += 1
            return
        if tag == "option":   # of the open select, wherever it stands
            if self.select is not None and "disabled" not in attrs:
                self.option = {"value": attrs.get("value"), "text": "", "selected": "selected" in attrs}
            return
        form, fields = self.current, self.fields_of(attrs)
        if fields is None or "disabled" in attrs:
            return
        for attribute, methods in (("hx-post", ["post"]), ("hx-get", ["get"]), ("data-url", ["get", "post"])):
            if attrs.get(attribute) and form is not None:
                form.endpoints += [(method, attrs[attribute]) for method in methods]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            value = attrs.get("value") or ("on" if kind in ("checkbox", "radio") else "")
            submitted = "checked" in attrs if kind in ("checkbox", "radio") else kind != "file"
            fields.append(Field(name, kind, value, [value] if kind in ("checkbox", "radio") else [],
                                submitted, hidden=kind == "hidden", invalid=_is_invalid(attrs)))
        elif tag == "select" and name:
            self.select, self.owner = Field(name, "select", invalid=_is_invalid(attrs)), fields
            self.select_chosen, self.select_multiple = [], "multiple" in attrs
        elif tag == "textarea" and name:
            self.textarea, self.owner = Field(name, "textarea", invalid=_is_invalid(attrs)), fields

    def handle_endtag(self, tag):
        if tag == "form" and self.current is not None:
            self.depth -= 1
            if not self.depth:
                self.current = None
        elif tag == "option" and self.option is not None and self.select is not None:
            value = self.option["value"] if self.option["value"] is not None else self.option["text"].strip()
            self.select.options.append(value)
            if self.option["selected"]:
                self.select_chosen.append(value)
            self.option = None
        elif tag == "select" and self.select is not None:
            select, self.select = self.select, None
            chosen = self.select_chosen or ([] if self.select_multiple else select.options[:1])
            for value in chosen or [""]:
                self.owner.append(Field(select.name, "select", value, select.options, bool(chosen),
                                        invalid=select.invalid))
        elif tag == "textarea" and self.textarea is not None:
            self.textarea.value = self.textarea.value.removeprefix("\n")
            self.owner.append(self.textarea)
            self.textarea = None

    def handle_data(self, data):
        if self.option is not None:
            self.option["text"] += data
        if self.textarea is not None:
            self.textarea.value += data


def page_forms(html: str) -> list[Form]:
    """Every <form> of a page, with its fields as a browser would submit them."""
    reader = _PageForms()
    reader.feed(html)
    for form in reader.forms:
        form.fields += reader.owned.get(form.attrs.get("id") or "", [])
    return reader.forms


_INVALID_MARK = re.compile(r'aria-invalid="true"|\bis-invalid\b')
_NAME = re.compile(r'<(?:input|select|textarea)\b[^>]*?\bname="([^"]*)"')


def invalid_fields(html: str) -> set[str]:
    """The names of the fields a page shows with an error (aria-invalid,
    Bootstrap's is-invalid): found from the marks back to their tags, as a
    fuzzed page can carry megabytes of echoed input (an HTML parser, or a
    pattern tried at every "<", takes seconds on those)."""
    names = set()
    for mark in _INVALID_MARK.finditer(html):
        start = html.rfind("<", 0, mark.start())
        end = html.find(">", mark.end())
        if (match := _NAME.match(html, start, end + 1 if end >= 0 else len(html))) is not None:
            names.add(match.group(1))
    return names


def rejected_fields(response) -> set[str]:
    """The fields a test client's response refused: those its page shows with an
    error, and those with an error in the forms it rendered (a hidden field's
    error, e.g. a tampered ``version``, is not always on the page)."""
    names = invalid_fields(response.content.decode(errors="replace")) if is_html(response) else set()
    contexts = response.context if isinstance(response.context, list) else [response.context]
    for context in contexts:
        if context is None:
            continue
        for value in context.flatten().values():
            if isinstance(value, FilterSet):
                value = value.form
            # Only forms the view validated (asking another for its errors would validate it here).
            if isinstance(value, BaseForm) and value._errors is not None:
                names |= {value.add_prefix(name) for name in value._errors if name != NON_FIELD_ERRORS}
    return names


def finish(response):
    """Read a file download to its end, which makes the test client close the
    file (a response it already closed must not be closed again: that sends
    ``request_finished``, whose handler closes the test's database connection)."""
    if response.streaming:
        for _chunk in response.streaming_content:
            pass
    return response


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")
