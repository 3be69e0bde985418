"""Patient-reported questionnaires as FHIR R4 resources (STYLE.md habit 9: the API maps; it
does not decide): each questionnaire kept as data (`collis.domain.questionnaires`,
collis/domain/data/questionnaires/*.json) as a Questionnaire at its canonical URL, and the
answers a patient sent as a QuestionnaireResponse. The mappers read no database; the
questionnaire definitions are the domain's data files."""

from __future__ import annotations

from functools import lru_cache

from collis.domain.questionnaires import Questionnaire, QuestionnaireError, questionnaire_load
from collis.fhir_api import codes_documents as doc_codes
from collis.fhir_api.mappers import _drop_empty, _instant, _meta, reference


@lru_cache(maxsize=16)
def _definition(code: str) -> Questionnaire | None:
    """The questionnaire kept as data under this code (None if the unit no longer keeps
    it: the answers are still served, without the questions' wording)."""
    try:
        return questionnaire_load(code)
    except QuestionnaireError:
        return None


def questionnaire_name(code: str) -> str:
    """A computer-friendly name (FHIR's que-0: [A-Z][A-Za-z0-9_]*), "TwstrsPatient"."""
    return "".join(part.capitalize() for part in code.replace("_", "-").split("-") if part)


def _sources(questionnaire: Questionnaire) -> str:
    cited = ", ".join(f"[{number}]" for number in questionnaire.sources)
    return f"{doc_codes.CLINICAL_REFERENCE} {cited}"


def questionnaire_resource(questionnaire: Questionnaire) -> dict:
    """UK Core Questionnaire: the definition as the unit keeps it, at
    `<canonical base>Questionnaire/<code>` with its version. Each question is an item whose
    linkId is the question's code, of type integer with the whole numbers from its low to
    its high end as the answer options (R4's que-5 allows answerOption on integer items, and
    the answers are then valueInteger as the patient gave them). The instrument, its sources
    in the clinical reference, the wording's origin and the scoring are in the description;
    the licence note is the copyright."""
    return _drop_empty({
        "resourceType": "Questionnaire",
        "id": questionnaire.code,
        "meta": _meta("Questionnaire"),
        "url": doc_codes.questionnaire_url(questionnaire.code),
        "version": questionnaire.version,
        "name": questionnaire_name(questionnaire.code),
        "title": questionnaire.title,
        "status": "active",
        "experimental": False,
        "subjectType": ["Patient"],
        "publisher": "Collis",
        "description": (f"{questionnaire.instrument}. Sources: {_sources(questionnaire)}. "
                        f"{questionnaire.wording} Scored by Collis's "
                        f"{questionnaire.scoring.upper()} scorer."),
        "copyright": questionnaire.licence,
        "item": [{
            "linkId": question.code,
            "text": question.text,
            "type": "integer",
            "required": True,
            "answerOption": [{"valueInteger": value} for value in question.values],
        } for question in questionnaire.questions],
    })


def questionnaire_canonical(response) -> str:
    """The questionnaire the answers were given to, as a canonical "url|version"."""
    return (f"{doc_codes.questionnaire_url(response.questionnaire)}"
            f"|{response.questionnaire_version}")


def _items(response) -> list[dict]:
    """The answers by linkId, in the questionnaire's order, with each question's text when
    the version answered is the one the unit keeps (an answer to a question the definition
    no longer has keeps its linkId, after the others)."""
    definition = _definition(response.questionnaire)
    texts = {}
    order: list[str] = []
    if definition is not None:
        order = [q.code for q in definition.questions]
        if definition.version == response.questionnaire_version:
            texts = {q.code: q.text for q in definition.questions}
    answered = response.answers or {}
    codes_in_order = ([code for code in order if code in answered]
                      + sorted(code for code in answered if code not in order))
    return [_drop_empty({"linkId": code, "text": texts.get(code),
                         "answer": [{"valueInteger": int(answered[code])}]})
            for code in codes_in_order]


def questionnaire_response_resource(response) -> dict:
    """UK Core QuestionnaireResponse: the answers a patient sent from the portal (status
    completed; a draft not yet sent is not served, ADR 0019), to the questionnaire's
    canonical url|version, with the patient as subject, author and source, authored when
    they sent it, and each answer a valueInteger under the question's linkId. The scores the
    domain gave are the patient-reported Observation derived from it."""
    patient = reference("Patient", response.patient_id)
    return _drop_empty({
        "resourceType": "QuestionnaireResponse",
        "id": str(response.pk),
        "meta": _meta("QuestionnaireResponse", last_updated=response.submitted_at),
        "questionnaire": questionnaire_canonical(response),
        "status": "completed",
        "subject": patient,
        "authored": _instant(response.submitted_at),
        "author": patient,
        "source": patient,
        "item": _items(response),
    })
