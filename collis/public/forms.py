"""The editors' forms: a page's new version, a reviewer's sign-off, a story with its consent,
and a withdrawal of consent."""

from __future__ import annotations

from django import forms

from collis.core.nhsuk_forms import (
    CheckboxesField,
    DateField,
    FileUploadField,
    RadiosField,
    SingleCheckboxField,
    TextareaField,
    TextField,
)
from collis.public.models import Channel, ConsentGiver

PLACEHOLDER_HINT = (
    "Markdown: ## for a question heading, - for a list, [words](/sites/) for a link. Never "
    "type a figure: put a placeholder such as {{risk:SD_SWALLOWING_DIFFICULTY}}, "
    "{{risks:sd}} or {{outcomes:sd}}, which shows the figure from the risk catalogue.")


class PageVersionForm(forms.Form):
    title = TextField(label="Page title", error_name="The page title")
    summary = TextareaField(label="Summary", rows=2, error_name="The summary",
                            hint="One or two sentences, shown in lists and search results.")
    body = TextareaField(label="Page text", rows=24, error_name="The page text",
                         hint=PLACEHOLDER_HINT)
    review_due = DateField(label="Next review due", label_text="The date of the next review")
    # Not needed for a preview; saving without it is refused by the service.
    change_note = TextField(label="What changed", error_name="What changed", required=False,
                            hint="For the page's history, such as “Updated the risks”.")


class PublishForm(forms.Form):
    confirmed = SingleCheckboxField(
        label="I have reviewed this version and it is correct", required=True,
        error_messages={"required": "Confirm that you have reviewed the page"})


class StoryForm(forms.Form):
    title = TextField(label="Title of the story", error_name="The title")
    teller = TextField(label="Name shown with the story", error_name="The name shown",
                       hint="As the patient asked, such as a first name.", width=20)
    body = TextareaField(label="The story", rows=12, error_name="The story",
                         hint="Exactly the text the patient approved. Markdown.")
    photograph_file = FileUploadField(label="Photograph (optional)", required=False,
                                      accept="image/png,image/jpeg",
                                      hint="A PNG or JPEG image the patient agreed to share.")
    photograph = TextField(label="Description of the photograph", required=False,
                           hint="What it shows, for people who cannot see it. Leave empty "
                                "when there is no photograph.")
    given_by = TextField(label="Who gave consent", error_name="Who gave consent",
                         hint="Their full name, as on the signed form.")
    given_by_kind = RadiosField(label="They are", choices=ConsentGiver.choices,
                                error_name="Who they are")
    given_on = DateField(label="Date consent was signed", past_only=True,
                         label_text="The date consent was signed")
    channels = CheckboxesField(label="Where the patient agreed it may be published",
                               choices=Channel.choices, error_name="Where it may be published")
    includes_photograph = SingleCheckboxField(
        label="The consent covers the photograph", required=False)
    form_reference = TextField(label="Where the signed form is kept",
                               error_name="Where the signed form is kept",
                               hint="For example, its reference in the unit's records.")


class WithdrawForm(forms.Form):
    withdrawn_on = DateField(label="Date consent was withdrawn", past_only=True,
                             label_text="The date consent was withdrawn")
    how = TextField(label="How it was withdrawn", error_name="How it was withdrawn",
                    hint="For example, “Telephone call from the patient to the nurse "
                         "specialist”.")
