from leads import views

app_name = "leads"

urlpatterns = [
    *views.LeadViewSet.urls(),
]
