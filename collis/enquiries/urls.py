from django.urls import path

from collis.enquiries import views

app_name = "enquiries"

urlpatterns = [
    path("contact/", views.enquiry_create, name="enquiry_create"),
    path("contact/sent/", views.enquiry_sent, name="enquiry_sent"),
    path("enquiries/", views.enquiry_list, name="enquiry_list"),
    path("enquiries/booking-requests/", views.booking_request_list,
         name="booking_request_list"),
    path("enquiries/<int:pk>/", views.enquiry_detail, name="enquiry_detail"),
    path("enquiries/<int:pk>/<slug:action>/", views.enquiry_act, name="enquiry_act"),
]
