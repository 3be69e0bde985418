"""What every outbox of Collis shares (ADR 0014, generalised by ADR 0018): a row per message
written with the change that caused it, sent by the task worker, each try recorded on the
row, and a failed try queued again after the next of the local-policy delays until they are
used up. The enquiries' emails and the appointment messages both use it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence


def outbox_claim(model, pk, *, pending: Sequence[str], claimed: str) -> bool:
    """Take the row for this worker: one UPDATE that only succeeds while the row is still
    pending, so that of several workers (or several tasks queued for one row) exactly one
    sends it, on SQLite and PostgreSQL alike."""
    return model.objects.filter(pk=pk, state__in=list(pending)).update(state=claimed) == 1


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
