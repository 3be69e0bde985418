import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AccountType, AuditAction, AuditChannel, AuditEvent, User


@pytest.fixture
def event(db):
    return audit_record(actor=Actor.command_line(), action=AuditAction.VIEW,
                        object_type="patient", summary="Viewed")


def test_audit_entry_cannot_be_changed_through_the_model(event):
    event.summary = "Tampered"
    with pytest.raises(PermissionError):
        event.save()


def test_audit_entry_cannot_be_deleted_through_the_model(event):
    with pytest.raises(PermissionError):
        event.delete()


def test_audit_log_cannot_be_bulk_updated_or_deleted(event):
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="Tampered")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_database_refuses_update_of_audit_rows(event):
    with pytest.raises(Exception) as raised, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET summary = 'Tampered' WHERE id = %s",
                       [event.pk])
    assert "append-only" in str(raised.value)
    assert AuditEvent.objects.get(pk=event.pk).summary == "Viewed"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_postgresql_refuses_delete_of_audit_rows(event):
    with pytest.raises(Exception) as raised, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert "append-only" in str(raised.value)


def test_new_audit_entries_can_be_added(event):
    AuditEvent(at=timezone.now(), action=AuditAction.LOGIN, channel=AuditChannel.WEB).save()
    assert AuditEvent.objects.count() == 2


def test_staff_account_needs_a_role(db):
    user = User(username="norole", account_type=AccountType.STAFF, role="")
    with pytest.raises(ValidationError) as raised:
        user.full_clean()
    assert "role" in raised.value.message_dict
    with pytest.raises(IntegrityError):
        user.save()


def test_patient_account_fits_the_same_table_without_a_role(db):
    patient = User.objects.create(username="portal-user", account_type=AccountType.PATIENT)
    assert patient.role == ""


def test_createsuperuser_makes_an_administrator(db):
    from collis.core.roles import Role

    admin = User.objects.create_superuser("first-admin", "a@example.com", "long-password-123")
    assert admin.role == Role.ADMINISTRATOR and admin.account_type == AccountType.STAFF
