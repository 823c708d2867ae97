from django.utils import translation


class UserLanguageMiddleware:
    """Use the language the signed-in user chose in Preferences (if any)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = request.session.get("crm_language")
            if language is None:
                prefs = getattr(user, "crm_preferences", None) if hasattr(user, "crm_preferences") else None
                language = prefs.language if prefs else ""
                request.session["crm_language"] = language
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)


def remember_language(sender, request, user, **kwargs):
    """On sign-in, put the user's chosen language, the columns chosen for each
    list, and whether to show the owner's menu, in the session (queries at
    sign-in instead of on every page). Owner-only pages still check the
    database on each request."""
    from crm.generic.views.lists import LIST_COLUMNS_SESSION_KEY
    from crm.models import UserPreferences
    from crm.permissions import is_owner

    language, list_columns = UserPreferences.objects.filter(user=user).values_list(
        "language", "list_columns").first() or ("", {})
    request.session["crm_language"] = language
    request.session[LIST_COLUMNS_SESSION_KEY] = list_columns or {}
    request.session["crm_owner_menu"] = is_owner(user)


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than the largest upload allowed
    anywhere (CRM_MAX_REQUEST_SIZE) from its Content-Length, before any of it
    is read: a clear page (413), not a body spooled to disk or memory first.
    Nothing before this middleware reads the body; a reverse proxy should
    refuse the same first (nginx ``client_max_body_size``, see the README)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.CRM_MAX_REQUEST_SIZE:
            return self.too_large(request, length)
        return self.get_response(request)

    @staticmethod
    def too_large(request, length: int):
        from django.conf import settings
        from django.shortcuts import render
        from django.utils.http import url_has_allowed_host_and_scheme

        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            back = ""
        return render(request, "413.html", {
            "size": length, "import_limit": settings.CRM_MAX_IMPORT_SIZE,
            "upload_limit": settings.CRM_MAX_UPLOAD_SIZE, "back": back,
        }, status=413)
