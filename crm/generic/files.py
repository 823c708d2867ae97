"""Storing uploads (removing what a failed write leaves) and serving them
safely (only through signed-in views)."""
import errno
import logging
import mimetypes
import os

from django.core.exceptions import ValidationError
from django.core.files import storage
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# The disk (or the user's quota on it) is full.
DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


class FileNotStored(ValidationError):
    """The server could not write an uploaded file (its disk is full, …); what
    it had written is removed and the record is not saved. A ValidationError,
    so every form that saves a file shows it as the form's error."""

    def __init__(self, error: OSError):
        if error.errno in DISK_FULL:
            message = _("The file could not be stored: the server's disk is full. Nothing was saved; "
                        "try again later or tell your administrator.")
        else:
            message = _("The file could not be stored on the server (%(reason)s). Nothing was saved; "
                        "try again later or tell your administrator.") % {"reason": error.strerror or error}
        super().__init__(message, code="not_stored")
        self.error = error


def remove_partial(path: str) -> None:
    """Remove what a failed write left at ``path`` (nothing if there is nothing)."""
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError:
        logger.exception("Could not remove the partly written file %s", path)


class FileSystemStorage(storage.FileSystemStorage):
    """Django's storage, except that a write the disk refuses (ENOSPC and the
    like) leaves no empty or partial file behind and is reported as
    ``FileNotStored`` (a clear form error), not a server error."""

    def _save(self, name, content):
        full_path = self.path(name)
        # The name is free (get_available_name) and random (upload_to): what is at
        # it after a failed write is this write's partial file.
        existed = os.path.lexists(full_path)
        try:
            return super()._save(name, content)
        except FileExistsError:
            raise
        except OSError as error:
            logger.error("Could not store the uploaded file %s: %s", full_path, error)
            if not existed:
                remove_partial(full_path)
            raise FileNotStored(error) from error

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
