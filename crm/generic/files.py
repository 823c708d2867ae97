"""Serving stored uploads safely (only through signed-in views)."""
import mimetypes

from django.http import FileResponse, Http404

from crm.validators import file_head

# The only types a browser is asked to show rather than save: images that
# cannot carry a script (not SVG, which can; never HTML). Each is recognised by
# its first bytes as well as by its name, so a page renamed "photo.png" is
# still a download.
INLINE_SIGNATURES = {
    "image/png": lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": lambda head: head.startswith(b"\xff\xd8\xff"),
    "image/gif": lambda head: head.startswith((b"GIF87a", b"GIF89a")),
    "image/webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
}


def inline_type(name: str, handle) -> str:
    """The content type to show ``handle`` under, or "" when it must be a download."""
    content_type = mimetypes.guess_type(name)[0] or ""
    check = INLINE_SIGNATURES.get(content_type)
    return content_type if check and check(file_head(handle)) else ""


def serve_stored_file(field_file, *, download_name: str = "", inline_images: bool = False) -> FileResponse:
    """Stream a stored file. With ``inline_images`` a PNG, JPEG, GIF or WebP
    image (by name and by content) is shown in the browser; everything else is
    a download of type application/octet-stream. The browser is told not to
    sniff types and not to run anything from the response."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    content_type = inline_type(field_file.name, handle) if inline_images else ""
    response = FileResponse(
        handle, as_attachment=not content_type, filename=download_name or field_file.name.rsplit("/", 1)[-1],
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
