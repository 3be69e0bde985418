"""Errors as FHIR OperationOutcome resources: one issue with its severity, its code from
the R4 issue-type value set and a sentence naming the problem (and, where there is one, the
parameter or element it is about)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FhirError(Exception):
    """Raised anywhere below a FHIR view; the view answers `status` with its outcome."""

    status: int
    code: str  # R4 IssueType: invalid, not-found, security, login, not-supported, ...
    diagnostics: str
    # The parameter or element the problem is about (for callers and tests; the sentence
    # names it too, since OperationOutcome's `expression` must be FHIRPath).
    expression: str = ""

    def __str__(self):
        return self.diagnostics


def operation_outcome(*, code: str, diagnostics: str, expression: str = "",
                      severity: str = "error") -> dict:
    issue = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def invalid(diagnostics: str, expression: str = "") -> FhirError:
    return FhirError(400, "invalid", diagnostics, expression)


def not_found(diagnostics: str) -> FhirError:
    return FhirError(404, "not-found", diagnostics)


def operation_outcome_warnings(warnings: list[str]) -> dict:
    """Warnings about an answer that is otherwise complete (such as a `_revinclude` cut at
    its limit), each an issue of severity warning, code incomplete."""
    return {"resourceType": "OperationOutcome", "id": "search-warnings",
            "issue": [{"severity": "warning", "code": "incomplete", "diagnostics": text}
                      for text in warnings]}
