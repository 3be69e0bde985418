from django.urls import path

from collis.sites import views

app_name = "sites"

urlpatterns = [
    path("sites/", views.site_list, name="site_list"),
    path("sites/<slug:code>/", views.site_detail, name="site_detail"),
    path("sites/<slug:code>/change/", views.site_edit, name="site_edit"),
]
