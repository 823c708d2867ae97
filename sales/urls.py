from django.urls import path

from sales import views

app_name = "sales"

urlpatterns = [
    *views.OpportunityViewSet.urls(),
    path("customize/sales-stages/", views.StagesView.as_view(), name="stages"),
    path("customize/sales-stages/<int:pk>/delete/", views.StageDeleteView.as_view(), name="stage_delete"),
    path("customize/sales-activities/<int:pk>/delete/", views.ActivityDeleteView.as_view(), name="activity_delete"),
    path("products/", views.ProductListView.as_view(), name="products"),
    path("products/add/", views.ProductEditView.as_view(), name="product_add"),
    path("products/<int:pk>/", views.ProductEditView.as_view(), name="product_edit"),
]
