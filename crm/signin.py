"""Sign-in throttling: what django-axes is told to do here.

django-axes counts failed sign-ins in the database (its ``AccessAttempt``
rows), per account and per address (settings ``AXES_*``), so every server
process sees the same count. This module holds the two hooks the settings
name — the client's address, and the page a locked-out sign-in gets — and
the message both that page and the owner's page use. Reading the current
locks is ``crm.selectors.signin_locks``; unlocking is
``crm.services.signin_unlock``.
"""
import ipaddress

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import gettext as _, ngettext


def lock_minutes() -> int:
    """How long a lock lasts after the last failed try, in whole minutes."""
    return max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_message() -> str:
    minutes = lock_minutes()
    wait = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    return _("Too many failed sign-ins. Signing in to this account, or from this address, is locked for %(wait)s; "
             "each new try starts the %(wait)s again. The database owner can unlock it sooner.") % {"wait": wait}


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the sign-in page again, with the lock's
    message above an empty password (HTTP 429, Too Many Requests)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(request, "registration/login.html",
                  {"form": form, "next": next_url, "lockout_message": lockout_message()}, status=429)


def _valid_address(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the address failures are counted against.

    Behind ``CRM_PROXY_COUNT`` reverse proxies every request comes from the
    nearest proxy; the client is then the address the outermost proxy saw,
    which the proxies append to X-Forwarded-For (the entries before it are
    the client's own say, and not trusted). A header too short or not an
    address falls back to the connection's address."""
    count = settings.CRM_PROXY_COUNT
    if count > 0:
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count and (address := _valid_address(forwarded[-count])):
            return address
    return _valid_address(request.META.get("REMOTE_ADDR"))
