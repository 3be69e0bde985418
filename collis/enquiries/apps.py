from django.apps import AppConfig


class EnquiriesConfig(AppConfig):
    name = "collis.enquiries"
    label = "enquiries"
    verbose_name = "Enquiries from the public"
