"""Patient search and patient detail through the JSON API, with the pages' role checks and
audit."""

from datetime import date, datetime
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from ninja import Router, Schema
from ninja.errors import HttpError

from collis.core.api import ErrorOut, api_actor, api_patient, api_require
from collis.core.roles import Capability
from collis.patients import selectors
from collis.patients.models import nhs_number_normalise, validate_nhs_number

router = Router(tags=["patients"])


class SiteOut(Schema):
    code: str
    name: str


class PatientSummaryOut(Schema):
    id: UUID
    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    home_site: SiteOut


class PatientOut(PatientSummaryOut):
    address_line_1: str
    address_line_2: str
    town: str
    postcode: str
    phone: str
    email: str
    gp_practice: str
    gp_practice_email: str = ""
    referring_consultant: str
    version: int
    updated_at: datetime


class PatientPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[PatientSummaryOut]


@router.get("", response={200: PatientPageOut, 403: ErrorOut, 422: ErrorOut},
            summary="Search patients by NHS number, name and/or date of birth")
def patient_search(request, q: str = "", dob: date | None = None, page: int = 1):
    """`q` is an NHS number (10 digits) or a name ("Smith", "Jo Smith", "Smith, Jo");
    `dob` a date of birth (YYYY-MM-DD). Each patient returned is recorded in the audit log."""
    api_require(request, Capability.PATIENT_SEARCH)
    if "\x00" in q:
        # PostgreSQL cannot store or compare text with a null character: refuse it here.
        raise HttpError(422, "q: remove the null character from the search.")
    query = selectors.PatientQuery(text=q, date_of_birth=dob)
    if query.is_empty:
        raise HttpError(422, "q or dob: give an NHS number, a name or a date of birth.")
    digits = nhs_number_normalise(q)
    if digits.isdigit():  # an NHS number, or digits meant as one (as the search page)
        try:
            validate_nhs_number(digits)
        except ValidationError as error:
            raise HttpError(422, f"q: {error.messages[0]}") from None
    if query.problem:
        raise HttpError(422, f"q: {query.problem}.")
    if page < 1:
        raise HttpError(422, "page: must be 1 or more.")
    result = selectors.patient_search(query=query, page_number=page,
                                      per_page=settings.COLLIS_PAGE_SIZE,
                                      actor=api_actor(request))
    return {"count": result.paginator.count, "page": result.number,
            "pages": result.paginator.num_pages, "results": list(result.object_list)}


@router.get("/{patient_id}", response={200: PatientOut, 403: ErrorOut, 404: ErrorOut},
            summary="A patient's registry record")
def patient_detail(request, patient_id: UUID):
    """Reading a patient is recorded in the audit log. A patient outside the token's unit is
    404, as if there were no such patient."""
    return api_patient(request, patient_id, Capability.PATIENT_VIEW)
