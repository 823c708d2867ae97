"""Render a template to PDF with WeasyPrint."""
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify


def _static_fetcher(url: str, *args, **kwargs):
    """Serve /static/... from the local static files: PDFs never touch the network."""
    from weasyprint.urls import default_url_fetcher

    if "/static/" in url:
        path = finders.find(url.split("/static/", 1)[1].split("?", 1)[0])
        if path:
            return default_url_fetcher(f"file://{path}")
    if url.startswith(("file:", "data:")):
        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"Blocked external resource in PDF: {url}")


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template_name, context, request=request)
    base_url = request.build_absolute_uri("/") if request else "/"
    return HTML(string=html, base_url=base_url, url_fetcher=_static_fetcher).write_pdf()


def pdf_response(pdf: bytes, title: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{slugify(title) or "record"}.pdf"'
    # Its own policy, kept by the CSP middleware: Chromium shows an inline PDF
    # through a plugin <embed>, which the site's object-src 'none' (and its
    # default-src, for the viewer's inline styles) would block. A PDF runs no
    # page script; it is still never framed.
    response["Content-Security-Policy"] = "object-src 'self'; frame-ancestors 'none'"
    return response
