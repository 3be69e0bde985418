"""Refuse TRUNCATE of the audit log on PostgreSQL (a statement-level trigger: row triggers do
not fire on TRUNCATE). Only `collis manage flush` on a database without real audit rows sets
`collis.allow_truncate` for its own session (collis/core/management/commands/flush.py)."""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION collis_audit_no_truncate() RETURNS trigger AS $$
BEGIN
  IF coalesce(current_setting('collis.allow_truncate', true), '') <> 'on' THEN
    RAISE EXCEPTION 'The audit log is append-only: TRUNCATE is not allowed';
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_no_truncate
  BEFORE TRUNCATE ON core_auditevent
  FOR EACH STATEMENT EXECUTE FUNCTION collis_audit_no_truncate();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
DROP FUNCTION IF EXISTS collis_audit_no_truncate();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_token_expiry_and_more_actions")]
    operations = [migrations.RunPython(forward, reverse)]
