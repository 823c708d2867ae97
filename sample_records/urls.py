"""Site visit URLs (the namespace is the registry's ``url_namespace``)."""
from sample_records import views

app_name = "sample_records"

urlpatterns = [*views.SiteVisitViewSet.urls()]
