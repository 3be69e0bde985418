"""The clinician's answers to what the record does not hold: general health and the
patient's wishes (reference §6: local criteria; §4 of the pathway: preferences)."""

from django import forms

from collis.core.nhsuk_forms import YesNoField
from collis.core.nhsuk_forms.fields import RadiosField
from collis.domain.toxin import ResponsePattern

LOCAL_POLICY = "Local policy, needs clinical sign-off."


def _question(label: str, required: str, hint: str | None = None) -> YesNoField:
    return YesNoField(label=label, unknown_label="Not known", initial=YesNoField.UNKNOWN,
                      hint=hint, error_messages={"required": required})


DERIVE = "derive"
RESPONSE_CHOICES = [
    (str(ResponsePattern.SECONDARY_NON_RESPONSE), "Secondary non-response (a good response lost)"),
    (str(ResponsePattern.PRIMARY_NON_RESPONSE), "Primary non-response (never a useful response)"),
    (str(ResponsePattern.PARTIAL_RESPONSE), "Partial response"),
    (str(ResponsePattern.GOOD_RESPONSE), "Good response"),
    (DERIVE, "Not judged: derive it from the reviewed cycles"),
]


class CandidacyAnswersForm(forms.Form):
    response_pattern = RadiosField(
        label="How has the patient responded to botulinum toxin?",
        choices=RESPONSE_CHOICES, initial=DERIVE, required=False,
        hint="Your judgement is recorded with your name and stands on its own: it needs no "
        "dated cycles. Otherwise Collis derives the response from the reviewed cycles under "
        "local-policy thresholds and says so.")
    fit_for_general_anaesthetic = _question(
        "Is the patient fit for a general anaesthetic?",
        "Answer whether the patient is fit for a general anaesthetic",
        "Local policy, needs clinical sign-off: the clinical reference gives no source for "
        "this criterion.")
    cervical_myelopathy = _question(
        "Does the patient have cervical myelopathy?",
        "Answer whether the patient has cervical myelopathy", LOCAL_POLICY)
    prior_neck_surgery = _question(
        "Has the patient had neck surgery before?",
        "Answer whether the patient has had neck surgery before", LOCAL_POLICY)
    wants_surgery = _question(
        "Does the patient want to consider surgery?",
        "Answer whether the patient wants to consider surgery")

    def answers(self) -> dict[str, bool | str]:
        """The answers given: yes or no, and a toxin response judged by the clinician;
        "not known" and "derive it" leave the fact absent."""
        answers: dict[str, bool | str] = {
            name: value == YesNoField.YES for name, value in self.cleaned_data.items()
            if name != "response_pattern" and value in (YesNoField.YES, YesNoField.NO)}
        if self.cleaned_data.get("response_pattern") not in (None, "", DERIVE):
            answers["response_pattern"] = self.cleaned_data["response_pattern"]
        return answers
