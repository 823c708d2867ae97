"""The site's URLs: sign-in, the owner-only admin, and the apps."""
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from crm.admin import owner_admin_site



class FaviconView(RedirectView):
    """/favicon.ico, which browsers ask for on pages without a <link rel="icon">
    (the admin, a PDF): the site's icon. Its static URL is looked up per
    request, as the manifest of hashed names may not exist at import time."""

    permanent = False

    def get_redirect_url(self, *args, **kwargs):
        return static("crm/favicon.svg")


urlpatterns = [
    path("favicon.ico", login_not_required(FaviconView.as_view())),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(success_url="/"), name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", login_not_required(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("admin/", owner_admin_site.urls),
    path("", include("leads.urls")),
    path("", include("sales.urls")),
    path("", include("marketing.urls")),
    path("", include("projects.urls")),
    path("", include("reports.urls")),
    path("", include("crm.urls")),
]
