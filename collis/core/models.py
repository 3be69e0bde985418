"""Organisations, accounts, API tokens and the append-only audit log."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from collis.core.roles import Role

DEFAULT_ORGANISATION_CODE = "unit"


class OrganisationQuerySet(models.QuerySet):
    def default(self) -> "Organisation":
        """The installation's first unit, made on first use: a one-unit installation never
        has to think about organisations."""
        organisation, _ = self.get_or_create(
            code=DEFAULT_ORGANISATION_CODE, defaults={"name": "Dystonia unit"})
        return organisation


class Organisation(models.Model):
    """A unit that keeps patients' records (a provider, in NHS terms). Staff see the
    patients of their own organisation; one installation can hold several (ADR 0006)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120, unique=True)
    ods_code = models.CharField("ODS code", max_length=10, blank=True,
                                help_text="The organisation's code in the NHS ODS, if any.")

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


def default_organisation_pk() -> int:
    return Organisation.objects.default().pk


class AccountType(models.TextChoices):
    STAFF = "staff", "Staff"
    # Patients get portal accounts in a later release; they share this table so that
    # adding them needs no migration of staff data.
    PATIENT = "patient", "Patient"


class CollisUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # `collis manage createsuperuser` makes the first administrator.
        extra_fields.setdefault("role", Role.ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: a member of staff with one role, or (later) a patient."""

    account_type = models.CharField(
        max_length=16, choices=AccountType.choices, default=AccountType.STAFF
    )
    role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    professional_registration = models.CharField(
        max_length=40, blank=True, help_text="GMC, HCPC or NMC number, where the role has one."
    )
    # The unit a member of staff works for: they see its patients and no others.
    organisation = models.ForeignKey(Organisation, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="staff")

    objects = CollisUserManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="staff_have_a_role",
                condition=~models.Q(account_type="staff") | ~models.Q(role=""),
            ),
            models.CheckConstraint(
                name="patients_have_no_staff_role",
                condition=~models.Q(account_type="patient") | models.Q(role=""),
            ),
        ]

    def clean(self):
        super().clean()
        if self.account_type == AccountType.STAFF and not self.role:
            raise ValidationError({"role": "Choose the member of staff's role."})
        if self.account_type == AccountType.PATIENT and self.role:
            raise ValidationError({"role": "A patient account has no staff role."})
        if (self.account_type == AccountType.STAFF and self.role != Role.ADMINISTRATOR
                and not self.organisation_id):
            raise ValidationError({"organisation": "Choose the unit the member of staff "
                                                   "works for."})

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, blank=True)
    prefix = models.CharField(max_length=8, help_text="First characters, to recognise it.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True,
                                      help_text="After this the token no longer works.")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.prefix}… ({self.user.username})"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def new_secret() -> str:
        return "collis_" + secrets.token_urlsafe(32)


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    SEARCH = "search", "Searched"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DOWNLOAD = "download", "Downloaded"
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Failed sign-in"
    LOGOUT = "logout", "Signed out"
    TOKEN_CREATE = "token_create", "Created API token"
    TOKEN_REVOKE = "token_revoke", "Revoked API token"
    DELETE = "delete", "Deleted"


class AuditChannel(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API"
    CLI = "cli", "Command line"


# The fields of a correctable record that a correction may change (ADR 0009).
STATUS_FIELDS = ("record_status", "status_changed_at", "status_changed_by", "status_reason")


class AppendOnlyQuerySet(models.QuerySet):
    """A queryset of rows that are written once: bulk `update()` and `delete()` refuse."""

    refusal = "These records are append-only"

    def update(self, **kwargs):
        raise PermissionError(f"{self.refusal}: entries cannot be changed.")

    def delete(self):
        raise PermissionError(f"{self.refusal}: entries cannot be deleted.")


class AppendOnlyModel(models.Model):
    """A record written once and never changed or deleted: a correction is a new row. The
    model and its queryset both refuse."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # A correctable record's status may move once (ADR 0009); its content never.
        status_only = set(kwargs.get("update_fields") or ()) <= set(STATUS_FIELDS) and \
            kwargs.get("update_fields")
        if not self._state.adding and not status_only:
            raise PermissionError("This record is never changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("This record is never deleted.")


class ClinicalRecord(models.Model):
    """What every clinical record says of itself: when it was entered and by whom. Both are
    required; the author's account can never be deleted from under it (PROTECT)."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", editable=False)

    class Meta:
        abstract = True


class RecordStatus(models.TextChoices):
    CURRENT = "current", "Current"
    AMENDED = "amended", "Amended (superseded by a correction)"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


class CorrectableQuerySet(models.QuerySet):
    def current(self):
        """The versions that count: neither superseded by an amendment nor entered in
        error. Summaries, charts and derived facts read these; histories read all."""
        return self.filter(record_status=RecordStatus.CURRENT)


class CorrectableRecord(ClinicalRecord):
    """A clinical entry that can be amended or marked entered in error, never changed in
    place (ADR 0009): an amendment is a new row whose `supersedes` is the old one; the old
    row keeps its content and only its status moves, once, from current."""

    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by", editable=False)
    record_status = models.CharField(max_length=20, choices=RecordStatus.choices,
                                     default=RecordStatus.CURRENT, db_index=True,
                                     editable=False)
    status_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+",
                                          editable=False)
    status_reason = models.TextField(blank=True, editable=False)

    objects = CorrectableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_current(self) -> bool:
        return self.record_status == RecordStatus.CURRENT


class AuditEventQuerySet(AppendOnlyQuerySet):
    refusal = "The audit log is append-only"

    def for_patient(self, patient_id):
        """Every entry that concerns the patient: those about them alone and the searches and
        lists that showed them, through the (patient, at) index of `AuditEventPatient`."""
        return self.filter(pk__in=AuditEventPatient.objects.filter(patient_id=patient_id)
                           .values("event_id"))


class AuditRow(models.Model):
    """A row of the audit log's tables: written once, never changed or deleted."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit log is append-only: entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only: entries cannot be deleted.")


class AuditEvent(AuditRow):
    """One audited action: who did what, when, to which record and patient, from where.

    Append-only: the model refuses updates and deletes, the admin is read-only, and the
    database refuses UPDATE (and DELETE on PostgreSQL) with triggers."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        db_index=False, related_name="+",
    )
    # Kept as text too, so the entry still reads correctly if an account is renamed.
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    channel = models.CharField(max_length=8, choices=AuditChannel.choices)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # A plain value rather than a foreign key: the log must outlive and never block the
    # records it describes. Set when the entry is about one patient; an entry that showed
    # several (a search page) leaves it empty and names them in `AuditEventPatient`, which
    # holds every (patient, entry) pair and answers "who has seen this patient".
    patient_id = models.UUIDField(null=True, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=300, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        # One index per filter of the audit log, each ending in (at, id) so that a page of
        # it is a walk down the index from a (at, id) cursor (`core.selectors`). On
        # PostgreSQL the table is partitioned by month of `at` (migration 0007).
        indexes = [
            models.Index(fields=["at", "id"], name="audit_at_id"),
            models.Index(fields=["actor_username", "at", "id"], name="audit_username_at"),
            models.Index(fields=["action", "at", "id"], name="audit_action_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}"


    @property
    def actor_role_label(self) -> str:
        return Role(self.actor_role).label if self.actor_role in Role.values else self.actor_role


class AuditEventPatient(AuditRow):
    """One patient an audit entry concerns: the entry about a patient's record has one, a
    search or list page one per patient it showed (so that a page of twenty patients is one
    entry and twenty of these narrow rows, not twenty entries). A patient's access history
    is read from its primary key, (patient, at, entry). Append-only like the log; on
    PostgreSQL partitioned by month of `at` with it."""

    pk = models.CompositePrimaryKey("patient_id", "at", "event")
    patient_id = models.UUIDField()
    at = models.DateTimeField()
    event = models.ForeignKey(AuditEvent, on_delete=models.DO_NOTHING, db_constraint=False,
                              db_index=False, related_name="+")

    objects = AppendOnlyQuerySet.as_manager()

    def __str__(self):
        return f"{self.patient_id} in entry {self.event_id}"


class UserSession(AbstractBaseSession):
    """Django's database session (`django.contrib.sessions`), with the signed-in user's id in
    a column of its own, so that every request reads its session and its user in one query
    (`collis.core.sessions`, ADR 0015 addendum). The session's data stays the truth: the
    user read with the session is used only when it is the user the data names, and a
    session saved before this column existed (no user id) reads the user as before."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")

    class Meta(AbstractBaseSession.Meta):
        db_table = "core_usersession"

    @classmethod
    def get_session_store_class(cls):
        from collis.core.sessions import SessionStore

        return SessionStore
