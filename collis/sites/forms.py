"""What a site's public page says, as staff with SITE_EDIT change it."""

from django import forms

from collis.core.nhsuk_forms import TextareaField, TextField

MARKDOWN_HINT = " Markdown: - for a list, [words](https://...) for a link."


class SitePublicForm(forms.Form):
    phone = TextField(label="Telephone number", required=False, width=20, type="tel",
                      autocomplete="off")
    getting_there = TextareaField(label="How to get there", required=False, rows=6,
                                  hint="Public transport, parking and entrances." + MARKDOWN_HINT)
    accessibility = TextareaField(label="Accessibility", required=False, rows=6,
                                  hint="Step-free access, lifts, hearing loops and help on "
                                       "arrival." + MARKDOWN_HINT)
    services = TextareaField(label="What the unit does there", required=False, rows=6,
                             hint="Clinics, injections, tests or surgery." + MARKDOWN_HINT)
