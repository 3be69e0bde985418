"""Sending text messages: a backend class chosen by the COLLIS_SMS_BACKEND setting, the way
Django chooses its email backend. Collis ships a console backend (prints each message, for
`make run`) and a memory one (for tests); a provider's backend subclasses BaseSmsBackend."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True, slots=True)
class TextMessage:
    to: str
    text: str


class BaseSmsBackend:
    """Sends one text message or raises; returns the provider's id for it, if any."""

    def send(self, message: TextMessage) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    def __init__(self, stream=None):
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def send(self, message: TextMessage) -> str:
        with self._lock:
            self.stream.write(f"Text message to {message.to}:\n{message.text}\n{'-' * 40}\n")
            self.stream.flush()
        return ""


# What the memory backend sent, oldest first (tests read and clear it, like mail.outbox).
outbox: list[TextMessage] = []


class LocmemBackend(BaseSmsBackend):
    def send(self, message: TextMessage) -> str:
        outbox.append(message)
        return str(len(outbox))


def sms_backend() -> BaseSmsBackend:
    return import_string(settings.COLLIS_SMS_BACKEND)()


def sms_send(*, to: str, text: str) -> str:
    return sms_backend().send(TextMessage(to=to, text=text))
