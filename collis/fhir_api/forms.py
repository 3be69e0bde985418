"""The administrators' form that registers a SMART Backend Services system client, and the
clinical lead's form that defines a group of patients for export."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from collis.core.models import Organisation
from collis.core.nhsuk_forms import (
    CheckboxesField,
    DateField,
    ModelSelectField,
    SelectField,
    TextareaField,
    TextField,
    UnitScopedForm,
)
from collis.domain.pathway import STATE_LABELS
from collis.fhir_api import groups, smart
from collis.sites.models import Site

ALL = "*"
SOFT_HYPHEN = "\u00ad"


def _breakable(name: str) -> str:
    """"MedicationAdministration" with a soft hyphen between its words, so that it may
    break on a narrow screen (screen readers do not read it)."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", SOFT_HYPHEN, name)


class SystemClientForm(forms.Form):
    name = TextField(label="Name", max_length=120,
                     hint="Who runs the system and what it is for, such as \"Regional "
                          "dystonia registry, nightly export\".",
                     error_messages={"required": "Enter the client's name"})
    organisation = ModelSelectField(
        label="Unit it reads for", queryset=Organisation.objects.order_by("name"),
        empty_label="Choose a unit",
        hint="The client reads this unit's records, as the unit's staff would, and no "
             "others.",
        error_messages={"required": "Choose the unit the client reads for",
                        "invalid_choice": "Choose one of the units."})
    resource_types = CheckboxesField(
        label="What it may read",
        hint="Its scopes: it is granted at most these, read and search only (each type as "
             "system/<type>.read).",
        error_messages={"required": "Choose what the client may read"})
    jwks = TextareaField(label="Public keys (JWKS)", required=False, rows=8,
                         hint='Paste the client\'s JSON Web Key Set, {"keys": [...]}: public '
                              "RSA keys (RS384) or P-384 EC keys (ES384), each with a kid. "
                              "Leave empty if you give a URL below.")
    jwks_url = TextField(label="JWKS URL", required=False, max_length=500, type="url",
                         spellcheck=False,
                         hint="Or the https address where the client publishes its keys.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource_types"].choices = [
            (ALL, "Everything the API serves (system/*.read)"),
            *((name, _breakable(name)) for name in smart.served_types())]

    def clean_jwks(self):
        try:
            return smart.jwks_parse(self.cleaned_data["jwks"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["jwks"]) from None

    def clean(self):
        cleaned = super().clean()
        types = cleaned.get("resource_types") or []
        kinds = [ALL] if ALL in types else types
        cleaned["scopes"] = [f"system/{kind}.read" for kind in kinds]
        if "jwks" in cleaned and not cleaned["jwks"] and not cleaned.get("jwks_url") \
                and "jwks_url" not in self.errors:
            # Said with the other missing answers, rather than after them by the service.
            self.add_error("jwks", smart.KEYS_MISSING)
        return cleaned


class PatientGroupForm(UnitScopedForm):
    """A group of patients for `Group/{id}/$export`: its name and criteria (every one given
    must hold, evaluated when the group is exported)."""

    name = TextField(label="Name", max_length=120,
                     hint='Such as "Operated on since 2024".',
                     error_messages={"required": "Enter the group's name"})
    description = TextareaField(label="What the group is for (optional)", required=False,
                                rows=3)
    operated_since = DateField(
        label="Operated on (selective denervation) since", required=False,
        label_text="The date of the operations", past_only=True,
        hint="Patients with a selective denervation on or after this date. For example, "
             "1 1 2024.")
    toxin_site = ModelSelectField(
        label="Toxin sessions at (optional)", queryset=Site.objects.none(), required=False,
        empty_label="Any site",
        error_messages={"invalid_choice": "Choose one of the unit's sites."})
    toxin_since = DateField(
        label="Toxin sessions since", required=False,
        label_text="The date of the toxin sessions", past_only=True,
        hint="Patients with a botulinum toxin session (at the site above, if you chose one) "
             "on or after this date.")
    pathway_state = SelectField(
        label="In the pathway state (optional)", required=False,
        choices=[("", "Any state or none"),
                 *((state.value, label) for state, label in STATE_LABELS.items())],
        error_messages={"invalid_choice": "Choose one of the pathway's states."})

    def criteria(self) -> groups.Criteria:
        data = self.cleaned_data
        return groups.Criteria(operated_since=data.get("operated_since"),
                               toxin_site=data.get("toxin_site"),
                               toxin_since=data.get("toxin_since"),
                               pathway_state=data.get("pathway_state") or "")
