from django.urls import path

from leads import views

app_name = "leads"

urlpatterns = [
    *views.LeadViewSet.urls(),
    path("customize/lead-scoring/", views.CriteriaView.as_view(), name="criteria"),
]
