"""What every outbox of Collis shares (ADR 0014, generalised by ADR 0018): a row per message
written with the change that caused it, sent by the task worker, each try recorded on the
row, and a failed try queued again after the next of the local-policy delays until they are
used up. The enquiries' emails and the appointment messages both use it."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence

from django.conf import settings
from django.db.models import Q

logger = logging.getLogger(__name__)

# What a try, or a claim given up, changes on an outbox row.
TRY_FIELDS = ("state", "attempts", "last_error", "last_attempt_at", "next_attempt_at")


class WorkerStopped(Exception):
    """A worker took a row and stopped before it recorded how the send went."""


def outbox_claim(model, pk, *, pending: Sequence[str], claimed: str, now: dt.datetime) -> bool:
    """Take the row for this worker: one UPDATE that only succeeds while the row is still
    pending, so that of several workers (or several tasks queued for one row) exactly one
    sends it, on SQLite and PostgreSQL alike. The claim's time is kept (`last_attempt_at`),
    so that a claim whose worker stopped can be given up (`outbox_release_stale`)."""
    return model.objects.filter(pk=pk, state__in=list(pending)).update(
        state=claimed, last_attempt_at=now) == 1


def sending_lease() -> dt.timedelta:
    """How long a worker may hold a row it is sending before the row is taken back (local
    policy, well beyond the mail server's time-out)."""
    return dt.timedelta(seconds=settings.COLLIS_OUTBOX_SENDING_LEASE_SECONDS)


def outbox_release_stale(model, *, claimed: str, retrying: str, failed: str,
                         delays: Sequence[int], now: dt.datetime) -> list:
    """Give back the rows whose worker stopped while sending (killed, or its machine
    restarted): a row still claimed after the lease counts as a failed try and waits for
    the next try like any other failure (or fails for good when the tries are used up). A
    message the worker had handed to the mail server just before it stopped is sent again:
    after a crash a message may go twice, but is never lost. Each row is given back by a
    conditional UPDATE on its claim's time, so a worker that finishes meanwhile wins.
    Returns the rows given back for another try."""
    cutoff = now - sending_lease()
    released = []
    for row in model.objects.filter(Q(last_attempt_at__lt=cutoff)
                                    | Q(last_attempt_at__isnull=True), state=claimed):
        claimed_at = row.last_attempt_at
        delay = outbox_failure(row, WorkerStopped(
            "the worker stopped while sending; no result was recorded"), delays=delays,
            now=now, retrying=retrying, failed=failed)
        taken = model.objects.filter(pk=row.pk, state=claimed, last_attempt_at=claimed_at)
        if taken.update(**{field: getattr(row, field) for field in TRY_FIELDS}) != 1:
            continue
        logger.warning("%s %s: its worker stopped while sending; %s", model.__name__, row.pk,
                       "tried again later" if delay is not None else "failed for good")
        if delay is not None:
            released.append(row)
    return released


def outbox_send(row, send: Callable[[], None], *, now: dt.datetime, delays: Sequence[int],
                retrying: str, failed: str, sent: str, fields: Sequence[str],
                requeue: Callable[..., None]) -> bool:
    """One try at sending a claimed row: `send()` then record the success on the row, or
    record the failure and queue the next try (`requeue(pk, run_after=...)`) while the
    delays last. Returns whether it was sent."""
    try:
        send()
    except Exception as error:  # the mail server or text provider failed or is unreachable
        delay = outbox_failure(row, error, delays=delays, now=now, retrying=retrying,
                               failed=failed)
        row.save(update_fields=list(fields))
        logger.warning("%s %s not sent (attempt %s): %s", type(row).__name__, row.pk,
                       row.attempts, row.last_error)
        if delay is not None:
            requeue(row.pk, run_after=row.next_attempt_at)
        return False
    outbox_sent(row, now=now, sent=sent)
    row.save(update_fields=list(fields))
    return True


def outbox_failure(row, error: BaseException, *, delays: Sequence[int], now: dt.datetime,
                   retrying: str, failed: str) -> int | None:
    """Record a failed try on the row (not saved): the attempt, its error and, while the
    delays last, when the next try is. Returns the delay before that try, or None when the
    row has failed for good."""
    row.attempts += 1
    row.last_attempt_at = now
    row.last_error = f"{type(error).__name__}: {error}"[:300]
    retry = row.attempts <= len(delays)
    delay = delays[row.attempts - 1] if retry else None
    row.state = retrying if retry else failed
    row.next_attempt_at = now + dt.timedelta(seconds=delay) if retry else None
    return delay


def outbox_sent(row, *, now: dt.datetime, sent: str) -> None:
    """Record a successful try on the row (not saved)."""
    row.attempts += 1
    row.last_attempt_at = now
    row.state = sent
    row.sent_at = now
    row.next_attempt_at = None
