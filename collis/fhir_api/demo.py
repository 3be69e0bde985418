"""The demo unit's patient groups (FHIR Group): two cohorts the clinical lead might export,
defined through the service (audited) once each."""

from __future__ import annotations

import datetime as dt

from collis.core.audit import Actor
from collis.core.models import User
from collis.fhir_api import groups
from collis.fhir_api.models import PatientGroup

DEMO_GROUPS = (
    ("Operated on since 2024", "Selective denervations for the regional audit.",
     groups.Criteria(operated_since=dt.date(2024, 1, 1))),
    ("On the surgical waiting list", "", groups.Criteria(pathway_state="listed")),
)


def demo_groups_load() -> int:
    """Define the demo groups the unit does not have yet; how many were made."""
    lead = User.objects.filter(username="lead").first()
    if lead is None:
        return 0
    made = 0
    for name, description, criteria in DEMO_GROUPS:
        if PatientGroup.objects.filter(organisation_id=lead.organisation_id,
                                       name=name).exists():
            continue
        groups.group_create(name=name, description=description, criteria=criteria,
                            actor=Actor.command_line(lead))
        made += 1
    return made
