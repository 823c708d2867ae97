"""Marketing activity URLs (the namespace is the registry's ``url_namespace``)."""
from marketing import views

app_name = "marketing"

urlpatterns = [*views.MarketingActivityViewSet.urls()]
