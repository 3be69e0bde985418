"""NHS.UK form machinery: fields that draw themselves with the design system's components
(`{{ form["x"].as_field_group() }}`), the error summary, the staff picker and the
muscle-and-side rows. See STYLE.md habit 15 and MBS's ADR-003."""

from collis.core.nhsuk_forms.dates import DateField, NhsDateField, NhsDateWidget
from collis.core.nhsuk_forms.errors import error_anchor, error_list, error_summary
from collis.core.nhsuk_forms.fields import (
    CheckboxesField,
    DecimalField,
    FileUploadField,
    HiddenIntegerField,
    HiddenTextField,
    IntegerField,
    ModelCheckboxesField,
    ModelSelectField,
    NhsBoundField,
    NhsField,
    RadiosField,
    SelectField,
    SingleCheckboxField,
    TextareaField,
    TextField,
    YesNoField,
    number,
)
from collis.core.nhsuk_forms.muscle_rows import (
    BoundMuscleSideRows,
    MuscleSideGridField,
    MuscleSideRows,
    RowColumn,
    RowMessages,
)
from collis.core.nhsuk_forms.rendering import component
from collis.core.nhsuk_forms.scoping import UnitScopedForm, sites_of, unit_scope
from collis.core.nhsuk_forms.staff import StaffCheckboxesField, StaffChoiceField, staff_who_can

__all__ = [
    "BoundMuscleSideRows", "CheckboxesField", "DateField", "DecimalField", "FileUploadField",
    "HiddenIntegerField", "HiddenTextField", "IntegerField", "ModelCheckboxesField",
    "ModelSelectField", "MuscleSideGridField", "MuscleSideRows", "NhsBoundField",
    "NhsDateField", "NhsDateWidget", "NhsField", "RadiosField", "RowColumn", "RowMessages",
    "SelectField", "SingleCheckboxField", "StaffCheckboxesField", "StaffChoiceField",
    "TextField", "TextareaField", "UnitScopedForm", "YesNoField", "component",
    "error_anchor", "error_list", "error_summary", "number", "sites_of", "staff_who_can",
    "unit_scope",
]
