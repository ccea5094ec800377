"""Webhook signing secrets encrypted at rest: the columns become text, the rows already
there are encrypted in place, then the fields encrypt and decrypt on their own."""

from django.db import migrations, models

import accounts.encryption

SECRET_FIELDS = ("secret", "previous_secret")


def _convert(apps, convert) -> None:
    # The historical model's fields are plain text here, so the stored values are read and
    # written exactly as they are.
    endpoints = apps.get_model("webhooks", "WebhookEndpoint")
    for pk, *values in endpoints.objects.values_list("pk", *SECRET_FIELDS).iterator():
        changed = {name: convert(value) if value else value for name, value in zip(SECRET_FIELDS, values, strict=True)}
        endpoints.objects.filter(pk=pk).update(**changed)


def encrypt_existing(apps, schema_editor) -> None:
    _convert(apps, accounts.encryption.encrypt)


def decrypt_existing(apps, schema_editor) -> None:
    _convert(apps, accounts.encryption.decrypt)


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0003_drop_redundant_fk_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret",
            field=models.TextField(editable=False),
        ),
        migrations.AlterField(
            model_name="webhookendpoint",
            name="previous_secret",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing, elidable=False),
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret",
            field=accounts.encryption.EncryptedTextField(editable=False),
        ),
        migrations.AlterField(
            model_name="webhookendpoint",
            name="previous_secret",
            field=accounts.encryption.EncryptedTextField(blank=True, editable=False),
        ),
    ]
