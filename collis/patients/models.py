"""The patient registry: who each patient is, how to reach them, who referred them."""

import re
import unicodedata
import uuid

import nhs_number
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from collis.sites.models import Site

NAME_KEY_LENGTH = 100


def name_key(name: str) -> str:
    """Upper-case letters only ("O'Brien-Smyth" -> "OBRIENSMYTH", "Zoë" -> "ZOE"): the
    indexed form that name search matches by prefix."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z]", "", ascii_name.upper())[:NAME_KEY_LENGTH]


def validate_nhs_number(value: str) -> None:
    if not re.fullmatch(r"\d{10}", value or ""):
        raise ValidationError("NHS number must be 10 digits", code="format")
    if not nhs_number.is_valid(value):
        raise ValidationError(
            "This is not a valid NHS number: its last digit (the check digit) does not match "
            "the other nine. Check it against the referral letter.", code="check_digit")


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not known"


class PatientQuerySet(models.QuerySet):
    def with_name_prefix(self, *, family: str = "", given: str = ""):
        """Patients whose family (and given) names start with the prefixes, through the
        name index: a range on the letters-only key, which every database can index."""
        patients = self
        for field, prefix in (("family_key", name_key(family)), ("given_key", name_key(given))):
            if prefix:
                upper = prefix + "Z" * (NAME_KEY_LENGTH - len(prefix))
                patients = patients.filter(**{f"{field}__gte": prefix, f"{field}__lte": upper})
        return patients


class Patient(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    nhs_number = models.CharField("NHS number", max_length=10, unique=True,
                                  validators=[validate_nhs_number])
    given_name = models.CharField("Given name", max_length=100)
    family_name = models.CharField("Family name", max_length=100)
    given_key = models.CharField(max_length=NAME_KEY_LENGTH, editable=False)
    family_key = models.CharField(max_length=NAME_KEY_LENGTH, editable=False)
    date_of_birth = models.DateField("Date of birth")
    sex = models.CharField("Sex", max_length=10, choices=Sex.choices)
    address_line_1 = models.CharField("Address line 1", max_length=100)
    address_line_2 = models.CharField("Address line 2", max_length=100, blank=True)
    town = models.CharField("Town or city", max_length=60)
    postcode = models.CharField("Postcode", max_length=8)
    phone = models.CharField("Phone number", max_length=20, blank=True)
    email = models.EmailField("Email address", blank=True)
    gp_practice = models.CharField("GP practice", max_length=120, blank=True)
    referring_consultant = models.CharField("Referring consultant", max_length=120, blank=True)
    home_site = models.ForeignKey(Site, verbose_name="Home site", on_delete=models.PROTECT,
                                  related_name="patients")
    # Optimistic locking: each save increments it, and a save from a form opened on an
    # older version is refused instead of silently overwriting someone else's change.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["family_key", "given_key", "date_of_birth", "id"]
        indexes = [
            models.Index(fields=["family_key", "given_key", "date_of_birth", "id"],
                         name="patient_name_search"),
            models.Index(fields=["date_of_birth", "family_key"], name="patient_dob_search"),
        ]

    def __str__(self):
        return f"{self.family_name.upper()}, {self.given_name}"

    def save(self, *args, **kwargs):
        self.given_key = name_key(self.given_name)
        self.family_key = name_key(self.family_name)
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"
