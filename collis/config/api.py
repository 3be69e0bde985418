"""The JSON API at /api/v1/ (django-ninja), with its OpenAPI document and docs page.

Staff authenticate with a bearer token (`collis token create USERNAME`); each endpoint
applies the same role checks and audit as the pages."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.security import HttpBearer

from collis.core.services import api_token_authenticate


class StaffToken(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user  # so that audit entries name the member of staff
        return user


api = NinjaAPI(
    title="Collis API",
    version="1",
    description="Patient registry and clinical pathway of a dystonia service. "
    "Authenticate with `Authorization: Bearer <token>`; tokens come from "
    "`collis token create USERNAME`.",
    auth=StaffToken(),
    urls_namespace="api",
)



@api.exception_handler(Http404)
def not_found(request, exc):
    # A scoped read that finds nothing: the same words whether the record does not exist
    # or belongs to another unit.
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


api.add_router("/patients", "collis.patients.api.router")
# The clinical record: each router's paths start /patients/{patient_id}/...
api.add_router("/", "collis.assessments.api.router")
api.add_router("/", "collis.treatments.api.router")
api.add_router("/", "collis.investigations.api.router")
api.add_router("/", "collis.candidacy.api.router")
api.add_router("/", "collis.surgery.api.router")
api.add_router("/", "collis.mdt.api.router")
api.add_router("/", "collis.consent.api.router")
api.add_router("/", "collis.outcomes.api.router")
