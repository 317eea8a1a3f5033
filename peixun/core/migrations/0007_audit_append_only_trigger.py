"""On PostgreSQL the database itself refuses to change or delete audit events: a trigger raises
on UPDATE and DELETE unless the transaction set `peixun.audit_purge` to on (only
`core.audit.audit_purge` does, for the retention purge). SQLite relies on the model's refusal
and on `manage.py audit_verify`."""

from typing import Any

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION peixun_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('peixun.audit_purge', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % on core_auditevent refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION peixun_audit_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS peixun_audit_append_only();
"""


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0006_chain_existing_audit_events")]

    operations = [migrations.RunPython(forward, backward)]
