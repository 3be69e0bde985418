"""How a patient reads on screen."""

from dataclasses import dataclass

from collis.core.presenters import age_on, date_long, format_nhs_number
from collis.patients.models import Patient, Sex


@dataclass(frozen=True)
class PatientPresenter:
    patient: Patient

    @property
    def nhs_number(self) -> str:
        return format_nhs_number(self.patient.nhs_number)

    @property
    def name(self) -> str:
        return f"{self.patient.family_name.upper()}, {self.patient.given_name}"

    @property
    def date_of_birth(self) -> str:
        born = self.patient.date_of_birth
        return f"{date_long(born)} (aged {age_on(born)})"

    @property
    def sex(self) -> str:
        return Sex(self.patient.sex).label

    @property
    def address_lines(self) -> list[str]:
        p = self.patient
        return [line for line in (p.address_line_1, p.address_line_2, p.town, p.postcode) if line]

    def summary_rows(self) -> list[tuple[str, list[str]]]:
        """(label, lines) for the summary list."""
        p = self.patient
        return [
            ("NHS number", [self.nhs_number]),
            ("Date of birth", [self.date_of_birth]),
            ("Sex", [self.sex]),
            ("Address", self.address_lines),
            ("Phone number", [p.phone or "Not recorded"]),
            ("Email address", [p.email or "Not recorded"]),
            ("GP practice", [p.gp_practice or "Not recorded"]),
            ("GP practice email", [p.gp_practice_email or "Not recorded"]),
            ("Referring consultant", [p.referring_consultant or "Not recorded"]),
            ("Home site", [p.home_site.name]),
        ]



def conflict_differences(form, current: Patient) -> list[dict]:
    """Where the record someone else saved (`current`) differs from what the editor typed
    on `form` (a PatientForm): one row per field, label, current value and theirs."""
    saved = form.initial_from(current)
    differences = []
    for field_name, field in form.base_fields.items():
        if field_name == "version":
            continue
        if field_name == "home_site":
            theirs_text = str(current.home_site)
            mine = form.cleaned_data.get("home_site")
            mine_text = str(mine) if mine else ""
        else:
            theirs = saved.get(field_name)
            theirs_text = "" if theirs is None else str(theirs)
            mine_value = form.cleaned_data.get(field_name, form.data.get(field_name, ""))
            mine_text = "" if mine_value is None else str(mine_value)
        if theirs_text != mine_text:
            differences.append({"label": field.label, "current": theirs_text,
                                "yours": mine_text})
    return differences

# The sections of a patient's clinical record: (key, label, url name, capability).
RECORD_SECTIONS = (
    ("summary", "Summary", "patients:patient_detail", "patient_view"),
    ("diagnosis", "Diagnosis", "assessments:diagnosis", "record_view"),
    ("examinations", "Neck examination", "assessments:examination_list", "record_view"),
    ("scales", "Rating scales", "assessments:scale_list", "record_view"),
    ("toxin", "Botulinum toxin", "treatments:toxin_list", "record_view"),
    ("medication", "Medication", "treatments:medication_list", "record_view"),
    ("therapy", "Therapy", "treatments:therapy_list", "record_view"),
    ("investigations", "Investigations", "investigations:investigation_list", "record_view"),
    ("timeline", "Timeline", "patients:patient_timeline", "record_view"),
    ("candidacy", "Candidacy", "candidacy:candidacy_list", "record_view"),
    ("pathway", "Pathway", "surgery:episode_list", "record_view"),
    ("appointments", "Appointments", "scheduling:appointment_list", "clinic_view"),
    ("patient_reported", "Patient-reported", "questionnaires:patient_reported", "record_view"),
    ("portal", "Patient portal", "portal:portal_access", "portal_invite"),
)


def record_sections(request, patient, current: str) -> list[dict]:
    """The record's section links that the user's role may open, the current one marked."""
    from django.urls import NoReverseMatch

    from collis.core.reverse import reverse_kept as reverse
    from collis.core.roles import Capability, can

    sections = []
    for key, label, url_name, capability in RECORD_SECTIONS:
        if not can(request.user, Capability(capability)):
            continue
        try:
            href = reverse(url_name, kwargs={"patient_id": patient.pk})
        except NoReverseMatch:
            continue  # a section whose pages are not installed
        sections.append({"key": key, "text": label, "href": href, "current": key == current})
    return sections


def record_crumbs(patient, *tail: dict) -> list[dict]:
    """Breadcrumbs of a page of the patient's record: Home > Patients > the patient >
    tail..., the last item being the current page (href "")."""
    from collis.core.reverse import reverse_kept as reverse

    return [{"text": "Home", "href": "/"},
            {"text": "Patients", "href": reverse("patients:patient_list")},
            {"text": PatientPresenter(patient).name,
             "href": reverse("patients:patient_detail", args=[patient.pk])}, *tail]
