"""The FHIR API's reads of treatments and the pathway: toxin sessions and selective
denervation (Procedure), the toxin given per muscle and side (MedicationAdministration) and
the pathway episodes (EpisodeOfCare). Scoped to the patients the actor may see, audited like
the pages (a read is an entry in the patient's access history, a search page one entry
naming the patients on it), paged by keyset, never OFFSET.

Corrections (ADR 0009) as for Observations: a version an amendment replaced is not served
(reading it answers 410 naming the current version); an entry marked in error stays
readable, with the status `entered-in-error`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from collis.core.audit import Actor, audit_record, audit_record_many
from collis.core.models import AuditAction, RecordStatus
from collis.fhir_api import codes
from collis.fhir_api.outcomes import FhirError, invalid, not_found
from collis.fhir_api.search import SearchRequest, Token
from collis.fhir_api.selectors import Rows, _date_filter, _keyset, _one, _uuid_ids
from collis.patients.models import Patient

TOXIN_PROCEDURE = "toxin"
SD_PROCEDURE = "sd"
INJECTION = "injection"
# The FHIR status of a correctable entry (EventStatus and the MedicationAdministration
# status share these two codes) -> the record status behind it.
EVENT_STATUS = {"completed": RecordStatus.CURRENT,
                "entered-in-error": RecordStatus.ENTERED_IN_ERROR}


def prefixed_pk(resource_id: str, prefix: str) -> int | None:
    """The primary key in an id such as "toxin-12" (None when it is not of that form)."""
    head, _, pk = resource_id.partition("-")
    return int(pk) if head == prefix and pk.isdigit() else None


def _visible_patients(actor: Actor) -> QuerySet:
    return Patient.objects.visible_to(actor.user)


def _patient_ids(search: SearchRequest) -> list[list]:
    return [_uuid_ids([Token(None, i) for i in ids]) for ids in search.values("patient")]


def _statuses(tokens: list[Token]) -> list[str]:
    return [EVENT_STATUS[t.code] for t in tokens if t.code in EVENT_STATUS]


def _current_or_gone(queryset: QuerySet, pk: int, resource_id: str, resource_type: str,
                     successor_id: Callable[[object], str]):
    """The entry (current or entered in error), 410 if an amendment replaced it, 404 if the
    actor may not see it or it does not exist."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise not_found(f"{resource_type}/{resource_id}: no {resource_type} has this id.")
    if found.record_status == RecordStatus.AMENDED:
        raise FhirError(410, "deleted", f"{resource_type}/{resource_id} was amended; the "
                        f"current version is {resource_type}/{successor_id(found)}.")
    return found


def _latest(record):
    """The current version of an amended record (amendments may be amended again)."""
    while record.record_status == RecordStatus.AMENDED:
        record = record.superseded_by
    return record


def _audit_page(actor: Actor, search: SearchRequest, rows: list, *, object_type: str,
                summary: str, patient=lambda row: row.patient) -> None:
    patients = {}
    for row in rows:
        found = patient(row)
        patients[found.pk] = found.nhs_number
    if patients:
        audit_record_many(actor=actor, action=AuditAction.SEARCH, object_type=object_type,
                          patients=list(patients.items()), summary=summary,
                          details={"query": actor.path, "cursor": search.cursor,
                                   "resources": len(rows)})


# --- Procedure --------------------------------------------------------------------------

def _toxin_cycles(actor: Actor) -> QuerySet:
    from collis.treatments.models import ToxinCycle

    return (ToxinCycle.objects.filter(patient__in=_visible_patients(actor))
            .select_related("patient", "injector", "site", "created_by"))


def _operations(actor: Actor) -> QuerySet:
    from collis.outcomes.models import NerveDivision, Operation

    return (Operation.objects.filter(patient__in=_visible_patients(actor))
            .select_related("patient", "surgeon", "site", "created_by")
            .prefetch_related(Prefetch("divisions",
                                       queryset=NerveDivision.objects.order_by("position"))))


def fhir_procedure_read(*, procedure_id: str, actor: Actor):
    """A toxin session ("toxin-<cycle>") or a selective denervation ("sd-<operation>"), as
    a ToxinCycle or an Operation; the read is audited in the patient's access history."""
    if (pk := prefixed_pk(procedure_id, TOXIN_PROCEDURE)) is not None:
        cycle = _current_or_gone(_toxin_cycles(actor), pk, procedure_id, "Procedure",
                                 lambda c: f"{TOXIN_PROCEDURE}-{_latest(c).pk}")
        audit_record(actor=actor, action=AuditAction.VIEW, object_type="toxin_cycle",
                     object_id=cycle.pk, patient_id=cycle.patient_id,
                     summary=f"Viewed the toxin cycle of {cycle.given_on.isoformat()} (FHIR)")
        return cycle
    if (pk := prefixed_pk(procedure_id, SD_PROCEDURE)) is not None:
        operation = _current_or_gone(_operations(actor), pk, procedure_id, "Procedure",
                                     lambda o: f"{SD_PROCEDURE}-{_latest(o).pk}")
        audit_record(actor=actor, action=AuditAction.VIEW, object_type="operation",
                     object_id=operation.pk, patient_id=operation.patient_id,
                     summary=f"Viewed the operation note of episode {operation.episode_id} "
                             "(FHIR)")
        return operation
    raise not_found(f"Procedure/{procedure_id}: no Procedure has this id.")


def _procedure_kinds(tokens: list[Token]) -> set[str]:
    """The kinds of Procedure a `code` value asks for (Collis's code or an SD OPCS-4 code)."""
    kinds = set()
    for token in tokens:
        if token.system in (None, "", codes.COLLIS_PROCEDURE_SYSTEM):
            if token.code == "botulinum-toxin-injection":
                kinds.add(TOXIN_PROCEDURE)
            elif token.code == "selective-denervation":
                kinds.add(SD_PROCEDURE)
        if (token.system in (None, "", codes.OPCS4_SYSTEM)
                and token.code in codes.SD_OPCS4_CODES):
            kinds.add(SD_PROCEDURE)
    return kinds


def _keyset_union(sources: list[tuple[str, QuerySet]], search: SearchRequest) -> Rows:
    """A page across several tables, each walked by keyset on its primary key in turn; the
    cursor is "<prefix>-<last pk>"."""
    prefixes = [prefix for prefix, _ in sources]
    start, after = None, 0
    if search.cursor:
        head, _, pk = search.cursor.partition("-")
        if head not in prefixes or not pk.isdigit():
            raise invalid("_cursor: not a cursor this server gave; start the search "
                          "again.", "_cursor")
        start, after = head, int(pk)
    rows: list = []
    for prefix, queryset in sources:
        if start is not None and prefixes.index(prefix) < prefixes.index(start):
            continue
        if prefix == start:
            queryset = queryset.filter(pk__gt=after)
        wanted = search.count + 1 - len(rows)
        if wanted <= 0:
            break
        rows += [(prefix, row) for row in queryset.order_by("pk")[:wanted]]
    more = len(rows) > search.count
    rows = rows[:search.count]
    cursor = f"{rows[-1][0]}-{rows[-1][1].pk}" if more else ""
    return Rows([row for _, row in rows], cursor)


def fhir_procedure_search(*, search: SearchRequest, actor: Actor) -> Rows:
    """A page of Procedures: the toxin sessions, then the selective denervations, each by
    keyset; one audit entry naming the patients on it."""
    cycles = _toxin_cycles(actor).exclude(record_status=RecordStatus.AMENDED)
    operations = _operations(actor).exclude(record_status=RecordStatus.AMENDED)
    for tokens in search.values("_id"):
        cycles = cycles.filter(pk__in=[prefixed_pk(t.code, TOXIN_PROCEDURE) for t in tokens])
        operations = operations.filter(pk__in=[prefixed_pk(t.code, SD_PROCEDURE)
                                               for t in tokens])
    for ids in _patient_ids(search):
        cycles = cycles.filter(patient_id__in=ids)
        operations = operations.filter(patient_id__in=ids)
    for tokens in search.values("code"):
        kinds = _procedure_kinds(tokens)
        cycles = cycles if TOXIN_PROCEDURE in kinds else cycles.none()
        operations = operations if SD_PROCEDURE in kinds else operations.none()
    for tokens in search.values("status"):
        cycles = cycles.filter(record_status__in=_statuses(tokens))
        operations = operations.filter(record_status__in=_statuses(tokens))
    for value in search.values("date"):
        cycles = cycles.filter(_date_filter("given_on", value))
        operations = operations.filter(_date_filter("operated_on", value))
    page = _keyset_union([(TOXIN_PROCEDURE, cycles), (SD_PROCEDURE, operations)], search)
    _audit_page(actor, search, page.rows, object_type="procedure",
                summary="Procedures appeared in FHIR search results")
    return page


# --- MedicationAdministration -----------------------------------------------------------

def _injections(actor: Actor) -> QuerySet:
    from collis.treatments.models import ToxinInjection

    return (ToxinInjection.objects.filter(cycle__patient__in=_visible_patients(actor))
            .select_related("cycle__patient", "cycle__injector"))


def fhir_medication_administration_read(*, administration_id: str, actor: Actor):
    """One injection row of a toxin cycle ("injection-<pk>"), audited. The injections of a
    cycle an amendment replaced are 410, naming the amended cycle's Procedure."""
    pk = prefixed_pk(administration_id, INJECTION)
    injection = _injections(actor).filter(pk=pk).first() if pk is not None else None
    if injection is None:
        raise not_found(f"MedicationAdministration/{administration_id}: no "
                        "MedicationAdministration has this id.")
    cycle = injection.cycle
    if cycle.record_status == RecordStatus.AMENDED:
        raise FhirError(410, "deleted", f"MedicationAdministration/{administration_id} "
                        "belongs to a toxin session that was amended; the current version "
                        f"is Procedure/{TOXIN_PROCEDURE}-{_latest(cycle).pk}.")
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="toxin_injection",
                 object_id=injection.pk, patient_id=cycle.patient_id,
                 summary=f"Viewed a toxin injection of {cycle.given_on.isoformat()} (FHIR)")
    return injection


def fhir_medication_administration_search(*, search: SearchRequest, actor: Actor) -> Rows:
    """A page of toxin injections (one per muscle and side), by keyset on the injection."""
    injections = _injections(actor).exclude(cycle__record_status=RecordStatus.AMENDED)
    for tokens in search.values("_id"):
        injections = injections.filter(pk__in=[prefixed_pk(t.code, INJECTION) for t in tokens])
    for ids in _patient_ids(search):
        injections = injections.filter(cycle__patient_id__in=ids)
    for tokens in search.values("code"):
        injections = injections.filter(product_filter(tokens, "cycle__product"))
    for tokens in search.values("status"):
        injections = injections.filter(cycle__record_status__in=_statuses(tokens))
    for value in search.values("effective-time"):
        injections = injections.filter(_date_filter("cycle__given_on", value))
    page = _keyset(injections, search, int)
    _audit_page(actor, search, page.rows, object_type="toxin_injection",
                summary="Toxin injections appeared in FHIR search results",
                patient=lambda injection: injection.cycle.patient)
    return page


def product_filter(tokens: list[Token], field: str) -> Q:
    """The toxin products a `code` value names, in Collis's product system."""
    return Q(**{f"{field}__in": [t.code for t in tokens if t.system in (
        None, "", codes.COLLIS_TOXIN_PRODUCT_SYSTEM)]})


# --- EpisodeOfCare ----------------------------------------------------------------------

def _episodes(actor: Actor) -> QuerySet:
    from collis.surgery.models import Episode, EpisodeStatus

    return (Episode.objects.visible_to(actor.user)
            .select_related("patient", "surgeon")
            .prefetch_related(Prefetch("statuses",
                                       queryset=EpisodeStatus.objects.order_by("at", "id"))))


def fhir_episode_of_care_read(*, episode_id: str, actor: Actor):
    """One pathway episode with its status history, audited."""
    episode = _one(_episodes(actor), "EpisodeOfCare", episode_id)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="episode",
                 object_id=episode.pk, patient_id=episode.patient_id,
                 summary=f"Viewed pathway episode {episode.pk} (FHIR)")
    return episode


def fhir_episode_of_care_search(*, search: SearchRequest, actor: Actor) -> Rows:
    from collis.fhir_api.mappers_records import EPISODE_STATUS

    episodes = _episodes(actor)
    for tokens in search.values("_id"):
        episodes = episodes.filter(pk__in=[int(t.code) for t in tokens if t.code.isdigit()])
    for ids in _patient_ids(search):
        episodes = episodes.filter(patient_id__in=ids)
    for tokens in search.values("status"):
        wanted = {t.code for t in tokens}
        episodes = episodes.filter(state__in=[state.value for state, status
                                              in EPISODE_STATUS.items() if status in wanted])
    for value in search.values("date"):
        episodes = episodes.filter(_date_filter("opened_at", value))
    page = _keyset(episodes, search, int)
    _audit_page(actor, search, page.rows, object_type="episode",
                summary="Pathway episodes appeared in FHIR search results")
    return page


def fhir_service_request_read(*, request_id: str, actor: Actor):
    """The referral of a pathway episode (its id is the episode's), audited."""
    episode = _one(_episodes(actor), "ServiceRequest", request_id)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="referral",
                 object_id=episode.pk, patient_id=episode.patient_id,
                 summary=f"Viewed the referral of pathway episode {episode.pk} (FHIR)")
    return episode


def fhir_service_request_search(*, search: SearchRequest, actor: Actor) -> Rows:
    """A page of referrals, by keyset on their episodes; one audit entry naming the
    patients on it."""
    from collis.domain.pathway import TERMINAL, State

    episodes = _episodes(actor)
    for tokens in search.values("_id"):
        episodes = episodes.filter(pk__in=[int(t.code) for t in tokens if t.code.isdigit()])
    for ids in _patient_ids(search):
        episodes = episodes.filter(patient_id__in=ids)
    for tokens in search.values("status"):
        wanted = {t.code for t in tokens}
        states = {"completed": {State.DISCHARGED},
                  "revoked": TERMINAL - {State.DISCHARGED},
                  "active": set(State) - TERMINAL}
        episodes = episodes.filter(state__in=[state.value for status in wanted
                                              for state in states.get(status, ())])
    for value in search.values("authored"):
        episodes = episodes.filter(_date_filter("referral_received_on", value))
    page = _keyset(episodes, search, int)
    _audit_page(actor, search, page.rows, object_type="referral",
                summary="Referrals appeared in FHIR search results")
    return page


@dataclass
class PatientRecords:
    """The treatments and episodes of one patient, for `Patient/{id}/$everything`."""

    procedures: list
    administrations: list
    episodes: list


def fhir_patient_records(*, patient: Patient, actor: Actor) -> PatientRecords:
    """The patient's Procedures, MedicationAdministrations and EpisodeOfCares (the patient
    was read, scoped and audited, by `fhir_patient_everything`; the caller audits)."""
    cycles = list(_toxin_cycles(actor).filter(patient=patient)
                  .exclude(record_status=RecordStatus.AMENDED).order_by("pk"))
    operations = list(_operations(actor).filter(patient=patient)
                      .exclude(record_status=RecordStatus.AMENDED).order_by("pk"))
    injections = list(_injections(actor).filter(cycle__patient=patient)
                      .exclude(cycle__record_status=RecordStatus.AMENDED).order_by("pk"))
    return PatientRecords(procedures=cycles + operations, administrations=injections,
                          episodes=list(_episodes(actor).filter(patient=patient).order_by("pk")))
