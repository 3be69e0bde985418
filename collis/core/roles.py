"""Roles and what each may do. One table, tested as a table: views, the API and the
navigation all ask `can(user, Capability.X)`."""

from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    NEUROLOGIST = "neurologist", "Neurologist"
    NEUROSURGEON = "neurosurgeon", "Neurosurgeon"
    PHYSIOTHERAPIST = "physiotherapist", "Physiotherapist"
    NURSE_SPECIALIST = "nurse_specialist", "Nurse specialist"
    MDT_COORDINATOR = "mdt_coordinator", "MDT coordinator"
    AUDITOR = "auditor", "Service manager / auditor"
    ADMINISTRATOR = "administrator", "Administrator"


class Capability(StrEnum):
    PATIENT_SEARCH = "patient_search"
    PATIENT_VIEW = "patient_view"
    PATIENT_CREATE = "patient_create"
    PATIENT_EDIT = "patient_edit"
    AUDIT_VIEW = "audit_view"
    SITE_EDIT = "site_edit"
    USER_MANAGE = "user_manage"


_CLINICAL_REGISTRY = {
    Capability.PATIENT_SEARCH,
    Capability.PATIENT_VIEW,
    Capability.PATIENT_CREATE,
    Capability.PATIENT_EDIT,
}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.NEUROLOGIST: frozenset(_CLINICAL_REGISTRY),
    Role.NEUROSURGEON: frozenset(_CLINICAL_REGISTRY),
    Role.NURSE_SPECIALIST: frozenset(_CLINICAL_REGISTRY),
    # Coordinators register referred patients and keep their details up to date.
    Role.MDT_COORDINATOR: frozenset(_CLINICAL_REGISTRY),
    # Physiotherapists read the registry; they do not register or change patients.
    Role.PHYSIOTHERAPIST: frozenset({Capability.PATIENT_SEARCH, Capability.PATIENT_VIEW}),
    # Auditors find a patient to read their access history; they change nothing.
    Role.AUDITOR: frozenset(
        {Capability.PATIENT_SEARCH, Capability.PATIENT_VIEW, Capability.AUDIT_VIEW}
    ),
    # Administrators run the system (accounts, sites) and read the audit log, but do not
    # open patients' records.
    Role.ADMINISTRATOR: frozenset(
        {Capability.SITE_EDIT, Capability.USER_MANAGE, Capability.AUDIT_VIEW}
    ),
}


def capabilities_of(user) -> frozenset[Capability]:
    """The capabilities of a signed-in, active staff user; none for anyone else."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if getattr(user, "account_type", None) != "staff":
        return frozenset()
    return ROLE_CAPABILITIES.get(user.role, frozenset())


def can(user, capability: Capability) -> bool:
    return capability in capabilities_of(user)
