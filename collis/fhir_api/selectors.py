"""The FHIR API's reads, scoped to who asks and audited like the pages: a patient read goes
through `patient_get` (one audit entry per request), a search page writes one entry naming
every patient on it. Searches walk their rows by keyset on the primary key (`_cursor` is the
last id of the page before), never by OFFSET, so a page costs the same wherever it is."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.db.models import Q, QuerySet

from collis.core.audit import Actor, audit_record, audit_record_many
from collis.core.models import AccountType, AuditAction, Organisation, RecordStatus, User
from collis.fhir_api import codes
from collis.fhir_api.outcomes import FhirError, invalid, not_found
from collis.fhir_api.search import DateRange, SearchRequest, Token
from collis.patients.models import Patient, PatientNameToken, is_unit_staff, name_key
from collis.patients.selectors import patient_get
from collis.sites.models import Site

PRACTITIONER_ROLES = codes.PRACTITIONER_ROLES


@dataclass
class Rows:
    """One page of a search: its rows and the cursor of the next page ("" if none)."""

    rows: list
    next_cursor: str = ""


def _keyset(queryset: QuerySet, search: SearchRequest, parse_pk) -> Rows:
    if search.cursor:
        try:
            after = parse_pk(search.cursor)
        except (ValueError, TypeError):
            raise invalid("_cursor: not a cursor this server gave; start the search "
                          "again.", "_cursor") from None
        queryset = queryset.filter(pk__gt=after)
    rows = list(queryset.order_by("pk")[:search.count + 1])
    more = len(rows) > search.count
    rows = rows[:search.count]
    return Rows(rows, str(rows[-1].pk) if more else "")


def _date_filter(field: str, value: DateRange) -> Q:
    lo, hi = value.lo, value.hi
    return {
        "eq": Q(**{f"{field}__gte": lo, f"{field}__lt": hi}),
        "ge": Q(**{f"{field}__gte": lo}),
        "gt": Q(**{f"{field}__gte": hi}),
        "lt": Q(**{f"{field}__lt": lo}),
        "le": Q(**{f"{field}__lt": hi}),
    }[value.prefix]


def _any_of(tokens: list[Token], match) -> Q:
    """OR of the comma-separated values of one token parameter."""
    found = Q(pk__in=[])
    for token in tokens:
        found |= match(token)
    return found


def _uuid_ids(tokens: list[Token]) -> list[uuid.UUID]:
    ids = []
    for token in tokens:
        try:
            ids.append(uuid.UUID(token.code))
        except ValueError:
            continue  # an id that is not ours matches nobody
    return ids


def fhir_patient_read(*, patient_id: str, actor: Actor) -> Patient:
    """The patient, scoped and audited (`patient_get`); 404 as if absent otherwise."""
    from django.http import Http404

    try:
        return patient_get(patient_id=patient_id, actor=actor)
    except Http404:
        raise not_found(f"Patient/{patient_id}: no patient has this id.") from None


def _nhs_number_match(token: Token) -> Q:
    if token.system not in (None, "", codes.NHS_NUMBER_SYSTEM):
        return Q(pk__in=[])  # Collis holds no other identifier of patients
    return Q(nhs_number=token.code.replace(" ", ""))


def fhir_patient_search(*, search: SearchRequest, actor: Actor) -> Rows:
    """A page of the patients the actor may see that match, in id order; the page is
    recorded in the audit log as one search naming each patient on it."""
    patients = Patient.objects.visible_to(actor.user)
    for tokens in search.values("_id"):
        patients = patients.filter(pk__in=_uuid_ids(tokens))
    for tokens in search.values("identifier"):
        patients = patients.filter(_any_of(tokens, _nhs_number_match))
    for tokens in search.values("gender"):
        patients = patients.filter(sex__in=[t.code for t in tokens])
    for text in search.values("name"):
        # Each word must begin one of the patient's names (the registry's name index).
        for word in text.replace(",", " ").split():
            key = name_key(word)
            if not key:
                raise invalid(f"name: '{text}' has no letters to search for.", "name")
            patients = patients.filter(pk__in=PatientNameToken.objects.visible_to(actor.user)
                                       .matching(key).values("patient_id"))
    for value in search.values("birthdate"):
        patients = patients.filter(_date_filter("date_of_birth", value))
    for value in search.values("_lastUpdated"):
        patients = patients.filter(_date_filter("updated_at", value))
    page = _keyset(patients, search, uuid.UUID)
    if page.rows:
        audit_record_many(
            actor=actor, action=AuditAction.SEARCH, object_type="patient",
            patients=[(p.pk, p.nhs_number) for p in page.rows],
            summary="Patient appeared in FHIR search results",
            details={"query": actor.path, "cursor": search.cursor})
    return page


def _unit_id(actor: Actor) -> int | None:
    return actor.user.organisation_id if is_unit_staff(actor.user) else None


def _int_id(resource_type: str, resource_id: str) -> int:
    if not resource_id.isdigit():
        raise not_found(f"{resource_type}/{resource_id}: no {resource_type} has this id.")
    return int(resource_id)


def _one(queryset: QuerySet, resource_type: str, resource_id: str):
    """The row of `queryset` (already scoped to the actor) whose integer key is the FHIR
    id, or a 404 naming the resource type."""
    found = queryset.filter(pk=_int_id(resource_type, resource_id)).first()
    if found is None:
        raise not_found(f"{resource_type}/{resource_id}: no {resource_type} has this id.")
    return found


def _organisations(actor: Actor) -> QuerySet:
    return Organisation.objects.filter(pk=_unit_id(actor))


def fhir_organisation_read(*, organisation_id: str, actor: Actor) -> Organisation:
    """The actor's own unit (others are not confirmed to exist)."""
    return _one(_organisations(actor), "Organization", organisation_id)


def _identifier_match(systems: dict[str, str]):
    """A token matcher over identifier columns by system ({system: field}); a code without
    a system matches any of them, an unknown system nothing."""
    def match(token: Token) -> Q:
        if token.system in (None, ""):
            found = Q(pk__in=[])
            for field in systems.values():
                found |= Q(**{field: token.code})
            return found
        field = systems.get(token.system)
        return Q(**{field: token.code}) if field else Q(pk__in=[])
    return match


def _common_filters(queryset: QuerySet, search: SearchRequest, *,
                    systems: dict[str, str], name_field: str) -> QuerySet:
    for tokens in search.values("_id"):
        queryset = queryset.filter(pk__in=[int(t.code) for t in tokens if t.code.isdigit()])
    for tokens in search.values("identifier"):
        queryset = queryset.filter(_any_of(tokens, _identifier_match(systems)))
    for text in search.values("name"):
        queryset = queryset.filter(**{f"{name_field}__icontains": text})
    return queryset


def fhir_organisation_search(*, search: SearchRequest, actor: Actor) -> Rows:
    organisations = _common_filters(
        _organisations(actor), search, name_field="name",
        systems={codes.ODS_ORGANISATION_SYSTEM: "ods_code",
                 codes.COLLIS_ORGANISATION_CODE_SYSTEM: "code"})
    return _keyset(organisations, search, int)


def _sites(actor: Actor) -> QuerySet:
    return Site.objects.filter(organisation_id=_unit_id(actor))


def fhir_location_read(*, location_id: str, actor: Actor) -> Site:
    return _one(_sites(actor), "Location", location_id)


def fhir_location_search(*, search: SearchRequest, actor: Actor) -> Rows:
    sites = _common_filters(_sites(actor), search, name_field="name",
                            systems={codes.COLLIS_SITE_CODE_SYSTEM: "code"})
    for tokens in search.values("status"):
        wanted = {t.code for t in tokens}
        sites = sites.filter(is_active__in=[code == "active" for code in wanted
                                            if code in ("active", "inactive")])
    return _keyset(sites, search, int)


def _practitioners(actor: Actor) -> QuerySet:
    return User.objects.filter(organisation_id=_unit_id(actor),
                               account_type=AccountType.STAFF, role__in=PRACTITIONER_ROLES)


def fhir_practitioner_read(*, user_id: str, actor: Actor, resource_type: str) -> User:
    found = _practitioners(actor).filter(pk=_int_id(resource_type, user_id)).first()
    if found is None:
        raise not_found(f"{resource_type}/{user_id}: no {resource_type} has this id.")
    return found


def fhir_practitioner_search(*, search: SearchRequest, actor: Actor) -> Rows:
    users = _practitioners(actor)
    for tokens in search.values("_id"):
        users = users.filter(pk__in=[int(t.code) for t in tokens if t.code.isdigit()])
    for tokens in search.values("identifier"):
        users = users.filter(professional_registration__in=[t.code for t in tokens])
    for text in search.values("name"):
        for word in text.split():
            users = users.filter(Q(first_name__istartswith=word)
                                 | Q(last_name__istartswith=word))
    for tokens in search.values("role"):
        users = users.filter(role__in=[t.code for t in tokens])
    return _keyset(users, search, int)


def _scale_assessments(actor: Actor) -> QuerySet:
    """The rating-scale assessments of the patients the actor may see, except versions an
    amendment replaced (those are history; the amendment is the Observation)."""
    from collis.assessments.models import ScaleAssessment

    return (ScaleAssessment.objects
            .filter(patient__in=Patient.objects.visible_to(actor.user))
            .exclude(record_status=RecordStatus.AMENDED)
            .select_related("created_by", "patient"))


def fhir_observation_read(*, observation_id: str, actor: Actor):
    """One rating-scale Observation ("scale-<pk>"); the read is audited in the patient's
    access history. A version an amendment replaced is 410 Gone, naming its successor."""
    from collis.assessments.models import ScaleAssessment

    prefix, _, pk = observation_id.partition("-")
    if prefix != "scale" or not pk.isdigit():
        raise not_found(f"Observation/{observation_id}: no Observation has this id.")
    visible = ScaleAssessment.objects.filter(
        patient__in=Patient.objects.visible_to(actor.user), pk=int(pk))
    assessment = _scale_assessments(actor).filter(pk=int(pk)).first()
    if assessment is None:
        replaced = visible.filter(record_status=RecordStatus.AMENDED).first()
        if replaced is None:
            raise not_found(f"Observation/{observation_id}: no Observation has this id.")
        successor = replaced.superseded_by
        raise FhirError(410, "deleted", f"Observation/{observation_id} was amended; the "
                        f"current version is Observation/scale-{successor.pk}.")
    audit_record(actor=actor, action=AuditAction.VIEW,
                 object_type=f"scale_{assessment.scale}", object_id=assessment.pk,
                 patient_id=assessment.patient_id,
                 summary=f"Viewed a {assessment.get_scale_display()} assessment of "
                         f"{assessment.patient.nhs_number} (FHIR)")
    return assessment


_OBSERVATION_STATUS = {"final": RecordStatus.CURRENT, "amended": RecordStatus.CURRENT,
                       "entered-in-error": RecordStatus.ENTERED_IN_ERROR}


def fhir_observation_search(*, search: SearchRequest, actor: Actor) -> Rows:
    """A page of rating-scale Observations; one audit entry naming the patients on it."""
    assessments = _scale_assessments(actor)
    for tokens in search.values("_id"):
        assessments = assessments.filter(pk__in=[
            int(t.code[6:]) for t in tokens
            if t.code.startswith("scale-") and t.code[6:].isdigit()])
    for ids in search.values("patient"):
        assessments = assessments.filter(patient_id__in=_uuid_ids([Token(None, i)
                                                                   for i in ids]))
    for tokens in search.values("code"):
        wanted = [t.code for t in tokens
                  if t.system in (None, "", codes.COLLIS_RATING_SCALE_SYSTEM)
                  and t.code in ("twstrs-total", "tsui-total")]
        assessments = assessments.filter(scale__in=[code.split("-")[0] for code in wanted])
    for tokens in search.values("status"):
        statuses = [t.code for t in tokens]
        found = Q(pk__in=[])
        for status in statuses:
            if status in _OBSERVATION_STATUS:
                amended = Q(supersedes__isnull=status == "final")
                found |= Q(record_status=_OBSERVATION_STATUS[status]) & (
                    amended if status in ("final", "amended") else Q())
        assessments = assessments.filter(found)
    for value in search.values("date"):
        assessments = assessments.filter(_date_filter("assessed_on", value))
    page = _keyset(assessments, search, int)
    patients = {a.patient_id: a.patient.nhs_number for a in page.rows}
    if patients:
        audit_record_many(
            actor=actor, action=AuditAction.SEARCH, object_type="scale",
            patients=list(patients.items()),
            summary="Rating scales appeared in FHIR search results",
            details={"query": actor.path, "cursor": search.cursor,
                     "observations": len(page.rows)})
    return page


@dataclass
class PatientCompartment:
    """Everything the API serves about one patient (`Patient/{id}/$everything`)."""

    patient: Patient
    organisation: Organisation
    conditions: list
    observations: list
    # Treatments, pathway episodes and appointments (selectors_records, selectors_scheduling).
    procedures: list = dataclass_field(default_factory=list)
    administrations: list = dataclass_field(default_factory=list)
    episodes: list = dataclass_field(default_factory=list)
    appointments: list = dataclass_field(default_factory=list)
    # Consents and documents (selectors_documents).
    consents: list = dataclass_field(default_factory=list)
    documents: list = dataclass_field(default_factory=list)
    # The questionnaires the patient sent (selectors_questionnaires).
    questionnaire_responses: list = dataclass_field(default_factory=list)


def fhir_patient_everything(*, patient_id: str, actor: Actor) -> PatientCompartment:
    """The patient, their unit and their clinical resources, scoped; audited as a view of
    the patient and one entry for the record read with it."""
    patient = fhir_patient_read(patient_id=patient_id, actor=actor)
    conditions = list(_current_diagnoses(actor).filter(patient=patient))
    observations = list(_scale_assessments(actor).filter(patient=patient).order_by("pk"))
    from collis.fhir_api.selectors_records import fhir_patient_records
    from collis.fhir_api.selectors_scheduling import fhir_patient_appointments

    records = fhir_patient_records(patient=patient, actor=actor)
    appointments = fhir_patient_appointments(patient=patient, actor=actor)
    from collis.fhir_api.selectors_documents import fhir_patient_consents, fhir_patient_documents

    consents = fhir_patient_consents(patient=patient, actor=actor)
    documents = fhir_patient_documents(patient=patient, actor=actor)
    from collis.fhir_api.selectors_questionnaires import fhir_patient_questionnaire_responses

    responses = fhir_patient_questionnaire_responses(patient=patient, actor=actor)
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="fhir_everything",
                 object_id=patient.pk, patient_id=patient.pk,
                 summary=f"Read the whole FHIR record of {patient.nhs_number}",
                 details={"conditions": len(conditions), "observations": len(observations),
                          "procedures": len(records.procedures),
                          "medication_administrations": len(records.administrations),
                          "episodes": len(records.episodes),
                          "appointments": len(appointments), "consents": len(consents),
                          "documents": len(documents),
                          "questionnaire_responses": len(responses)})
    return PatientCompartment(patient=patient,
                              organisation=Organisation.objects.get(pk=patient.organisation_id),
                              conditions=conditions, observations=observations,
                              procedures=records.procedures,
                              administrations=records.administrations,
                              episodes=records.episodes, appointments=appointments,
                              consents=consents, documents=documents,
                              questionnaire_responses=responses)


def _current_diagnoses(actor: Actor) -> QuerySet:
    """The current (latest) diagnosis version of each patient the actor may see."""
    from django.db.models import OuterRef, Subquery

    from collis.assessments.models import DiagnosisVersion

    latest = (DiagnosisVersion.objects.filter(patient=OuterRef("patient"))
              .order_by("-version").values("version")[:1])
    return (DiagnosisVersion.objects
            .filter(patient__in=Patient.objects.visible_to(actor.user),
                    version=Subquery(latest))
            .select_related("created_by", "patient"))


def _audit_condition_read(actor: Actor, version) -> None:
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="diagnosis",
                 object_id=version.pk, patient_id=version.patient_id,
                 summary=f"Viewed the diagnosis of {version.patient.nhs_number} (FHIR)")


def fhir_condition_read(*, condition_id: str, actor: Actor):
    """The patient's current diagnosis ("dystonia-<patient id>"), scoped and audited."""
    prefix, _, patient_id = condition_id.partition("-")
    ids = _uuid_ids([Token(None, patient_id)]) if prefix == "dystonia" else []
    version = _current_diagnoses(actor).filter(patient_id__in=ids).first() if ids else None
    if version is None:
        raise not_found(f"Condition/{condition_id}: no Condition has this id.")
    _audit_condition_read(actor, version)
    return version


def fhir_condition_search(*, search: SearchRequest, actor: Actor) -> Rows:
    """A page of Conditions, by keyset on the patient's id; one audit entry naming the
    patients on it."""
    diagnoses = _current_diagnoses(actor)
    for tokens in search.values("_id"):
        diagnoses = diagnoses.filter(patient_id__in=_uuid_ids(
            [Token(None, t.code.removeprefix("dystonia-")) for t in tokens
             if t.code.startswith("dystonia-")]))
    for ids in search.values("patient"):
        diagnoses = diagnoses.filter(patient_id__in=_uuid_ids([Token(None, i) for i in ids]))
    for tokens in search.values("category"):
        found = Q(pk__in=[])
        for token in tokens:
            if token.system not in (None, "", codes.COLLIS_CLASSIFICATION_SYSTEM):
                continue
            axis, _, value = token.code.partition(".")
            if axis in codes.CLASSIFICATION_AXES:
                found |= Q(**{axis: value})
        diagnoses = diagnoses.filter(found)
    for value in search.values("recorded-date"):
        diagnoses = diagnoses.filter(_date_filter("created_at", value))
    if search.cursor:
        try:
            diagnoses = diagnoses.filter(patient_id__gt=uuid.UUID(search.cursor))
        except ValueError:
            raise invalid("_cursor: not a cursor this server gave; start the search "
                          "again.", "_cursor") from None
    rows = list(diagnoses.order_by("patient_id")[:search.count + 1])
    page = Rows(rows[:search.count],
                str(rows[search.count - 1].patient_id) if len(rows) > search.count else "")
    if page.rows:
        audit_record_many(
            actor=actor, action=AuditAction.SEARCH, object_type="diagnosis",
            patients=[(v.patient_id, v.patient.nhs_number) for v in page.rows],
            summary="Diagnoses appeared in FHIR search results",
            details={"query": actor.path, "cursor": search.cursor})
    return page
