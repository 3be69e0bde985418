"""Rooms, clinic sessions, slots and appointments (ADR 0016). Times are stored in UTC and
shown in Europe/London; a repeating session keeps its local wall-clock times in its series.

No double booking is kept by the database: on PostgreSQL by the exclusion and unique
constraints below (POSTGRES_CONSTRAINTS, added by migration 0002 with btree_gist), on
SQLite by the services' checks inside IMMEDIATE (serialised) transactions."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Func, Q
from django.utils import timezone

from collis.core.models import AppendOnlyModel
from collis.domain.scheduling import (
    APPOINTMENT_TYPE_LABELS,
    STATUS_LABELS,
    AppointmentStatus,
    ClinicOutcome,
    Recurrence,
)
from collis.patients.models import Patient
from collis.sites.models import Site

# Choices from the domain's vocabularies (collis.domain.scheduling), never a second copy.
TYPE_CHOICES = [(k.value, v) for k, v in APPOINTMENT_TYPE_LABELS.items()]
STATUS_CHOICES = [(k.value, v) for k, v in STATUS_LABELS.items()]
OUTCOME_CHOICES = [(o.value, o.label) for o in ClinicOutcome]
RECURRENCE_CHOICES = [(Recurrence.ONCE.value, "Once"), (Recurrence.WEEKLY.value, "Weekly"),
                      (Recurrence.FORTNIGHTLY.value, "Every two weeks")]


class Equipment(models.TextChoices):
    EMG = "emg", "EMG machine"
    ULTRASOUND = "ultrasound", "Ultrasound machine"
    COUCH = "couch", "Examination couch"
    VIDEO = "video", "Video recording"


class Room(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=80)
    equipment = models.JSONField(default=list, blank=True,
                                 help_text="Equipment in the room (Equipment values).")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["site__name", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"],
                                               name="room_name_unique_per_site")]

    def __str__(self):
        return f"{self.name}, {self.site.name}"

    def clean(self):
        unknown = [e for e in self.equipment or [] if e not in Equipment.values]
        if unknown:
            raise ValidationError({"equipment": f"Unknown equipment: {', '.join(unknown)}"})

    @property
    def equipment_labels(self) -> list[str]:
        return [Equipment(e).label for e in self.equipment or []]


class SessionSeries(models.Model):
    """A clinic that repeats: its local wall-clock times and rule, kept so that every
    sitting is at the same time on the clock across the change to and from BST."""

    appointment_type = models.CharField(max_length=20, choices=TYPE_CHOICES)
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="series")
    first_day = models.DateField()
    local_start = models.TimeField()
    local_end = models.TimeField()
    recurrence = models.CharField(max_length=12, choices=RECURRENCE_CHOICES)
    until = models.DateField(null=True, blank=True)
    time_zone = models.CharField(max_length=40, default="Europe/London", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")

    def __str__(self):
        return f"{self.get_appointment_type_display()} ({self.recurrence}) in {self.room}"


class ClinicSessionQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        return self.filter(ends_at__gt=now or timezone.now()).order_by("starts_at")


class ClinicSession(models.Model):
    """One sitting of a clinic: its kind, room, clinicians and times (UTC)."""

    appointment_type = models.CharField(max_length=20, choices=TYPE_CHOICES)
    # Indexed with its end time (Meta), which serves the room's own look-ups too.
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="sessions",
                             db_index=False)
    clinicians = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="clinic_sessions")
    series = models.ForeignKey(SessionSeries, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="sessions")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")

    objects = ClinicSessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        # The free-slot search reads a room's sessions that have not ended yet.
        indexes = [models.Index(fields=["room", "ends_at"], name="session_room_ends")]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="session_ends_after_it_starts")]

    def __str__(self):
        return f"{self.get_appointment_type_display()} in {self.room}"


class Slot(models.Model):
    """A time in a session with one clinician, holding up to `capacity` appointments."""

    # Indexed with the start time (Meta): the free-slot search reads a session's slots from
    # a time on.
    session = models.ForeignKey(ClinicSession, on_delete=models.PROTECT, related_name="slots",
                                db_index=False)
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["starts_at", "session"], name="slot_starts"),
                   models.Index(fields=["session", "starts_at"], name="slot_session_starts")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="slot_ends_after_it_starts"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="slot_capacity_positive"),
        ]

    def __str__(self):
        return f"Slot at {self.starts_at:%Y-%m-%d %H:%M} UTC"


class AppointmentQuerySet(models.QuerySet):
    def holding(self):
        """Appointments that hold their slot (not cancelled or moved)."""
        return self.filter(holds_slot=True)


class Appointment(models.Model):
    """A patient's appointment in a slot. Its status is the latest row of its append-only
    history (`AppointmentStatusChange`), written with it by the services. Clinician, room and
    times are copied from the slot so that the database can refuse overlaps on one table."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    appointment_type = models.CharField(max_length=20, choices=TYPE_CHOICES)
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    session = models.ForeignKey(ClinicSession, on_delete=models.PROTECT,
                                related_name="appointments")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # Which of the slot's places it takes (1..capacity); above capacity only when a
    # clinician agreed to double book (`double_booking_reason`).
    place = models.PositiveSmallIntegerField(default=1)
    capacity = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=24, choices=STATUS_CHOICES,
                              default=AppointmentStatus.BOOKED)
    holds_slot = models.BooleanField(default=True)
    double_booking_reason = models.TextField(blank=True)
    rescheduled_from = models.OneToOneField("self", null=True, blank=True,
                                            on_delete=models.PROTECT,
                                            related_name="rescheduled_to")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["patient", "starts_at"], name="appointment_patient"),
                   models.Index(fields=["clinician", "starts_at"], name="appointment_clinician")]
        constraints = [
            # Capacity: each place of a slot holds one appointment...
            models.UniqueConstraint(fields=["slot", "place"], condition=Q(holds_slot=True),
                                    name="appointment_one_per_place"),
            # ...and places run 1..capacity, unless a clinician agreed to double book.
            models.CheckConstraint(
                condition=Q(place__gte=1) & (Q(place__lte=models.F("capacity"))
                                             | ~Q(double_booking_reason="")),
                name="appointment_place_within_capacity"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="appointment_ends_after_it_starts"),
        ]

    def __str__(self):
        return f"{self.get_appointment_type_display()} on {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def status_label(self) -> str:
        return AppointmentStatus(self.status).label

    @property
    def is_double_booked(self) -> bool:
        return bool(self.double_booking_reason)


class AppointmentStatusChange(AppendOnlyModel):
    """One move of an appointment's status: who, when, why (and, once seen, the outcome)."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT,
                                    related_name="history")
    status = models.CharField(max_length=24, choices=STATUS_CHOICES)
    reason = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=OUTCOME_CHOICES, blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    @property
    def status_label(self) -> str:
        return AppointmentStatus(self.status).label


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def _during():
    return TsTzRange("starts_at", "ends_at", RangeBoundary())


# Added on PostgreSQL only, by migration 0002 (SQLite cannot hold them; the services check
# the same rules there inside serialised transactions). Each is (model name, constraint).
POSTGRES_CONSTRAINTS = (
    ("clinicsession", ExclusionConstraint(
        name="session_room_no_overlap",
        expressions=[("room", RangeOperators.EQUAL), (_during(), RangeOperators.OVERLAPS)])),
    ("slot", ExclusionConstraint(
        name="slot_clinician_no_overlap",
        expressions=[("clinician", RangeOperators.EQUAL),
                     (_during(), RangeOperators.OVERLAPS)])),
    ("appointment", ExclusionConstraint(
        name="appointment_patient_no_overlap",
        expressions=[("patient", RangeOperators.EQUAL), (_during(), RangeOperators.OVERLAPS)],
        condition=Q(holds_slot=True))),
    ("appointment", ExclusionConstraint(
        name="appointment_clinician_no_overlap",
        expressions=[("clinician", RangeOperators.EQUAL), (_during(), RangeOperators.OVERLAPS),
                     ("slot", RangeOperators.NOT_EQUAL)],
        condition=Q(holds_slot=True, double_booking_reason=""))),
    ("appointment", ExclusionConstraint(
        name="appointment_room_no_overlap",
        expressions=[("room", RangeOperators.EQUAL), (_during(), RangeOperators.OVERLAPS),
                     ("session", RangeOperators.NOT_EQUAL)],
        condition=Q(holds_slot=True, double_booking_reason=""))),
)
