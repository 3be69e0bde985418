"""The clinician's answers to what the record does not hold: general health and the
patient's wishes (reference §6: local criteria; §4 of the pathway: preferences)."""

from django import forms

YES_NO_UNKNOWN = [("yes", "Yes"), ("no", "No"), ("unknown", "Not known")]


class CandidacyAnswersForm(forms.Form):
    fit_for_general_anaesthetic = forms.ChoiceField(
        label="Is the patient fit for a general anaesthetic?", choices=YES_NO_UNKNOWN,
        initial="unknown", error_messages={"required": "Answer whether the patient is fit "
                                                       "for a general anaesthetic"})
    cervical_myelopathy = forms.ChoiceField(
        label="Does the patient have cervical myelopathy?", choices=YES_NO_UNKNOWN,
        initial="unknown", error_messages={"required": "Answer whether the patient has "
                                                       "cervical myelopathy"})
    prior_neck_surgery = forms.ChoiceField(
        label="Has the patient had neck surgery before?", choices=YES_NO_UNKNOWN,
        initial="unknown", error_messages={"required": "Answer whether the patient has had "
                                                       "neck surgery before"})
    wants_surgery = forms.ChoiceField(
        label="Does the patient want to consider surgery?", choices=YES_NO_UNKNOWN,
        initial="unknown", error_messages={"required": "Answer whether the patient wants to "
                                                       "consider surgery"})

    def answers(self) -> dict[str, bool]:
        """The answers given as yes or no; "not known" leaves the fact absent."""
        return {name: value == "yes" for name, value in self.cleaned_data.items()
                if value in ("yes", "no")}
