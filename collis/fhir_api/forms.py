"""The administrators' form that registers a SMART Backend Services system client."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

from collis.core.models import Organisation
from collis.core.nhsuk_forms import CheckboxesField, ModelSelectField, TextareaField, TextField
from collis.fhir_api import smart

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
