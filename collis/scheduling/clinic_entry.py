"""Faster clinic entry: a toxin cycle recorded from the appointment, in one page.

The form starts from the patient's last valid cycle ("repeat last cycle") or from the
muscles confirmed at their latest examination, with the appointment's date, the signed-in
injector, the session's site, and the batch (and its expiry) already used for the same
product at this site that day; the nurse changes only what differs. Saving goes through the
toxin services (validation, chronology, plausibility, warnings) and marks the appointment
seen, in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from collis.core.audit import Actor
from collis.core.presenters import date_long
from collis.core.roles import Capability, can
from collis.domain.scheduling import STATUS_MOVES, AppointmentStatus, AppointmentType, ClinicOutcome
from collis.scheduling import services as scheduling_services
from collis.scheduling.models import Appointment
from collis.treatments import services as toxin_services
from collis.treatments.models import ToxinCycle


class Start(StrEnum):
    LAST_CYCLE = "last"
    CONFIRMED_MUSCLES = "muscles"


@dataclass(frozen=True, slots=True)
class ClinicEntryStart:
    """What the form starts from, and in words where each pre-filled part came from."""

    initial: dict
    start: Start
    notes: list[str] = field(default_factory=list)
    has_last_cycle: bool = False
    has_confirmed_muscles: bool = False


def appointment_day(appointment: Appointment) -> dt.date:
    return timezone.localtime(appointment.starts_at).date()


def _confirmed_muscles(patient):
    from collis.assessments.models import Examination

    examination = (Examination.objects.current().filter(patient=patient,
                                                        muscles_confirmed_at__isnull=False)
                   .prefetch_related("muscles").order_by("-examined_on", "-id").first())
    return examination


def _batch_in_use(*, site_id, product: str, day: dt.date):
    """The batch most recently recorded for the product at the site that day: the vials
    the clinic has open."""
    return (ToxinCycle.objects.current().filter(site_id=site_id, product=product, given_on=day)
            .order_by("-created_at", "-id").first())


def clinic_cycle_start(*, appointment: Appointment, user, start: str = "") -> ClinicEntryStart:
    """The form's starting values for recording a cycle at the appointment (read as part of
    the appointment's page, which is audited)."""
    from collis.treatments.forms import INJECTIONS

    patient = appointment.patient
    day = appointment_day(appointment)
    site_id = appointment.session.room.site_id
    last = (ToxinCycle.objects.current().filter(patient=patient, given_on__lte=day)
            .prefetch_related("injections").order_by("-given_on", "-id").first())
    examination = _confirmed_muscles(patient)
    has_muscles = examination is not None and examination.muscles.exists()
    chosen = Start(start) if start in Start._value2member_map_ else (
        Start.LAST_CYCLE if last is not None or not has_muscles else Start.CONFIRMED_MUSCLES)
    injector = user.pk if can(user, Capability.TOXIN_RECORD) else appointment.clinician_id
    initial = {"given_on": day, "injector": injector, "site": site_id}
    notes = [f"Date of the appointment ({date_long(day)}), the clinic's site and you as the "
             f"injector."]
    if last is not None:
        initial.update({"product": last.product, "guidance": last.guidance})
    if chosen == Start.LAST_CYCLE and last is not None:
        initial.update(INJECTIONS.initial((i.muscle, i.side, i.units)
                                          for i in last.injections.all()))
        notes.append(f"Product, guidance and muscles with their units as in the last cycle, "
                     f"of {date_long(last.given_on)}.")
    elif chosen == Start.CONFIRMED_MUSCLES and has_muscles:
        initial.update(INJECTIONS.initial({"muscle": m.muscle, "side": m.side}
                                          for m in examination.muscles.all()))
        notes.append(f"Muscles confirmed at the examination of "
                     f"{date_long(examination.examined_on)}: enter the units for each.")
    product = initial.get("product")
    batch = _batch_in_use(site_id=site_id, product=product, day=day) if product else None
    if batch is not None:
        initial.update({"batch_number": batch.batch_number,
                        "batch_expires_on": batch.batch_expires_on})
        notes.append("Batch and expiry as recorded for this product at this clinic today.")
    return ClinicEntryStart(initial, chosen, notes, last is not None, has_muscles)


def clinic_cycle_may_record(appointment: Appointment, *, now: dt.datetime | None = None) -> bool:
    """A toxin appointment that has started and is still open (booked, confirmed or
    arrived)."""
    now = now or timezone.now()
    return (appointment.appointment_type == AppointmentType.TOXIN
            and AppointmentStatus.SEEN in _reachable(appointment.status)
            and appointment.starts_at <= now)


def _reachable(status: str) -> set[AppointmentStatus]:
    after = set(STATUS_MOVES.get(AppointmentStatus(status), ()))
    if AppointmentStatus.ARRIVED in after:
        after |= STATUS_MOVES[AppointmentStatus.ARRIVED]
    return after


@transaction.atomic
def clinic_cycle_record(*, appointment: Appointment, given_on: dt.date, product: str,
                        batch_number: str, batch_expires_on: dt.date | None, guidance: str,
                        injector, site, injections: Sequence, notes: str = "",
                        warnings_acknowledged: Sequence[str] = (), warnings_reason: str = "",
                        actor: Actor, now: dt.datetime | None = None) -> ToxinCycle:
    """Record the cycle given at the appointment through the toxin services and mark the
    appointment seen (arrived first, if it was not yet), all or nothing."""
    now = now or timezone.now()
    appointment = Appointment.objects.select_for_update().select_related(
        "session__room", "patient").get(pk=appointment.pk)
    if not clinic_cycle_may_record(appointment, now=now):
        raise ValidationError(f"A cycle is recorded from a toxin clinic appointment that has "
                              f"started and is still open; this one is "
                              f"{appointment.status_label.lower()}.")
    day = appointment_day(appointment)
    if given_on != day:
        raise ValidationError({"given_on": f"The injections of this appointment were given on "
                                           f"its date, {date_long(day)}"})
    if batch_expires_on is None:
        raise ValidationError({"batch_expires_on": "Enter the batch expiry date"})
    cycle = toxin_services.toxin_cycle_create(
        patient=appointment.patient, given_on=given_on, product=product,
        batch_number=batch_number, batch_expires_on=batch_expires_on, guidance=guidance,
        injector=injector, site=site, injections=injections, notes=notes,
        warnings_acknowledged=warnings_acknowledged, warnings_reason=warnings_reason,
        actor=actor)
    if appointment.status != AppointmentStatus.ARRIVED:
        scheduling_services.appointment_status_record(
            appointment=appointment, status=AppointmentStatus.ARRIVED, actor=actor, now=now)
    scheduling_services.appointment_status_record(
        appointment=appointment, status=AppointmentStatus.SEEN, outcome=ClinicOutcome.RECALL,
        reason=f"Toxin cycle recorded ({cycle.total_units} units of {cycle.product})",
        actor=actor, now=now)
    return cycle
