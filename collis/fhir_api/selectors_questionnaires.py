"""The FHIR API's reads of patient-reported questionnaires: the questionnaires kept as data
(Questionnaire: no patient data, served like the code systems, not audited) and the answers
patients sent (QuestionnaireResponse), scoped to the patients the actor may see and audited
like the pages (a read is an entry in the patient's access history, a search page one entry
naming the patients on it). Paged by keyset on the primary key, never OFFSET.

Only answers the patient sent are served: a draft they are still filling in is theirs until
they send it (the record's pages do not show it either; ADR 0019)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from collis.core.audit import Actor, audit_record
from collis.core.models import AuditAction
from collis.domain.questionnaires import (
    Questionnaire,
    QuestionnaireError,
    questionnaire_codes,
    questionnaire_load,
)
from collis.fhir_api.codes_documents import COLLIS_QUESTIONNAIRE_BASE, questionnaire_url
from collis.fhir_api.mappers_questionnaires import questionnaire_name
from collis.fhir_api.outcomes import not_found
from collis.fhir_api.search import SearchRequest
from collis.fhir_api.selectors import Rows, _date_filter, _keyset
from collis.fhir_api.selectors_records import _audit_page, _patient_ids
from collis.patients.models import Patient

# --- Questionnaire ----------------------------------------------------------------------


def fhir_questionnaire_read(*, questionnaire_id: str) -> Questionnaire:
    """One questionnaire kept as data, by its code (no patient data: not audited)."""
    if questionnaire_id not in questionnaire_codes():
        raise not_found(f"Questionnaire/{questionnaire_id}: Collis keeps no questionnaire "
                        "with this id.")
    return questionnaire_load(questionnaire_id)


def _canonical(text: str) -> tuple[str, str | None]:
    """A canonical URL and the version after its '|', if any."""
    url, bar, version = text.partition("|")
    return url, (version if bar else None)


def fhir_questionnaire_search(*, search: SearchRequest) -> list[Questionnaire]:
    """The questionnaires kept as data that match (a handful: one page holds them all).
    `url` is the canonical URL (optionally with |version), `name` begins the computable
    name or the title, ignoring case."""
    found = []
    for code in questionnaire_codes():
        try:
            questionnaire = questionnaire_load(code)
        except QuestionnaireError:
            continue  # a definition the domain refuses is not served
        if not all(any(t.code == code for t in tokens) for tokens in search.values("_id")):
            continue
        if not all(_url_matches(text, questionnaire) for text in search.values("url")):
            continue
        if not all(_name_matches(text, questionnaire) for text in search.values("name")):
            continue
        found.append(questionnaire)
    return found


def _url_matches(text: str, questionnaire: Questionnaire) -> bool:
    url, version = _canonical(text)
    return url == questionnaire_url(questionnaire.code) and version in (
        None, questionnaire.version)


def _name_matches(text: str, questionnaire: Questionnaire) -> bool:
    wanted = text.casefold()
    return any(name.casefold().startswith(wanted)
               for name in (questionnaire_name(questionnaire.code), questionnaire.title))


# --- QuestionnaireResponse --------------------------------------------------------------

def _responses(actor: Actor) -> QuerySet:
    """The questionnaires sent by the patients the actor may see."""
    from collis.questionnaires.models import QuestionnaireResponse

    return (QuestionnaireResponse.objects
            .filter(patient__in=Patient.objects.visible_to(actor.user),
                    submitted_at__isnull=False)
            .select_related("patient"))


def fhir_questionnaire_response_read(*, response_id: str, actor: Actor):
    response = (_responses(actor).filter(pk=int(response_id)).first()
                if response_id.isdigit() else None)
    if response is None:
        raise not_found(f"QuestionnaireResponse/{response_id}: no QuestionnaireResponse has "
                        "this id.")
    audit_record(actor=actor, action=AuditAction.VIEW, object_type="questionnaire_response",
                 object_id=response.pk, patient_id=response.patient_id,
                 summary="Viewed a questionnaire the patient sent (patient-reported) (FHIR)")
    return response


def _questionnaire_filter(ids: list[str]) -> Q:
    """Answers to any of the questionnaires named (by id, Questionnaire/<id> or the
    canonical URL, each optionally with |version)."""
    found = Q(pk__in=[])
    for text in ids:
        code, version = _canonical(text)
        code = code.removeprefix(COLLIS_QUESTIONNAIRE_BASE)
        found |= Q(questionnaire=code) & (Q(questionnaire_version=version) if version
                                          else Q())
    return found


def fhir_questionnaire_response_search(*, search: SearchRequest, actor: Actor) -> Rows:
    responses = _responses(actor)
    for tokens in search.values("_id"):
        responses = responses.filter(pk__in=[int(t.code) for t in tokens if t.code.isdigit()])
    for ids in _patient_ids(search):
        responses = responses.filter(patient_id__in=ids)
    for tokens in search.values("status"):
        # Every answer served was sent: completed matches them all, any other status none.
        if not any(t.code == "completed" for t in tokens):
            responses = responses.none()
    for value in search.values("authored"):
        responses = responses.filter(_date_filter("submitted_at", value))
    for ids in search.values("questionnaire"):
        responses = responses.filter(_questionnaire_filter(ids))
    page = _keyset(responses, search, int)
    _audit_page(actor, search, page.rows, object_type="questionnaire_response",
                summary="Questionnaires the patients sent appeared in FHIR search results")
    return page


def fhir_patient_questionnaire_responses(*, patient: Patient, actor: Actor) -> list:
    """The questionnaires the patient sent, oldest first (for `$everything`; the caller
    audits)."""
    return list(_responses(actor).filter(patient=patient).order_by("pk"))
