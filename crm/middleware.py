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
    from crm.generic.views import LIST_COLUMNS_SESSION_KEY
    from crm.models import UserPreferences
    from crm.permissions import is_owner

    language, list_columns = UserPreferences.objects.filter(user=user).values_list(
        "language", "list_columns").first() or ("", {})
    request.session["crm_language"] = language
    request.session[LIST_COLUMNS_SESSION_KEY] = list_columns or {}
    request.session["crm_owner_menu"] = is_owner(user)
