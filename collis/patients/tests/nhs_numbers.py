"""The NHS number as people may type it, and a simulated race of two registrations."""

from collis.patients.tests.factories import PatientFactory

NUMBER = "9434765919"


def spelt(digits: str, zero: int) -> str:
    """The number written with the digits of a script (`zero` is its digit zero)."""
    return "".join(chr(zero + int(d)) for d in digits)


ACCEPTED_SPELLINGS = {
    "fullwidth": spelt(NUMBER, 0xFF10),
    "fullwidth with spaces": " ".join([spelt("943", 0xFF10), spelt("476", 0xFF10),
                                       spelt("5919", 0xFF10)]),
    "mathematical bold": spelt(NUMBER, 0x1D7CE),
    "mathematical monospace": spelt(NUMBER, 0x1D7F6),
    "hyphens": "943-476-5919",
}
REFUSED_SPELLINGS = {
    "Arabic-Indic": spelt(NUMBER, 0x660),
    "Extended Arabic-Indic": spelt(NUMBER, 0x6F0),
    "Bengali": spelt(NUMBER, 0x9E6),
    "Devanagari": spelt(NUMBER, 0x966),
    "mixed scripts": NUMBER[:5] + spelt(NUMBER[5:], 0x660),
    "mixed fullwidth and Bengali": spelt(NUMBER[:5], 0xFF10) + spelt(NUMBER[5:], 0x9E6),
}


def racing_registration(monkeypatch):
    """Someone else's registration of the number is saved just after our duplicate check
    ran: the winner is in the database, and our check (run before it) found nobody."""
    from collis.patients import services

    real = services.nhs_number_taken
    checks = []

    def check(number, *, patient=None):
        checks.append(number)
        return False if len(checks) == 1 else real(number, patient=patient)

    winner = PatientFactory(nhs_number=NUMBER, given_name="Winner")
    monkeypatch.setattr(services, "nhs_number_taken", check)
    return [winner]
