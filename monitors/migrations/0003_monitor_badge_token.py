import secrets

from django.db import migrations, models

import monitors.models


def fill_badge_tokens(apps, schema_editor):
    Monitor = apps.get_model("monitors", "Monitor")
    for monitor in Monitor.objects.filter(badge_token__isnull=True).only("id").iterator():
        Monitor.objects.filter(pk=monitor.pk).update(badge_token=secrets.token_urlsafe(16))


class Migration(migrations.Migration):
    dependencies = [("monitors", "0002_check_results")]

    operations = [
        migrations.AddField(
            model_name="monitor",
            name="badge_token",
            field=models.CharField(max_length=32, null=True, editable=False),
        ),
        migrations.RunPython(fill_badge_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="monitor",
            name="badge_token",
            field=models.CharField(
                default=monitors.models.new_badge_token, editable=False, max_length=32, unique=True
            ),
        ),
    ]
