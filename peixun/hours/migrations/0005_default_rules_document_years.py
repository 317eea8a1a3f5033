"""The national default rules of every existing tenant carry their documents' years instead of
the tenant's creation year: the branch leaders' rules become the 2024–2028 plan's (same rows) and
gain the 2019–2023 plan's; the cadre rules hold from the 2023 regulation; the rest from 2019."""

from typing import Any

from django.db import migrations

OLD_PLAN = "全国党员教育培训工作规划"
PLAN_2019 = "《2019－2023年全国党员教育培训工作规划》"
PLAN_2024 = "《2024－2028年全国党员教育培训工作规划》"
OLD_CADRE_REGULATION = "《干部教育培训工作条例》第十四条"
CADRE_REGULATION_2023 = "《干部教育培训工作条例》（2023年）第十四条"
CADRE_PLAN_2023 = "《全国干部教育培训规划（2023－2027年）》"
FROM_2019 = ["党员每年集中学习培训不少于32学时", "发展对象集中培训不少于24学时"]
CADRE_RULES = [
    "乡科级及以下干部每年参加集中培训不少于90学时",
    "县处级以上干部每5年参加集中培训不少于550学时",
]


def document_years(apps: Any, schema_editor: Any) -> None:
    Requirement = apps.get_model("hours", "Requirement")
    defaults = Requirement.objects.filter(is_default=True)
    defaults.filter(name__in=FROM_2019).update(valid_from_year=2019, valid_to_year=None)
    defaults.filter(name__in=CADRE_RULES, source=OLD_CADRE_REGULATION).update(
        source=CADRE_REGULATION_2023, valid_from_year=2023, valid_to_year=None
    )
    defaults.filter(source=CADRE_PLAN_2023).update(valid_from_year=2023, valid_to_year=2027)
    for rule in defaults.filter(source=OLD_PLAN):
        earlier = Requirement.objects.get(pk=rule.pk)
        rule.source, rule.valid_from_year, rule.valid_to_year = PLAN_2024, 2024, 2028
        rule.save(update_fields=["source", "valid_from_year", "valid_to_year"])
        earlier.pk = None
        earlier.source, earlier.valid_from_year, earlier.valid_to_year = PLAN_2019, 2019, 2023
        earlier.save()


class Migration(migrations.Migration):
    dependencies = [
        ("hours", "0004_requirement_before_admission"),
    ]

    operations = [migrations.RunPython(document_years, migrations.RunPython.noop)]
