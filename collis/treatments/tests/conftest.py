import pytest


@pytest.fixture
def theirs(sites):
    """A patient of another unit (the signed-in staff of the tests belong to the default one)."""
    from collis.core.models import Organisation
    from collis.patients.tests.factories import PatientFactory
    from collis.sites.models import Site

    unit = Organisation.objects.create(code="north", name="Northern dystonia unit")
    site = Site.objects.create(code="north-clinic", name="Northern clinic",
                               address="1 North Road\nLeeds", postcode="LS1 1AA",
                               organisation=unit)
    return PatientFactory(given_name="Theirs", home_site=site)


@pytest.fixture
def a_colleague_reviews_at_once(monkeypatch):
    """Two reviews of one cycle at once: a colleague's review is committed just after our
    service has looked for one and before it inserts its own, so the database refuses the
    second insert. Returns a function that sets it up for a cycle and gives the colleague."""
    import datetime

    from collis.core.tests.factories import UserFactory
    from collis.treatments import selectors
    from collis.treatments.models import ToxinReview

    def arrange(cycle):
        colleague = UserFactory(first_name="Nia", last_name="Neuro")
        real = selectors.current_review_of
        done = []

        def look_then_colleague_commits(of):
            found = real(of)
            if not done:
                done.append(True)
                ToxinReview.objects.create(
                    cycle=cycle, reviewed_on=cycle.given_on + datetime.timedelta(weeks=8),
                    peak_benefit_percent=60, benefit_weeks=8, created_by=colleague)
            return found

        monkeypatch.setattr(selectors, "current_review_of", look_then_colleague_commits)
        return colleague

    return arrange
