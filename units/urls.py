from django.urls import path

from units import views

app_name = "units"

urlpatterns = [
    path("", views.area_list, name="area_list"),
    path("<int:pk>/", views.area_detail, name="area_detail"),
]
