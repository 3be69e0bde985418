"""Recovery codes kept as keyed digests in a device of Collis's own: the codes of
django-otp's static devices (which keeps them as typed) move over as digests, and the
static devices are deleted."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils.crypto import salted_hmac

# As collis.portal.models.recovery_code_digest at the time of this migration.
SALT = "collis.portal.recovery-code"


def codes_to_digests(apps, schema_editor):
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    RecoveryCodeDevice = apps.get_model("portal", "RecoveryCodeDevice")
    RecoveryCode = apps.get_model("portal", "RecoveryCode")
    for static in StaticDevice.objects.all():
        device = RecoveryCodeDevice.objects.create(user_id=static.user_id, name=static.name,
                                                   confirmed=static.confirmed)
        RecoveryCode.objects.bulk_create([
            RecoveryCode(device=device, digest=salted_hmac(
                SALT, "".join(token.token.split()).lower(), algorithm="sha256").hexdigest())
            for token in static.token_set.all()])
        static.delete()


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0001_initial'),
        ('otp_static', '0003_add_timestamps'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RecoveryCodeDevice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                ('created_at', models.DateTimeField(auto_now_add=True, help_text='The date and time when this device was initially created in the system.', null=True)),
                ('last_used_at', models.DateTimeField(blank=True, help_text='The most recent date and time this device was used.', null=True)),
                ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='RecoveryCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('digest', models.CharField(db_index=True, max_length=64)),
                ('device', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='codes', to='portal.recoverycodedevice')),
            ],
        ),
        migrations.RunPython(codes_to_digests, migrations.RunPython.noop),
    ]
