"""The toxin recall list: patients on botulinum toxin who are due or overdue, by site, most
overdue first; and the one-click booking of one of them into the next free toxin clinic.

The list is read in the database from each patient's last valid cycle date (current, not
entered in error), which the toxin services keep in ToxinLastCycle (ADR 0017), filtered
against the cutoff date that the domain gives (collis.domain.recall.recall_cutoff), ordered
and paged by keyset on (last cycle date, patient id). Nothing is read per patient in
Python."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from collis.core.audit import Actor, audit_record_many
from collis.core.models import AuditAction
from collis.domain.recall import RecallStatus, recall_cutoff, recall_status
from collis.domain.scheduling import AppointmentStatus, AppointmentType
from collis.patients.models import Patient
from collis.scheduling import selectors, services
from collis.scheduling.models import Appointment
from collis.treatments.models import ToxinCycle, ToxinLastCycle, ToxinStop

PER_PAGE = 25
# Appointments that mean the patient's next toxin visit is already in hand.
UPCOMING = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED, AppointmentStatus.ARRIVED)


@dataclass(frozen=True, slots=True)
class RecallRow:
    patient: Patient
    status: RecallStatus


@dataclass(frozen=True, slots=True)
class RecallPage:
    rows: list[RecallRow]
    # The keyset of the next page ("<last date>_<patient id>"), or "" on the last page.
    next_key: str
    today: dt.date


def _key(value: str) -> tuple[dt.date, uuid.UUID] | None:
    """A page key from the address, or None when there is none or it is not one."""
    try:
        day, patient_id = value.split("_", 1)
        return dt.date.fromisoformat(day), uuid.UUID(patient_id)
    except (ValueError, AttributeError):
        return None


def recall_due(*, actor: Actor, today: dt.date, site=None):
    """The patients the actor may see who are due for toxin by `today` (within the
    look-ahead), as rows of (patient_id, last_given_on), most overdue first; those already
    booked into a toxin clinic are left out. A query, not yet run (not audited: callers that
    show patients audit them). It reads the toxin services' copy of each patient's last
    valid cycle date (ToxinLastCycle), less patients whose toxin is stopped, so a page is a
    range of its date index."""
    visible = Patient.objects.visible_to(actor.user)
    if site is not None:
        visible = visible.filter(home_site=site)
    booked = Appointment.objects.filter(
        patient_id=OuterRef("patient_id"), appointment_type=AppointmentType.TOXIN,
        holds_slot=True, status__in=UPCOMING,
        starts_at__gte=timezone.now() - dt.timedelta(hours=12))
    # A current stop on or after the last valid cycle means toxin is stopped: no recall. A
    # cycle after the stop is a restart, so the patient is recalled again; a stop entered in
    # error or amended away no longer counts (its current version does). The index
    # toxin_stop_patient (patient, stopped_on) answers it per row.
    stopped = ToxinStop.objects.current().filter(
        patient_id=OuterRef("patient_id"), stopped_on__gte=OuterRef("last_given_on"))
    # All conditions are correlated (EXISTS per row), so that the database walks the date
    # index in order and stops at the page's end, instead of listing every visible patient
    # first and sorting them (SQLite does that with `IN`).
    return (ToxinLastCycle.objects
            .filter(last_given_on__lte=recall_cutoff(today))
            .filter(Exists(visible.filter(pk=OuterRef("patient_id"))), ~Exists(booked),
                    ~Exists(stopped))
            .values("patient_id", "last_given_on")
            .order_by("last_given_on", "patient_id"))


def recall_list(*, actor: Actor, site=None, after: str = "", per_page: int = PER_PAGE,
                today: dt.date | None = None) -> RecallPage:
    """One page of the recall list from the keyset `after`; the patients shown are recorded
    in the audit log as one entry naming them."""
    today = today or timezone.localdate()
    due = recall_due(actor=actor, today=today, site=site)
    key = _key(after)
    if key is not None:
        due = due.filter(Q(last_given_on__gt=key[0])
                         | Q(last_given_on=key[0], patient_id__gt=key[1]))
    found = list(due[:per_page + 1])
    more = len(found) > per_page
    found = found[:per_page]
    patients = Patient.objects.select_related("home_site").in_bulk(
        [row["patient_id"] for row in found])
    rows = [RecallRow(patients[row["patient_id"]], recall_status(row["last_given_on"], today))
            for row in found]
    if rows:
        audit_record_many(actor=actor, action=AuditAction.VIEW, object_type="toxin_recall",
                          patients=[(r.patient.pk, r.patient.nhs_number) for r in rows],
                          summary="Patient appeared on the toxin recall list",
                          details={"site": site.pk if site else None, "after": after})
    last = found[-1] if found else None
    next_key = f"{last['last_given_on'].isoformat()}_{last['patient_id']}" if more else ""
    return RecallPage(rows, next_key, today)


def recall_book(*, patient: Patient, actor: Actor, site=None,
                now: dt.datetime | None = None):
    """Book the patient into the next free toxin clinic slot (at `site`, or any of the
    unit's sites), not before they are due: the booking services check the rest."""
    now = now or timezone.now()
    last = (ToxinCycle.objects.current().filter(patient=patient)
            .aggregate(last=Max("given_on"))["last"])
    due = recall_status(last, timezone.localdate(now)).due_on if last else timezone.localdate(now)
    return book_next_free(patient=patient, kind=AppointmentType.TOXIN, not_before=due,
                          actor=actor, site=site, now=now)


def book_next_free(*, patient: Patient, kind: AppointmentType | str, not_before: dt.date,
                   actor: Actor, site=None, now: dt.datetime | None = None) -> Appointment:
    """Book the patient into the next free slot of the kind (at `site`, or any site), not
    before `not_before`, through the booking services; a slot taken a moment earlier by
    someone else is skipped."""
    now = now or timezone.now()
    start = dt.datetime.combine(not_before, dt.time(0), tzinfo=timezone.get_current_timezone())
    after = max(now, start)
    kind = AppointmentType(kind)
    for _attempt in range(3):
        slots = selectors.slot_find_free(actor=actor, appointment_type=kind, site=site,
                                         after=after, limit=1)
        if not slots:
            where = f" at {site.name}" if site is not None else ""
            raise ValidationError({"slot": f"There is no free {kind.label.lower()} slot{where}"
                                           f" from the due date: set up a clinic or choose "
                                           f"another site"})
        try:
            return services.appointment_book(patient=patient, slot=slots[0], actor=actor,
                                             now=now)
        except ValidationError as refused:
            if refused.message_dict.get("slot") != [services.SLOT_FULL]:
                raise  # a full slot is no longer free: the next search skips it
    raise ValidationError({"slot": services.SLOT_FULL})
