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


# --- scoped to the signed-in user's unit -------------------------------------------------------

def _two_units():
    from collis.patients.tests.factories import other_unit_site

    elsewhere = other_unit_site()
    ours = UserFactory(role=Role.NEUROSURGEON, first_name="Our", last_name="Surgeon")
    theirs = UserFactory(role=Role.NEUROSURGEON, first_name="Their", last_name="Surgeon",
                         organisation=elsewhere.organisation)
    return elsewhere, ours, theirs


def test_staff_who_can_keeps_one_units_staff_when_given_a_user_an_organisation_or_its_id(
        sites):
    elsewhere, ours, theirs = _two_units()
    for who in (ours, ours.organisation, ours.organisation_id):
        assert list(staff_who_can(Capability.OPERATION_RECORD, organisation=who)) == [ours]
    assert list(staff_who_can(Capability.OPERATION_RECORD,
                              organisation=elsewhere.organisation)) == [theirs]
    assert set(staff_who_can(Capability.OPERATION_RECORD)) == {ours, theirs}


def test_someone_of_no_unit_is_offered_no_staff_and_no_sites(sites):
    from collis.core.nhsuk_forms import sites_of

    _two_units()
    admin = UserFactory(role=Role.ADMINISTRATOR, organisation=None)
    for who in (admin, None):
        assert not staff_who_can(Capability.OPERATION_RECORD, organisation=who).exists()
        assert not sites_of(who).exists()


def test_sites_of_are_the_units_active_sites(sites):
    from collis.core.nhsuk_forms import sites_of
    from collis.sites.models import Site

    elsewhere, ours, _ = _two_units()
    Site.objects.filter(pk=sites[0].pk).update(is_active=False)
    assert set(sites_of(ours)) == set(sites[1:])
    assert list(sites_of(elsewhere.organisation)) == [elsewhere]


class ListingLikeForm(forms.Form):
    site = forms.ModelChoiceField(queryset=None)
    surgeon = StaffChoiceField(label="Surgeon", capability=Capability.OPERATION_RECORD)
    attendees = StaffCheckboxesField(label="Attendees", capability=Capability.RECORD_VIEW,
                                     required=False)

    def __init__(self, *args, **kwargs):
        from collis.sites.models import Site

        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.active()


def test_unit_scope_narrows_every_staff_and_site_picker_of_a_form(sites):
    from collis.core.nhsuk_forms import unit_scope

    elsewhere, ours, theirs = _two_units()
    form = ListingLikeForm({"site": elsewhere.pk, "surgeon": theirs.pk,
                            "attendees": [theirs.pk]})
    unit_scope(form, ours)
    assert elsewhere not in form.fields["site"].queryset
    assert list(form.fields["surgeon"].queryset) == [ours]
    assert theirs not in form.fields["attendees"].queryset
    assert not form.is_valid()
    assert set(form.errors) == {"site", "surgeon", "attendees"}
    chosen = ListingLikeForm({"site": sites[0].pk, "surgeon": ours.pk})
    unit_scope(chosen, ours)
    assert chosen.is_valid(), chosen.errors


def test_a_unit_scoped_form_needs_the_user_and_offers_their_unit_only(sites):
    from collis.core.nhsuk_forms import ModelSelectField, UnitScopedForm, sites_of

    class SiteAndSurgeon(UnitScopedForm):
        site = ModelSelectField(label="Site", queryset=sites_of(None))
        surgeon = StaffChoiceField(label="Surgeon", capability=Capability.OPERATION_RECORD,
                                   organisation=None)

    elsewhere, ours, theirs = _two_units()
    with pytest.raises(TypeError):
        SiteAndSurgeon()
    unbound = SiteAndSurgeon(user=theirs)
    assert list(unbound.fields["site"].queryset) == [elsewhere]
    assert list(unbound.fields["surgeon"].queryset) == [theirs]
    assert SiteAndSurgeon({"site": sites[0].pk, "surgeon": ours.pk}, user=ours).is_valid()
