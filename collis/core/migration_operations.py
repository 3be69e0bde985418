"""Operations shared by migrations (pure functions of the historical models)."""

from django.db import migrations


def authors_required(app_label: str, *model_names: str) -> migrations.RunPython:
    """Before `recorded_by` becomes the required `created_by` (ADR 0009): stop, saying which
    records lost their author, rather than fail on a NOT NULL constraint."""

    def check(apps, schema_editor):
        missing = [name for name in model_names
                   if apps.get_model(app_label, name).objects.filter(
                       recorded_by__isnull=True).exists()]
        if missing:
            raise RuntimeError(
                "These records have no author: " + ", ".join(missing) + ". Set recorded_by "
                "on them (e.g. to the unit's clinical lead) and migrate again.")

    return migrations.RunPython(check, migrations.RunPython.noop)
