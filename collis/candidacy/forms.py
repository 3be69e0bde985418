"""The clinician's answers to what the record does not hold: general health and the
patient's wishes (reference §6: local criteria; §4 of the pathway: preferences)."""

from django import forms

from collis.core.nhsuk_forms import YesNoField

LOCAL_POLICY = "Local policy, needs clinical sign-off."


def _question(label: str, required: str, hint: str | None = None) -> YesNoField:
    return YesNoField(label=label, unknown_label="Not known", initial=YesNoField.UNKNOWN,
                      hint=hint, error_messages={"required": required})


class CandidacyAnswersForm(forms.Form):
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

    def answers(self) -> dict[str, bool]:
        """The answers given as yes or no; "not known" leaves the fact absent."""
        return {name: value == YesNoField.YES for name, value in self.cleaned_data.items()
                if value in (YesNoField.YES, YesNoField.NO)}
