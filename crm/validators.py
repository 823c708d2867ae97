"""Checks shared by every write path: uploaded files, e-mail addresses."""
import re
from pathlib import PurePath

from django.conf import settings
from django.core import validators
from django.core.exceptions import ValidationError
from django.utils.regex_helper import _lazy_re_compile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Types a browser or the desktop would run or render as a page when opened.
DANGEROUS_EXTENSIONS = {
    "exe", "com", "bat", "cmd", "msi", "msp", "scr", "pif", "cpl", "dll", "jar", "js", "jse", "vbs", "vbe",
    "wsf", "wsh", "ps1", "psm1", "sh", "bash", "php", "phtml", "py", "pl", "cgi", "asp", "aspx", "jsp",
    "html", "htm", "xhtml", "shtml", "svg", "hta", "lnk", "reg", "app", "apk", "dmg", "iso",
}


# How programs and scripts begin, whatever their name says: Windows (MZ),
# Linux and other Unixes (ELF), macOS (Mach-O, 32/64-bit, either byte order,
# and universal binaries, whose magic Java class files share), and scripts
# with an interpreter line (#!). A program renamed "invoice.pdf" still runs
# when it is saved and opened under its real type.
PROGRAM_SIGNATURES = (
    b"MZ", b"\x7fELF",
    b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe",
    b"#!",
)


def normalize_upload_name(name: str) -> str:
    """The name as Windows saves it: without trailing dots and spaces
    ("evil.exe. " is saved as evil.exe), and without surrounding spaces."""
    return (name or "").strip().rstrip(". ")


def validate_upload_name(name: str) -> None:
    """Refuse names that try to leave the folder, hide control characters or are executable.

    The extension is judged on the name as Windows would save it
    (``normalize_upload_name``), so "evil.exe." is refused as an .exe."""
    if "/" in name or "\\" in name or ".." in PurePath(name).parts or any(ord(c) < 32 for c in name):
        raise ValidationError(_("The file name “%(name)s” is not allowed (it contains a path or control characters).") % {"name": name}, code="name")
    name = normalize_upload_name(name)
    if not name:
        raise ValidationError(_("The file has no name."), code="name")
    extensions = {s.lstrip(".").lower() for s in PurePath(name).suffixes}
    bad = extensions & DANGEROUS_EXTENSIONS
    if bad:
        raise ValidationError(
            _("Files of type .%(ext)s can run programs or scripts and cannot be attached.") % {"ext": sorted(bad)[0]},
            code="dangerous",
        )


def file_head(file, size: int = 16) -> bytes:
    """The first ``size`` bytes of an uploaded or stored file; the file's position is kept."""
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        return file.read(size) or b""
    finally:
        file.seek(position)


def validate_upload_content(file, name: str = "") -> None:
    """Refuse a program or script whatever its name says (its first bytes)."""
    if file_head(file).startswith(PROGRAM_SIGNATURES):
        raise ValidationError(
            _("“%(name)s” is a program or script, whatever its name says, and cannot be attached.")
            % {"name": normalize_upload_name(name or PurePath(file.name or "").name)},
            code="program",
        )


def validate_upload_size(file, limit: int | None = None) -> None:
    limit = limit or settings.CRM_MAX_UPLOAD_SIZE
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.") % {"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            code="too_large",
        )


def validate_attachment(file) -> None:
    """Model-field validator for history attachments (runs on every save path)."""
    # Only a freshly uploaded file carries its original name; stored ones are renamed.
    # ``_committed`` first: asking a stored file for ``.file`` opens it (and leaks the handle).
    if not getattr(file, "_committed", True) and hasattr(file, "file"):
        validate_upload_name(PurePath(file.name).name if file.name else "")
        validate_upload_size(file)
        validate_upload_content(file)


def validate_photo(file) -> None:
    if not getattr(file, "_committed", True) and hasattr(file, "file"):
        validate_upload_size(file, settings.CRM_MAX_PHOTO_SIZE)


class EmailValidator(validators.EmailValidator):
    """Django's e-mail check, with internationalised addresses (RFC 6531):
    letters beyond ASCII in the part before the "@" (françois@example.com), as
    Django already allows in the domain (ana@bücher.example). The record forms,
    the models and the import all use this one check."""

    # Django's dot-atom and quoted-string, with any non-ASCII character as an atom character.
    user_regex = _lazy_re_compile(
        r"(^[-!#$%&'*+/=?^_`{}|~0-9A-Z\u0080-\U0010FFFF]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z\u0080-\U0010FFFF]+)*\Z"
        r'|^"([\001-\010\013\014\016-\037!#-\[\]-\177\u0080-\U0010FFFF]|\\[\001-\011\013\014\016-\177])*"\Z)',
        re.IGNORECASE,
    )


validate_email = EmailValidator()
