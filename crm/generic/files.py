"""Serving stored uploads safely (only through signed-in views)."""
import mimetypes

from django.http import FileResponse, Http404


def serve_stored_file(field_file, *, download_name: str = "", inline_images: bool = False) -> FileResponse:
    """Stream a stored file. Images may be shown inline when asked (never SVG,
    which can carry scripts); everything else is a download. The browser is
    told not to sniff types and not to run anything from the response."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    content_type = mimetypes.guess_type(field_file.name)[0] or ""
    inline = inline_images and content_type.startswith("image/") and "svg" not in content_type
    response = FileResponse(
        handle, as_attachment=not inline, filename=download_name or field_file.name.rsplit("/", 1)[-1],
        content_type=content_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
