import pytest

from collis.core.audit import Actor
from collis.core.models import AuditAction, AuditChannel, AuditEvent
from collis.core.roles import Role
from collis.core.services import api_token_create
from collis.core.tests.factories import UserFactory
from collis.patients.tests.factories import PatientFactory


@pytest.fixture
def bearer(db):
    def make(role):
        user = UserFactory(role=role)
        return {"HTTP_AUTHORIZATION": "Bearer " + api_token_create(
            user=user, actor=Actor.command_line())}

    return make


@pytest.mark.django_db
def test_api_needs_a_token(client):
    assert client.get("/api/v1/patients", {"q": "x"}).status_code == 401


@pytest.mark.django_db
def test_api_search_returns_patients_and_audits_each(client, bearer, sites):
    patient = PatientFactory(family_name="Nettlebed")
    response = client.get("/api/v1/patients", {"q": "nettle"}, **bearer(Role.NEUROLOGIST))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["results"][0]["nhs_number"] == patient.nhs_number
    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert event.channel == AuditChannel.API
    assert list(AuditEvent.objects.for_patient(patient.pk)) == [event]


@pytest.mark.django_db
def test_api_detail_returns_the_record_and_audits_the_view(client, bearer, sites):
    patient = PatientFactory()
    response = client.get(f"/api/v1/patients/{patient.pk}", **bearer(Role.PHYSIOTHERAPIST))
    assert response.status_code == 200 and response.json()["version"] == 1
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, patient_id=patient.pk,
                                     channel=AuditChannel.API).exists()


@pytest.mark.django_db
def test_api_applies_the_same_role_checks(client, bearer, sites):
    patient = PatientFactory()
    headers = bearer(Role.ADMINISTRATOR)
    response = client.get(f"/api/v1/patients/{patient.pk}", **headers)
    assert response.status_code == 403 and "role" in response.json()["detail"]
    assert client.get("/api/v1/patients", {"q": "a"}, **headers).status_code == 403


@pytest.mark.django_db
def test_api_names_the_field_of_bad_input(client, bearer):
    response = client.get("/api/v1/patients", {"q": "9434765918"}, **bearer(Role.NEUROLOGIST))
    assert response.status_code == 422 and response.json()["detail"].startswith("q:")


@pytest.mark.django_db
def test_api_unknown_patient_is_404(client, bearer):
    response = client.get("/api/v1/patients/00000000-0000-0000-0000-000000000000",
                          **bearer(Role.NEUROLOGIST))
    assert response.status_code == 404


@pytest.mark.django_db
def test_openapi_document_and_docs_page_are_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/patients" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


@pytest.mark.django_db
def test_api_another_units_patient_is_404_and_never_searchable(client, bearer, sites):
    from collis.patients.tests.factories import other_unit_patient

    theirs = other_unit_patient(family_name="Elsewhere")
    headers = bearer(Role.NEUROLOGIST)
    response = client.get(f"/api/v1/patients/{theirs.pk}", **headers)
    assert response.status_code == 404
    assert response.json() == {"detail": "No patient has this id."}
    body = client.get("/api/v1/patients", {"q": "elsewhere"}, **headers).json()
    assert body["count"] == 0
    assert not AuditEvent.objects.filter(patient_id=theirs.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["%", "🙂", "_", "***"])
def test_api_search_that_cannot_match_is_422_with_the_reason(client, bearer, sites, q):
    from collis.patients.tests.factories import PatientFactory

    PatientFactory()
    response = client.get("/api/v1/patients", {"q": q}, **bearer(Role.NEUROLOGIST))
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "q: Enter a name (letters), a 10-digit NHS number or a date of birth to search for.")
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("q", "words"), [
    ("0", "q: NHS number must be 10 digits"),
    ("٩٤٣٤٧٦٥٩١٩", "q: NHS number must be written with the digits 0 to 9"),
    ("0000000000", "q: NHS number cannot be all zeros"),
])
def test_api_search_by_digits_that_are_no_nhs_number_says_why(client, bearer, sites, q, words):
    response = client.get("/api/v1/patients", {"q": q}, **bearer(Role.NEUROLOGIST))
    assert response.status_code == 422 and response.json()["detail"] == words


@pytest.mark.django_db
def test_api_search_finds_a_patient_by_a_fullwidth_nhs_number(client, bearer, sites):
    from collis.patients.tests.factories import PatientFactory
    from collis.patients.tests.nhs_numbers import spelt

    patient = PatientFactory()
    response = client.get("/api/v1/patients", {"q": spelt(patient.nhs_number, 0xFF10)},
                          **bearer(Role.NEUROLOGIST))
    assert response.status_code == 200 and response.json()["count"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["q=%00", "q=Smi%00th", "q=%00&dob=1974-05-17"])
def test_api_search_with_a_null_character_is_refused_not_a_server_error(client, bearer, sites,
                                                                        query):
    response = client.get(f"/api/v1/patients?{query}", **bearer(Role.NEUROLOGIST))
    assert response.status_code == 422
    assert response.json()["detail"] == "q: remove the null character from the search."
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()
