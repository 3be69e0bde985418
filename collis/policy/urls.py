from django.urls import path

from collis.policy import views

app_name = "policy"

urlpatterns = [
    path("policy/", views.policy_detail, name="policy_detail"),
    path("policy/change/", views.policy_change, name="policy_change"),
]
