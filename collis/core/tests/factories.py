import factory

from collis.core.models import AccountType, Organisation, User
from collis.core.roles import Role

PASSWORD = "correct-horse-battery"  # noqa: S105


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    account_type = AccountType.STAFF
    role = Role.NEUROLOGIST
    organisation = factory.LazyFunction(lambda: Organisation.objects.default())
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
