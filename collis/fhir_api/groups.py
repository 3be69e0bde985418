"""Staff-defined groups of patients (FHIR Group, `Group/{id}/$export`): defining and
editing one (audited, by those with fhir_group_manage), the unit's groups, and who is in a
group now. A group keeps criteria, not members: its patients are the unit's patients the
asker may see who meet every criterion when it is read or exported (ADR 0019, addendum on
groups)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction, RecordStatus
from collis.fhir_api.models import PatientGroup
from collis.fhir_api.outcomes import invalid, not_found
from collis.fhir_api.search import SearchRequest
from collis.patients.models import Patient, is_unit_staff
from collis.sites.models import Site

CRITERIA = ("operated_since", "toxin_site", "toxin_since", "pathway_state")


@dataclass(frozen=True)
class Criteria:
    operated_since: dt.date | None = None
    toxin_site: Site | None = None
    toxin_since: dt.date | None = None
    pathway_state: str = ""


def _described(group: PatientGroup) -> dict:
    return {"name": group.name, "description": group.description,
            "operated_since": group.operated_since.isoformat() if group.operated_since else None,
            "toxin_site": group.toxin_site.code if group.toxin_site else None,
            "toxin_since": group.toxin_since.isoformat() if group.toxin_since else None,
            "pathway_state": group.pathway_state}


def _save(group: PatientGroup, *, name: str, description: str, criteria: Criteria,
          actor: Actor) -> PatientGroup:
    group.name, group.description = name.strip(), description.strip()
    for field in CRITERIA:
        setattr(group, field, getattr(criteria, field))
    if group.toxin_site is not None and group.toxin_site.organisation_id != \
            group.organisation_id:
        raise ValidationError({"toxin_site": "Choose one of the unit's sites."})
    if PatientGroup.objects.filter(organisation_id=group.organisation_id,
                                   name__iexact=group.name).exclude(pk=group.pk).exists():
        raise ValidationError({"name": "The unit already has a group with this name."})
    group.full_clean()
    group.save()
    return group


def group_create(*, name: str, description: str = "", criteria: Criteria,
                 actor: Actor) -> PatientGroup:
    """Define a group of the actor's unit; audited with its criteria."""
    with transaction.atomic():
        group = _save(PatientGroup(organisation_id=actor.user.organisation_id,
                                   created_by=actor.user),
                      name=name, description=description, criteria=criteria, actor=actor)
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="fhir_group",
                     object_id=group.pk, summary=f"Defined the patient group {group.name}",
                     details={"group": _described(group)})
    return group


def group_update(*, group_id: int, name: str, description: str = "", criteria: Criteria,
                 actor: Actor) -> PatientGroup:
    """Change a group's name or criteria; audited with what it was and what it is."""
    with transaction.atomic():
        group = (PatientGroup.objects.select_for_update()
                 .filter(pk=group_id, organisation_id=actor.user.organisation_id).first())
        if group is None:
            raise PatientGroup.DoesNotExist(f"No group of your unit has the id {group_id}.")
        before = _described(group)
        group.updated_at = timezone.now()
        _save(group, name=name, description=description, criteria=criteria, actor=actor)
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="fhir_group",
                     object_id=group.pk, summary=f"Changed the patient group {group.name}",
                     details={"before": before, "after": _described(group)})
    return group


# --- Reads --------------------------------------------------------------------------------

def groups_of_unit(*, actor: Actor) -> QuerySet:
    """The groups of the actor's unit (none for anyone else). A group names no patient, so
    listing or reading one is not audited; its members are, when exported."""
    unit = actor.user.organisation_id if is_unit_staff(actor.user) else None
    return PatientGroup.objects.filter(organisation_id=unit).select_related("toxin_site")


def group_get(*, actor: Actor, group_id: int) -> PatientGroup:
    group = groups_of_unit(actor=actor).filter(pk=group_id).first()
    if group is None:
        raise PatientGroup.DoesNotExist(f"No group of your unit has the id {group_id}.")
    return group


def group_members(group: PatientGroup, actor: Actor) -> QuerySet:
    """The patients of the group now: the unit's patients the actor may see who meet every
    criterion (current entries only: an amended or entered-in-error operation or toxin
    session does not count)."""
    from collis.outcomes.models import Operation
    from collis.surgery.models import Episode
    from collis.treatments.models import ToxinCycle

    patients = Patient.objects.visible_to(actor.user).filter(
        organisation_id=group.organisation_id)
    if group.operated_since:
        patients = patients.filter(pk__in=Operation.objects.filter(
            record_status=RecordStatus.CURRENT, operated_on__gte=group.operated_since)
            .values("patient_id"))
    if group.toxin_since:
        cycles = ToxinCycle.objects.filter(record_status=RecordStatus.CURRENT,
                                           given_on__gte=group.toxin_since)
        if group.toxin_site_id:
            cycles = cycles.filter(site_id=group.toxin_site_id)
        patients = patients.filter(pk__in=cycles.values("patient_id"))
    if group.pathway_state:
        patients = patients.filter(pk__in=Episode.objects.filter(
            state=group.pathway_state).values("patient_id"))
    return patients


def group_member_ids(group: PatientGroup, actor: Actor) -> QuerySet:
    """`group_members` as a subquery of patient ids (for an export's filters)."""
    return group_members(group, actor).values("pk")


# --- FHIR ---------------------------------------------------------------------------------

def fhir_group_read(*, group_id: str, actor: Actor) -> tuple[PatientGroup, int]:
    """The group and how many patients it has now; 404 for another unit's or none."""
    if not group_id.isdigit():
        raise not_found(f"Group/{group_id}: no Group has this id.")
    group = groups_of_unit(actor=actor).filter(pk=int(group_id)).first()
    if group is None:
        raise not_found(f"Group/{group_id}: no Group has this id.")
    return group, group_counts([group], actor)[0]


def fhir_group_search(*, search: SearchRequest, actor: Actor) -> tuple[list, str]:
    """A page of the unit's groups by keyset on id, each with its count of patients."""
    found = groups_of_unit(actor=actor)
    for tokens in search.values("_id"):
        found = found.filter(pk__in=[int(t.code) for t in tokens if t.code.isdigit()])
    for text in search.values("name"):
        found = found.filter(name__icontains=text)
    if search.cursor:
        if not search.cursor.isdigit():
            raise invalid("_cursor: not a cursor this server gave; start the search "
                          "again.", "_cursor")
        found = found.filter(pk__gt=int(search.cursor))
    rows = list(found.order_by("pk")[:search.count + 1])
    more = len(rows) > search.count
    rows = rows[:search.count]
    return list(zip(rows, group_counts(rows, actor), strict=True)), (
        str(rows[-1].pk) if more else "")


def group_counts(groups: list[PatientGroup], actor: Actor) -> list[int]:
    """How many patients each group has now, in one query whatever the number of groups
    (a conditional count per group over the patients the actor may see)."""
    if not groups:
        return []
    counts = Patient.objects.visible_to(actor.user).aggregate(**{
        f"g{group.pk}": Count("pk", filter=Q(pk__in=group_member_ids(group, actor)))
        for group in groups})
    return [counts[f"g{group.pk}"] for group in groups]
