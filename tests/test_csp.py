"""The Content-Security-Policy: sent on every page, and nothing in the
templates or the scripts that it would block (e2e/test_csp.py loads every
page in Chromium and watches for violations)."""
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from crm.tests.factories import AccountFactory, CategoryFactory

ROOT = Path(settings.BASE_DIR)
# Rendered to PDF by WeasyPrint on the server, never served as a page.
PDF_TEMPLATES = {"generic/print.html", "sales/opportunity_print.html", "projects/project_print.html",
                 "reports/report_print.html"}
BLOCKED = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"""\sstyle\s*=\s*["']""", re.I),
    "on… handler": re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I),
    "hx-on": re.compile(r"hx-on", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}
HX_TRIGGER = re.compile(r"""hx-trigger\s*=\s*(["'])(.*?)\1""", re.I | re.S)


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.parametrize("name", ["crm:home", "crm:account_list", "crm:customize", "admin:index"])
def test_html_pages_send_the_policy(owner_client, name):
    policy = directives(owner_client.get(reverse(name))["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'", "mailto:"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


def test_the_sign_in_page_sends_the_policy(client):
    assert "script-src 'self'" in client.get(reverse("login"))["Content-Security-Policy"]


def test_the_csrf_failure_page_keeps_its_style_through_the_nonce(db):
    """Django's "CSRF verification failed" page styles itself with a <style>
    carrying the request's nonce, which the policy's style-src lets through."""
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    nonce = re.search(r'<style nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in directives(response["Content-Security-Policy"])["style-src"]


def template_files():
    for folder in (ROOT / "templates",):
        for path in sorted(folder.rglob("*.html")):
            if str(path.relative_to(folder)) not in PDF_TEMPLATES:
                yield path


def html_sources():
    """The templates served as pages, and the Python that writes HTML (lines
    with a tag in them, comments and the test helpers left out)."""
    yield from ((path, path.read_text(encoding="utf-8")) for path in template_files())
    for app in ("crm", "leads", "sales", "projects", "reports"):
        for path in sorted((ROOT / app).rglob("*.py")):
            if {"tests", "migrations"} & set(path.parts) or path.name in {"testing.py", "settings.py"}:
                continue
            lines = [line for line in path.read_text(encoding="utf-8").splitlines()
                     if not line.lstrip().startswith("#") and re.search(r"<[a-z]+[\s>]", line)]
            yield path, "\n".join(lines)


def test_templates_and_html_in_code_have_nothing_the_policy_blocks():
    """No inline script or style, no event handler attributes, no htmx that needs eval."""
    found = []
    for path, text in html_sources():
        # Template comments, and the badges' colours in a PDF (categories.html), are not sent to a browser.
        text = re.sub(r"{#.*?#}|{% comment %}.*?{% endcomment %}|{% if printing %}.*?{% endif %}", "", text, flags=re.S)
        found += [f"{path.relative_to(ROOT)}: {what}" for what, pattern in BLOCKED.items() if pattern.search(text)]
        # An htmx event filter (change[target.name=='q']) is evaluated with eval; a from: selector's [...] is not.
        for _quote, trigger in HX_TRIGGER.findall(text):
            if "[" in re.sub(r"from:[^\s,]+", "", trigger):
                found.append(f"{path.relative_to(ROOT)}: htmx filter (eval) in {trigger!r}")
    assert found == [], "\n".join(found)


def test_scripts_do_not_eval_or_write_inline_styles():
    script = (ROOT / "static" / "crm" / "crm.js").read_text(encoding="utf-8")
    assert not re.search(r"\beval\(|new Function\(|setAttribute\(\s*[\"']style|\.style\.cssText|setTimeout\(\s*[\"']", script)


def test_htmx_is_told_not_to_inject_styles_or_eval(staff_client):
    page = staff_client.get(reverse("crm:home")).content.decode()
    assert '"includeIndicatorStyles": false' in page and '"allowEval": false' in page


def test_category_badges_carry_colours_as_data_on_pages_and_inline_in_pdfs(db):
    category = CategoryFactory(colour="#ffc107")
    page = render_to_string("generic/includes/categories.html", {"categories": [category]})
    assert 'data-colour="#ffc107"' in page and 'data-text-colour="#000"' in page and "style=" not in page
    pdf = render_to_string("generic/includes/categories.html", {"categories": [category], "printing": True})
    assert 'style="background-color: #ffc107; color: #000"' in pdf


def test_a_printed_pdf_shows_in_chromium(staff_client):
    """Chromium's PDF viewer is a plugin <embed>: the site's object-src 'none' would
    block it, so a PDF carries its own, narrower policy."""
    account = AccountFactory()
    account.categories.add(CategoryFactory())
    response = staff_client.get(reverse("crm:account_print", args=[account.pk]))
    assert response["Content-Type"] == "application/pdf"
    policy = directives(response["Content-Security-Policy"])
    assert policy["object-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]
