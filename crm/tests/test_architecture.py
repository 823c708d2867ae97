"""Dependencies point one way: leads, sales, marketing, projects and reports are built on
crm, and crm knows none of them. Apps reach into the base through its
extension points instead (record types, roll-ups, tabs and Customize entries,
pane sections, list kinds, demo steps: docs/architecture.md).

Checked here, by reading the code (AST) rather than importing it:

- every Python module under crm/ (its tests, migrations and the generic
  machinery included): ``import``/``from … import`` anywhere, also inside a
  function; strings that name another app's module (``import_module("sales.x")``,
  ``include("leads.urls")``), model (``"sales.Opportunity"``), URL
  (``"sales:opportunity_list"``) or template (``"sales/…"``); an app label as the
  first argument of ``apps.get_model(…)``; a migration dependency on another app;
- the templates of crm and the generic pages (``templates/crm/``,
  ``templates/generic/``, and the site's own: base.html, the error pages,
  sign-in and admin): no ``{% include %}``/``{% extends %}`` of another app's
  template, no ``{% url %}`` of its pages, no ``{% load %}`` of its tags.

The only exceptions are the project's configuration, which must name the apps
to install and route them: the INSTALLED_APPS entries in crm/settings.py and
the ``include("<app>.urls")`` lines in crm/project_urls.py (``ALLOWED``).
"""
from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("leads", "sales", "marketing", "projects", "reports")
APP = "|".join(APPS)

# The project's configuration names the apps: what it is, exactly, and nothing more.
ALLOWED = {
    "crm/settings.py": {"leads.apps.LeadsConfig", "sales.apps.SalesConfig", "marketing.apps.MarketingConfig",
                        "projects.apps.ProjectsConfig", "reports.apps.ReportsConfig"},
    "crm/project_urls.py": {"leads.urls", "sales.urls", "marketing.urls", "projects.urls",
                            "reports.urls"},
}
# This test names them to look for them.
ALLOWED["crm/tests/test_architecture.py"] = set().union(*ALLOWED.values())

URL_OR_TEMPLATE = re.compile(rf"^({APP})[:/]")
MODEL_LABEL = re.compile(rf"^({APP})\.[A-Z]\w*$")
DOTTED = re.compile(rf"^({APP})\.([A-Za-z_]\w*)")
TEMPLATE_TAG = re.compile(r"{%-?\s*(include|extends|url|load)\s+(.*?)\s*-?%}", re.S)


def _app_of(name: str) -> str | None:
    head = name.split(".", 1)[0]
    return head if head in APPS else None


def _names_a_module(text: str) -> bool:
    """Whether ``text`` ("sales.models", "leads.apps.LeadsConfig") starts with a
    module of another app: a file name such as "leads.csv" does not."""
    match = DOTTED.match(text)
    if not match:
        return False
    try:
        return importlib.util.find_spec(f"{match.group(1)}.{match.group(2)}") is not None
    except (ImportError, ValueError):
        return False


def python_references(source: str) -> list[tuple[int, str]]:
    """(line, what) for each place the Python ``source`` uses another app, in the order they appear."""
    found = []
    for node in ast.walk(ast.parse(source)):
        what = []
        if isinstance(node, ast.Import):
            what = [f"import {alias.name}" for alias in node.names if _app_of(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and _app_of(node.module):
            what = [f"from {node.module} import …"]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if URL_OR_TEMPLATE.match(text) or MODEL_LABEL.match(text) or _names_a_module(text):
                what = [repr(text)]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            # apps.get_model("sales", "Opportunity"), apps.get_app_config("leads"), …
            function = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if function in {"get_model", "get_app_config", "is_installed"} and node.args[0].value in APPS:
                what = [f"{function}({node.args[0].value!r}, …)"]
        elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
            # A migration's dependency: ("sales", "0005_…").
            if node.elts[0].value in APPS and re.match(r"^\d{4}_|^__first__$|^__latest__$", node.elts[1].value):
                what = [f"dependency {node.elts[0].value!r}"]
        found += [(node.lineno, node.col_offset, text) for text in what]
    return [(line, text) for line, _column, text in sorted(found)]


def template_references(source: str) -> list[str]:
    """Each ``{% include/extends/url/load %}`` of the template ``source`` that
    uses another app's templates, pages or tag libraries."""
    found = []
    # The apps' tag libraries, and any named after an app (one it may add later).
    libraries = set(APPS) | {path.stem for app in APPS for path in (ROOT / app / "templatetags").glob("*.py")
                             if path.stem != "__init__"}
    for tag, argument in TEMPLATE_TAG.findall(source):
        if tag == "load":
            names = argument.split(" from ")[-1].split() if " from " in argument else argument.split()
            if set(names) & libraries:
                found.append(f"{{% load {argument} %}}")
        elif re.match(rf"""^["']({APP})[:/]""", argument):
            found.append(f"{{% {tag} {argument} %}}")
    return found


def violations() -> list[str]:
    problems = []
    for path in sorted((ROOT / "crm").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        allowed = ALLOWED.get(name, set())
        for line, what in python_references(path.read_text(encoding="utf-8")):
            if what.strip("'\"") not in allowed:
                problems.append(f"{name}:{line}: {what}")
    templates = ROOT / "templates"
    for path in sorted([*(templates / "crm").rglob("*.html"), *(templates / "generic").rglob("*.html"),
                        *templates.glob("*.html"), *(templates / "registration").rglob("*.html"),
                        *(templates / "admin").rglob("*.html")]):
        for what in template_references(path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(ROOT).as_posix()}: {what}")
    return problems


def test_crm_uses_none_of_the_apps_built_on_it():
    assert violations() == []


# --- The checks can fail ------------------------------------------------------------------

def test_an_import_of_another_app_is_reported_wherever_it_is():
    source = '''
import sales
import sales.models as sm
from leads.models import Lead
from crm.models import Account           # crm's own: fine
from . import views                      # relative: crm's own


def later():
    from sales.services import opportunity_save
    module = import_module("sales.models")
    urls = include("leads.urls")
    model = apps.get_model("sales", "Opportunity")
    fk = models.ForeignKey("sales.Opportunity", on_delete=models.CASCADE)
    return reverse("sales:opportunity_list"), render(request, "leads/convert.html")


dependencies = [("crm", "0005_email_lookup_index"), ("sales", "0005_track_tables_for_cached_counts")]
upload_name = "leads.csv"                 # a file name, not a module
workspace = "sales"                       # a word, not a reference
'''
    assert python_references(source) == [
        (2, "import sales"), (3, "import sales.models"), (4, "from leads.models import …"),
        (10, "from sales.services import …"), (11, "'sales.models'"), (12, "'leads.urls'"),
        (13, "get_model('sales', …)"), (14, "'sales.Opportunity'"), (15, "'sales:opportunity_list'"),
        (15, "'leads/convert.html'"), (18, "dependency 'sales'"),
    ]


def test_a_template_using_another_apps_template_page_or_tags_is_reported():
    source = """{% extends "generic/detail_pane.html" %}{% load i18n crm leads %}
{% block related %}{% include "sales/includes/related_opportunities.html" with key="account" %}
<a href="{% url 'sales:opportunity_add' %}">New</a>{% include "crm/widgets/x.html" %}{% endblock %}"""
    assert template_references(source) == [
        "{% load i18n crm leads %}", '{% include "sales/includes/related_opportunities.html" with key="account" %}',
        "{% url 'sales:opportunity_add' %}",
    ]
