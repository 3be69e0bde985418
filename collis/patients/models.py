"""The patient registry: who each patient is, how to reach them, who referred them."""

import re
import unicodedata
import uuid

import nhs_number
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from collis.core.models import AccountType, Organisation, default_organisation_pk
from collis.sites.models import Site

NAME_KEY_LENGTH = 100


def name_key(name: str) -> str:
    """Upper-case letters only ("O'Brien-Smyth" -> "OBRIENSMYTH", "Zoë" -> "ZOE"): the
    indexed form that name search matches by prefix."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z]", "", ascii_name.upper())[:NAME_KEY_LENGTH]


def name_tokens(*names: str) -> set[str]:
    """Every key a name can be found by: each name whole ("O'Hara" -> OHARA) and each of its
    parts ("O'Hara" -> HARA, "Smith-Jones" -> SMITH, JONES), so that people find a patient
    by whatever part of the name they type, in any order."""
    tokens = set()
    for name in names:
        whole = name_key(name)
        if whole:
            tokens.add(whole)
        for part in re.split(r"[\s\-'’‘`.]+", name):
            key = name_key(part)
            if len(key) >= 2:
                tokens.add(key)
    return tokens


def nhs_number_normalise(text: str) -> str:
    """The NHS number as 10 ASCII digits where the typing is unambiguous: spaces and hyphens
    dropped, and compatibility forms of 0-9 (fullwidth, mathematical digits) folded by
    Unicode NFKC. Digits of other scripts are left in place for the validator to refuse."""
    folded = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[\s\-]", "", folded)


def validate_nhs_number(value: str) -> None:
    if not re.fullmatch(r"[0-9]{10}", value or ""):
        if any(ch.isdigit() and ch not in "0123456789" for ch in value or ""):
            raise ValidationError("NHS number must be written with the digits 0 to 9",
                                  code="digits")
        raise ValidationError("NHS number must be 10 digits", code="format")
    if value == "0000000000":
        raise ValidationError("NHS number cannot be all zeros", code="zeros")
    if not nhs_number.is_valid(value):
        raise ValidationError(
            "This is not a valid NHS number: its last digit (the check digit) does not match "
            "the other nine. Check it against the referral letter.", code="check_digit")


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not known"


def is_unit_staff(user) -> bool:
    """A signed-in, active member of staff of a unit: they read that unit's patients."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and user.account_type == AccountType.STAFF and user.organisation_id)


class PatientQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The patients `user` may read: a member of staff sees their own unit's patients, a
        patient account only its own record, anyone else nobody. This filters; it does not
        check a capability (views do that) or audit (selectors do that)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.account_type == AccountType.STAFF and user.organisation_id:
            return self.filter(organisation_id=user.organisation_id)
        if user.account_type == AccountType.PATIENT:
            return self.filter(portal_account=user)
        return self.none()

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
    # Where clinic letters to the GP are emailed (an NHSmail practice address, say).
    gp_practice_email = models.EmailField("GP practice email", blank=True)
    referring_consultant = models.CharField("Referring consultant", max_length=120, blank=True)
    home_site = models.ForeignKey(Site, verbose_name="Home site", on_delete=models.PROTECT,
                                  related_name="patients")
    # The unit whose record this is (that of the home site): it decides who may read it.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     default=default_organisation_pk, related_name="patients")
    # The patient's own portal account, when they have one: it sees this record only.
    portal_account = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="patient_record", limit_choices_to={"account_type": "patient"})
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
        patient_name_tokens_sync([self])

    def clean(self):
        super().clean()
        if self.home_site_id and self.organisation_id and (
                self.home_site.organisation_id != self.organisation_id):
            raise ValidationError({"home_site": "Choose one of your unit's sites."})

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class PatientNameTokenQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The tokens of the patients `user` may read (`PatientQuerySet.visible_to`): for staff
        through the token's own unit column, so that a search stays inside the index."""
        if is_unit_staff(user):
            return self.filter(organisation_id=user.organisation_id)
        return self.filter(patient__in=Patient.objects.visible_to(user))

    def matching(self, word: str):
        """The tokens that begin with the name key `word`."""
        low, high = PatientNameToken.bounds(word)
        return self.filter(token__gte=low, token__lte=high)


class PatientNameToken(models.Model):
    """One key a patient can be found by (see `name_tokens`): search matches each word the
    user typed against these by prefix. The patient's unit and sort key are copied here so
    that a search is answered from the (unit, token) index alone, without reading patients
    (`patients.selectors.patient_list_matching`); `patient_name_tokens_sync` keeps them."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+",
                                     db_index=False)
    token = models.CharField(max_length=NAME_KEY_LENGTH)

    # Family key, given key and date of birth ("PEPPER JO 1980-03-04"): the order of the
    # registry (`Patient.Meta.ordering`) as one string that sorts by code point.
    sort_key = models.CharField(max_length=2 * NAME_KEY_LENGTH + 12)

    objects = PatientNameTokenQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["patient", "token"],
                                               name="patient_name_token_unique")]
        indexes = [models.Index(fields=["organisation", "token", "sort_key", "patient"],
                                name="patient_name_token_unit")]

    def __str__(self):
        return self.token

    @staticmethod
    def bounds(word: str) -> tuple[str, str]:
        """The range of tokens that begin with the name key `word`."""
        return word, word + "Z" * (NAME_KEY_LENGTH - len(word))


def patient_sort_key(patient) -> str:
    """The registry's order for one patient, as a string (`PatientNameToken.sort_key`)."""
    return (f"{name_key(patient.family_name)} {name_key(patient.given_name)} "
            f"{patient.date_of_birth}")


def patient_name_tokens_sync(patients) -> None:
    """Make the patients' search tokens match their names, unit and date of birth (after a
    save or a bulk create)."""
    patients = list(patients)
    wanted = {(p.pk, token, p.organisation_id, patient_sort_key(p))
              for p in patients for token in name_tokens(p.given_name, p.family_name)}
    stored = set(PatientNameToken.objects.filter(patient__in=[p.pk for p in patients])
                 .values_list("patient_id", "token", "organisation_id", "sort_key"))
    if stale := stored - wanted:
        stale_patients = {patient_id for patient_id, *_ in stale}
        PatientNameToken.objects.filter(patient__in=stale_patients).delete()
        stored = {row for row in stored if row[0] not in stale_patients}
    PatientNameToken.objects.bulk_create(
        [PatientNameToken(patient_id=pk, token=token, organisation_id=unit, sort_key=key)
         for pk, token, unit, key in wanted - stored], batch_size=1000)
