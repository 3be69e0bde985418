"""The one staff picker: active staff whose role may do the thing, by name and role."""

import pytest
from django import forms

from collis.core.nhsuk_forms import StaffCheckboxesField, StaffChoiceField, staff_who_can
from collis.core.roles import Capability, Role
from collis.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_staff_who_can_are_the_active_staff_whose_role_has_the_capability():
    nurse = UserFactory(role=Role.NURSE_SPECIALIST, last_name="Nurse")
    neuro = UserFactory(role=Role.NEUROLOGIST, last_name="Alpha")
    UserFactory(role=Role.PHYSIOTHERAPIST)
    gone = UserFactory(role=Role.NEUROLOGIST, is_active=False)
    assert list(staff_who_can(Capability.TOXIN_RECORD)) == [neuro, nurse]
    assert gone in staff_who_can(Capability.TOXIN_RECORD, active_only=False)


def test_the_staff_who_keep_the_record_leave_out_auditors_and_administrators():
    auditor = UserFactory(role=Role.AUDITOR)
    admin = UserFactory(role=Role.ADMINISTRATOR)
    coordinator = UserFactory(role=Role.MDT_COORDINATOR)
    staff = set(staff_who_can(Capability.RECORD_VIEW))
    assert coordinator in staff and not {auditor, admin} & staff


class PickForm(forms.Form):
    injector = StaffChoiceField(label="Injector", capability=Capability.TOXIN_RECORD,
                                empty_label="Choose the injector")
    surgeon = StaffChoiceField(label="Surgeon", capability=Capability.OPERATION_RECORD,
                               show_role=False, required=False)
    attendees = StaffCheckboxesField(label="Attendees", capability=Capability.RECORD_VIEW,
                                     required=False)


def test_the_picker_offers_names_and_roles_and_refuses_others():
    nurse = UserFactory(role=Role.NURSE_SPECIALIST, first_name="Nat", last_name="Nurse")
    surgeon = UserFactory(role=Role.NEUROSURGEON, first_name="Sam", last_name="Surgeon")
    physio = UserFactory(role=Role.PHYSIOTHERAPIST)
    form = PickForm()
    assert (nurse.pk, "Nat Nurse (Nurse specialist)") in [
        (int(str(v)), label) for v, label in form.fields["injector"].choices if v]
    assert [label for v, label in form.fields["surgeon"].choices if v] == ["Sam Surgeon"]
    assert len([v for v, _ in form.fields["attendees"].choices]) == 3
    refused = PickForm({"injector": str(physio.pk)})
    assert not refused.is_valid() and "injector" in refused.errors
    chosen = PickForm({"injector": str(nurse.pk), "attendees": [str(surgeon.pk)]})
    assert chosen.is_valid(), chosen.errors
    assert chosen.cleaned_data["injector"] == nurse
    assert list(chosen.cleaned_data["attendees"]) == [surgeon]
    assert f'value="{nurse.pk}" selected' in " ".join(
        str(PickForm(initial={"injector": nurse.pk})["injector"].as_field_group()).split())


def test_model_choices_render_as_their_macros():
    from collis.core.tests.nhsuk_forms.markup import assert_same_markup, macro

    nurse = UserFactory(role=Role.NURSE_SPECIALIST, first_name="Nat", last_name="Nurse")
    assert_same_markup(PickForm(initial={"injector": nurse.pk})["injector"].as_field_group(),
                       macro("select", "select", {
        "label": {"text": "Injector"}, "id": "injector", "name": "injector",
        "items": [{"value": "", "text": "Choose the injector"},
                  {"value": str(nurse.pk), "text": "Nat Nurse (Nurse specialist)",
                   "selected": True}]}))
    unbound = PickForm()["attendees"].as_field_group()
    assert_same_markup(unbound, macro("checkboxes", "checkboxes", {
        "idPrefix": "attendees", "name": "attendees",
        "fieldset": {"legend": {"text": "Attendees", "size": "s"}},
        "items": [{"value": str(nurse.pk), "text": "Nat Nurse (Nurse specialist)"}]}))
