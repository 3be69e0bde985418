"""Counselling before selective denervation, the risks disclosed at it, and the consent.

What the patient was shown is frozen at the time: each disclosed risk keeps its text,
figures and sources as they stood, so the consent form lists exactly what was discussed
even if the risk catalogue (collis/domain/risks.py) changes later."""

from django.conf import settings
from django.db import models

from collis.core.models import (
    AppendOnlyModel,
    AppendOnlyQuerySet,
    ClinicalRecord,
    CorrectableQuerySet,
    CorrectableRecord,
)
from collis.domain.risks import Intervention
from collis.patients.models import Patient
from collis.surgery.models import Episode

INTERVENTION_CHOICES = [
    (Intervention.SELECTIVE_DENERVATION.value, "Selective peripheral denervation"),
    (Intervention.GPI_DBS.value, "Deep brain stimulation (GPi-DBS)"),
    (Intervention.BOTULINUM_TOXIN.value, "Continuing botulinum toxin"),
]


class CounsellingQuerySet(AppendOnlyQuerySet, CorrectableQuerySet):
    pass


class CounsellingSession(AppendOnlyModel, CorrectableRecord):
    """One counselling conversation with the decision aid: what matters to the patient
    and which risks were disclosed and acknowledged."""

    objects = CounsellingQuerySet.as_manager()

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT,
                                related_name="counselling_sessions")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT,
                                related_name="counselling_sessions")
    held_on = models.DateField("Date of the counselling session")
    decision_aid_version = models.CharField(max_length=60)
    decision_aid_produced_on = models.DateField()
    # The catalogue has no version number of its own: a digest of its content identifies
    # exactly which risks and figures the aid showed.
    risk_catalogue_digest = models.CharField(max_length=64)
    decision_aids_shown = models.JSONField(
        "Versions of the decision aid the patient saw", default=list, blank=True,
        help_text="[{kind, version, produced_on, review_by, fingerprint}]: the patient and/or "
                  "clinician version; empty on sessions recorded before this was kept.")
    values_answers = models.JSONField(
        default=list, blank=True,
        help_text="[{code, question, answer}]: what matters to the patient.")
    notes = models.TextField("Notes", blank=True)
    # The local-policy version in force when it was recorded, whose cooling-off period a
    # consent resting on it keeps (collis.policy); empty: made before policy versions.
    policy_version = models.ForeignKey("policy.PolicyVersion", on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-held_on", "-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "-held_on"], name="counselling_patient_on")]

    def __str__(self):
        return f"Counselling on {self.held_on:%Y-%m-%d} (episode {self.episode_id})"


class RiskDisclosure(AppendOnlyModel):
    """One catalogued risk as it was shown to the patient, and their acknowledgement."""

    session = models.ForeignKey(CounsellingSession, on_delete=models.PROTECT,
                                related_name="disclosures")
    position = models.PositiveSmallIntegerField()
    risk_code = models.CharField(max_length=60)
    intervention = models.CharField(max_length=40, choices=INTERVENTION_CHOICES)
    name = models.CharField(max_length=200)
    patient_description = models.TextField()
    figures = models.JSONField(default=list, blank=True,
                               help_text="The figures as shown (as_dict).")
    figures_text = models.JSONField(default=list, blank=True,
                                    help_text="Each figure as the patient read it.")
    frequency_note = models.TextField(blank=True)
    sources = models.JSONField(default=list, blank=True)
    acknowledged = models.BooleanField("Discussed and understood")

    class Meta:
        ordering = ["session", "position"]
        constraints = [models.UniqueConstraint(fields=["session", "risk_code"],
                                               name="disclosure_once_per_session")]

    def __str__(self):
        return f"{self.risk_code} ({'acknowledged' if self.acknowledged else 'not acknowledged'})"


class SignatureMethod(models.TextChoices):
    TYPED = "typed", "The patient typed their name as a signature"
    PAPER = "paper", "The patient signed a paper form"


class Consent(AppendOnlyModel, ClinicalRecord):
    """The patient's and the surgeon's consent to the planned selective denervation."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="consents")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    counselling = models.ForeignKey(CounsellingSession, on_delete=models.PROTECT,
                                    related_name="consents")
    procedure = models.CharField(max_length=200)
    planned_denervation = models.JSONField(
        default=list, blank=True,
        help_text="[{muscle, side, target}] as planned when consent was taken.")
    plan_source = models.CharField(max_length=200, help_text="Where the plan was read from.")
    signature_method = models.CharField("How the patient signed", max_length=10,
                                        choices=SignatureMethod.choices)
    patient_typed_name = models.CharField("Patient's name, typed as a signature",
                                          max_length=200, blank=True)
    patient_signed_on = models.DateField("Date the patient signed")
    surgeon = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+")
    surgeon_signed_on = models.DateField("Date the surgeon signed")
    cooling_off_days = models.PositiveSmallIntegerField(
        help_text="The local-policy cooling-off period in force when consent was recorded.")
    decision_aids_seen = models.JSONField(
        "Versions of the decision aid the patient saw", default=list, blank=True,
        help_text="The versions shown at the counselling sessions consent rests on.")
    # The sections of the NHS consent form for adults with capacity ("Consent form 1").
    # Consents recorded before these were kept have them empty (None: not recorded).
    risks_understood = models.JSONField(
        default=list, blank=True,
        help_text="Each risk as disclosed, with the session and date it was first discussed "
                  "and the session and date the patient confirmed they understood it.")
    intended_benefits = models.TextField("Intended benefits", blank=True)
    extra_procedures = models.TextField("Extra procedures that may become necessary",
                                        blank=True)
    alternatives_discussed = models.JSONField(
        "Alternatives discussed", default=list, blank=True,
        help_text="Codes of the alternatives discussed (collis.domain.risks.Intervention), "
                  "including no further treatment.")
    anaesthetic = models.CharField(max_length=60, blank=True)
    interpreter_used = models.BooleanField("An interpreter was used", null=True, blank=True)
    interpreter_name = models.CharField("The interpreter", max_length=200, blank=True)
    patient_has_capacity = models.BooleanField("The patient has capacity to consent",
                                               null=True, blank=True)
    professional_statement = models.TextField("The health professional's statement",
                                              blank=True)
    # The local-policy version its cooling-off period came from, the counselling's
    # (collis.policy); empty: made before policy versions.
    policy_version = models.ForeignKey("policy.PolicyVersion", on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Consent to {self.procedure} ({self.patient_signed_on:%Y-%m-%d})"


class ConfirmationQuerySet(AppendOnlyQuerySet, CorrectableQuerySet):
    pass


class ConsentConfirmation(AppendOnlyModel, CorrectableRecord):
    """The confirmation of consent on the day of surgery, a separate later record: who
    confirmed it, on which day, and whether the patient still wants to go ahead."""

    objects = ConfirmationQuerySet.as_manager()

    consent = models.ForeignKey(Consent, on_delete=models.PROTECT,
                                related_name="confirmations")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT,
                                related_name="consent_confirmations")
    confirmed_on = models.DateField("Date of the confirmation")
    still_wants_to_proceed = models.BooleanField(
        "The patient still wants to go ahead")
    notes = models.TextField("Notes", blank=True)

    class Meta:
        ordering = ["-confirmed_on", "-created_at", "-id"]

    def __str__(self):
        return f"Consent confirmed on {self.confirmed_on:%Y-%m-%d} (consent {self.consent_id})"
