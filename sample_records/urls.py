from sample_records import views

app_name = "sample_records"

urlpatterns = [*views.SiteVisitViewSet.urls()]
