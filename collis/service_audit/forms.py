"""The service audit's filters: a surgeon, a site, a year and how to group the rows."""

from django import forms

from collis.core.nhsuk_forms.fields import RadiosField, SelectField, TextareaField
from collis.service_audit.models import ResearchCohort
from collis.service_audit.selectors import AuditFilters, GroupBy


class AuditFilterForm(forms.Form):
    surgeon = SelectField(label="Surgeon", required=False)
    site = SelectField(label="Site", required=False)
    year = SelectField(label="Year of the operation", required=False)
    group_by = SelectField(label="Group the rows by", required=False,
                           choices=GroupBy.CHOICES)

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["surgeon"].choices = [("", "All surgeons"), *(
            (str(u.pk), u.display_name) for u in choices["surgeons"])]
        self.fields["site"].choices = [("", "All sites"), *(
            (str(s.pk), s.name) for s in choices["sites"])]
        self.fields["year"].choices = [("", "All years"), *(
            (str(y), str(y)) for y in choices["years"])]

    def filters(self) -> AuditFilters:
        """The filters chosen; none where the form is not valid (it shows the errors)."""
        if not self.is_bound or not self.is_valid():
            return AuditFilters()
        data = self.cleaned_data
        return AuditFilters(
            surgeon_id=int(data["surgeon"]) if data.get("surgeon") else None,
            site_id=int(data["site"]) if data.get("site") else None,
            year=int(data["year"]) if data.get("year") else None,
            group_by=data.get("group_by") or GroupBy.SURGEON)


class ToxinFilterForm(forms.Form):
    """The toxin clinic page's filters: the site and year of the injections."""

    site = SelectField(label="Site", required=False)
    year = SelectField(label="Year of the injections", required=False)

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", "All sites"), *(
            (str(s.pk), s.name) for s in choices["sites"])]
        self.fields["year"].choices = [("", "All years"), *(
            (str(y), str(y)) for y in choices["years"])]

    def filters(self) -> AuditFilters:
        """The filters chosen; none where the form is not valid (it shows the errors)."""
        if not self.is_bound or not self.is_valid():
            return AuditFilters()
        data = self.cleaned_data
        return AuditFilters(site_id=int(data["site"]) if data.get("site") else None,
                            year=int(data["year"]) if data.get("year") else None)


class ResearchExtractForm(forms.Form):
    cohort = RadiosField(label="Cohort", choices=ResearchCohort.choices,
                         initial=ResearchCohort.OPERATED)
    site = SelectField(label="Site", required=False)
    year = SelectField(label="Year of the operation", required=False)
    reason = TextareaField(label="Why the extract is needed",
                           hint="For example the study, its approval and who will hold the "
                                "file. This is kept with the extract and in the audit log.",
                           error_messages={"required": "Say why the extract is needed"})

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", "All sites"), *(
            (str(s.pk), s.name) for s in choices["sites"])]
        self.fields["year"].choices = [("", "All years"), *(
            (str(y), str(y)) for y in choices["years"])]

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(site_id=int(data["site"]) if data.get("site") else None,
                            year=int(data["year"]) if data.get("year") else None)
