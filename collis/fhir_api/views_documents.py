"""A document's PDF under the FHIR base, `DocumentReference/<id>/$binary`: the URL each
DocumentReference's attachment names. The same bearer token and scope as every FHIR read;
the PDF is the one the pages give, and fetching it is audited as a download. Errors are
OperationOutcomes, as elsewhere in the FHIR API."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.views.decorators.csrf import csrf_exempt

from collis.core.audit import Actor
from collis.core.models import AuditChannel
from collis.core.pdf import pdf_response
from collis.core.roles import Capability
from collis.fhir_api import smart, views
from collis.fhir_api.outcomes import FhirError, not_found, operation_outcome
from collis.fhir_api.selectors_documents import fhir_document_pdf


def _pdf_endpoint(view):
    """Like `views.fhir_endpoint`, but answering application/pdf: GET and HEAD only, the
    bearer token, and any error as an OperationOutcome."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        anonymous = request.user
        try:
            if request.method not in views.READ_METHODS:
                raise FhirError(405, "not-supported", f"{request.method}: a document's PDF "
                                "is only read; use GET.")
            views._authenticate(request)
            return view(request, *args, **kwargs)
        except FhirError as error:
            response = views.fhir_response(
                operation_outcome(code=error.code, diagnostics=error.diagnostics),
                error.status)
            if error.status == 401:
                response["WWW-Authenticate"] = 'Bearer realm="Collis FHIR"'
            if error.status == 405:
                response["Allow"] = ", ".join(views.READ_METHODS)
            return response
        finally:
            request.user = anonymous  # the token signs in this request only

    wrapped = csrf_exempt(login_not_required(wrapped))
    wrapped.http_methods = (*views.READ_METHODS, "POST", "PUT", "PATCH", "DELETE")
    wrapped.required_capability = None
    wrapped.signed_in_only = True  # signed in by the bearer token
    return wrapped


@_pdf_endpoint
def document_binary(request, resource_id: str):
    if not views.FHIR_ID.fullmatch(resource_id):
        raise not_found(f"DocumentReference/{resource_id[:64]}: not a FHIR id.")
    views._require(request, Capability.RECORD_VIEW)
    # A system client (SMART Backend Services) needs DocumentReference among its scopes.
    smart.scope_require(request, "DocumentReference", smart.READ)
    data, filename = fhir_document_pdf(document_id=resource_id,
                                       actor=Actor.from_request(request, AuditChannel.API))
    response = pdf_response(data, filename)
    response["Cache-Control"] = "no-store"
    return response
