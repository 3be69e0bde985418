"""Writes of the core app: signing in and out, and API tokens, each audited."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from collis.core.audit import Actor, audit_record
from collis.core.models import AccountType, ApiToken, AuditAction, User
from collis.core.prepared import PreparedQuery


def user_login(*, request, user: User) -> None:
    audit_record(actor=Actor.from_request(request), action=AuditAction.LOGIN,
                 object_type="user", object_id=user.pk, summary="Signed in")


def user_login_failed(*, request, username: str, reason: str) -> None:
    audit_record(actor=Actor.from_request(request), action=AuditAction.LOGIN_FAILED,
                 object_type="user", summary=f"Failed sign-in as {username[:80]!r}: {reason}",
                 details={"username": username[:150], "reason": reason})


def user_logout(*, request, reason: str = "signed out") -> None:
    audit_record(actor=Actor.from_request(request), action=AuditAction.LOGOUT,
                 object_type="user", object_id=request.user.pk, summary=f"Signed out ({reason})")


@transaction.atomic
def api_token_create(*, user: User, name: str = "", actor: Actor) -> str:
    """Create a token for a member of staff and return the secret, which is shown once."""
    if not user.is_active or user.account_type != AccountType.STAFF:
        raise ValueError(f"{user.username} is not an active member of staff.")
    raw = ApiToken.new_secret()
    days = settings.COLLIS_API_TOKEN_LIFETIME_DAYS
    expires_at = timezone.now() + timedelta(days=days) if days > 0 else None
    token = ApiToken(user=user, name=name, prefix=raw[7:15], digest=ApiToken.digest_of(raw),
                     expires_at=expires_at)
    token.full_clean()
    token.save()
    audit_record(actor=actor, action=AuditAction.TOKEN_CREATE, object_type="api_token",
                 object_id=token.pk, summary=f"API token {token.prefix}… for {user.username}")
    return raw


# The token a request presents, read with its user by a query prepared once per process
# (every API request makes it).
_TOKEN = PreparedQuery(lambda digest: ApiToken.objects.select_related("user").filter(
    digest=digest, revoked_at__isnull=True), digest=str)


def api_token_authenticate(raw: str) -> User | None:
    """The active staff user a token belongs to, or None."""
    found = _TOKEN.instances(digest=ApiToken.digest_of(raw))
    token = found[0] if found else None
    now = timezone.now()
    if token is None or not token.user.is_active or (
            token.expires_at is not None and token.expires_at <= now):
        return None
    # Note use at most once a minute, so reads do not each cost a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Actor) -> ApiToken:
    """Stop a token working from now on; the row stays, with when it was revoked."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=AuditAction.TOKEN_REVOKE, object_type="api_token",
                     object_id=token.pk,
                     summary=f"Revoked API token {token.prefix}… of {token.user.username}")
    return token


def admin_change_audit(*, request, action: AuditAction, obj, message: str = "") -> None:
    """An administrator's change through the Django admin: which record, and what."""
    audit_record(actor=Actor.from_request(request), action=action,
                 object_type=f"admin:{obj._meta.label_lower}", object_id=obj.pk,
                 summary=f"{AuditAction(action).label} {obj._meta.verbose_name} {obj}"[:300],
                 details={"change": message} if message else None)


def admin_audit_log_view_audit(*, request, object_id=None) -> None:
    audit_record(actor=Actor.from_request(request), action=AuditAction.VIEW,
                 object_type="audit_log", object_id=object_id or "",
                 summary="Viewed the audit log in the admin",
                 details={"filters": dict(request.GET.items())})


def database_statistics_refresh() -> None:
    """Refresh the query planner's statistics (ANALYZE) after a bulk load. Without them
    SQLite walks every patient of the unit to answer a name search instead of starting
    from the name index (PostgreSQL's autovacuum keeps its own statistics, but a fresh
    ANALYZE does no harm)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
