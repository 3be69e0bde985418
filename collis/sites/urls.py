from django.urls import path

from collis.sites import views

app_name = "sites"

urlpatterns = [path("sites/", views.site_list, name="site_list")]
