"""Chain the events recorded before the trail became a hash chain, in id order, and write the
chain's head row (pk 1) that every later append locks."""

from typing import Any

from django.db import migrations

from peixun.core.audit import event_hash
from peixun.core.models import GENESIS_HASH

CHUNK = 2000


def chain_existing(apps: Any, schema_editor: Any) -> None:
    event_model = apps.get_model("core", "AuditEvent")
    chain_model = apps.get_model("core", "AuditChain")
    prev = GENESIS_HASH
    last_id = None
    after = 0
    while True:
        rows = list(event_model.objects.filter(pk__gt=after).order_by("pk")[:CHUNK])
        if not rows:
            break
        for row in rows:
            row.prev_hash = prev
            row.hash = prev = event_hash(row, prev)
        event_model.objects.bulk_update(rows, ["prev_hash", "hash"])
        after = last_id = rows[-1].pk
    chain_model.objects.update_or_create(
        pk=1, defaults={"last_hash": prev, "last_event_id": last_id}
    )


def unchain(apps: Any, schema_editor: Any) -> None:
    apps.get_model("core", "AuditChain").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0005_audit_hash_chain")]

    operations = [migrations.RunPython(chain_existing, unchain)]
