"""NHS.UK form pieces: the three-box date input, and the sign-in form."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError


class NhsDateWidget(forms.MultiWidget):
    """Day, month and year boxes named `<name>-day`, `<name>-month`, `<name>-year`."""

    template_name = "django/forms/widgets/multiwidget.html"

    def __init__(self, attrs=None):
        super().__init__([forms.TextInput, forms.TextInput, forms.TextInput], attrs)

    def decompress(self, value):
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        return [data.get(f"{name}-{part}", "").strip() for part in ("day", "month", "year")]

    def value_omitted_from_data(self, data, files, name):
        return all(f"{name}-{part}" not in data for part in ("day", "month", "year"))


class NhsDateField(forms.Field):
    """A date entered as day, month and year, with the NHS.UK error messages."""

    widget = NhsDateWidget

    def __init__(self, *, label_text: str, past_only: bool = False, **kwargs):
        self.label_text = label_text
        self.past_only = past_only
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value or not any(value):
            return None
        day, month, year = value
        missing = [name for name, part in zip(("day", "month", "year"), value, strict=True)
                   if not part]
        if missing:
            raise ValidationError(f"{self.label_text} must include a {' and '.join(missing)}")
        try:
            d, m, y = int(day), int(month), int(year)
        except ValueError:
            raise ValidationError(f"{self.label_text} must be a real date") from None
        if y < 1000:
            raise ValidationError(f"Year must include 4 numbers, for example {date.today().year}")
        try:
            result = date(y, m, d)
        except ValueError:
            raise ValidationError(f"{self.label_text} must be a real date") from None
        if self.past_only and result > date.today():
            raise ValidationError(f"{self.label_text} must be today or in the past")
        return result

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(f"Enter {self.label_text.lower()}")


class LoginForm(forms.Form):
    username = forms.CharField(max_length=150, error_messages={"required": "Enter your username"})
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput,
        error_messages={"required": "Enter your password"},
    )


class AuditFilterForm(forms.Form):
    username = forms.CharField(label="Username", required=False, max_length=150)
    action = forms.ChoiceField(label="Action", required=False)
    on = NhsDateField(label="Date", label_text="The date", required=False, past_only=True)

    def __init__(self, *args, **kwargs):
        from collis.core.models import AuditAction

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Any action"), *AuditAction.choices]
