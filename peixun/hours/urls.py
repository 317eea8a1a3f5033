from django.urls import path

from .views import archive, compliance, ledger, rules

app_name = "hours"
urlpatterns = [
    path("record/", ledger.record, name="record"),
    path("entries/", ledger.entry_list, name="entries"),
    path("entries/<int:pk>/reverse/", ledger.entry_reverse, name="reverse"),
    path("entries/<int:pk>/evidence/", ledger.entry_evidence, name="evidence"),
    path("entries/<int:pk>/approve/", ledger.entry_approve, name="approve"),
    path("entries/<int:pk>/reject/", ledger.entry_reject, name="reject"),
    path("pending/", ledger.pending, name="pending"),
    path("pending/approve/", ledger.entries_approve, name="approve_bulk"),
    path("self-study/", ledger.self_study_list, name="self_study"),
    path("self-study/new/", ledger.self_study_new, name="self_study_new"),
    path("rules/", rules.rule_list, name="rules"),
    path("rules/new/", rules.rule_new, name="rule_new"),
    path("rules/audience/", rules.rule_audience, name="rule_audience"),
    path("rules/<int:pk>/retire/", rules.rule_retire, name="rule_retire"),
    path("certificates/", archive.certificate_index, name="certificates"),
    path("certificates/<int:pk>.<str:fmt>", archive.certificate_download, name="certificate"),
]

# The second namespace, "compliance", included by peixun/urls.py at compliance/.
compliance_patterns = (
    [
        path("", compliance.compliance_index, name="index"),
        path("orgs/<int:pk>/", compliance.org_page, name="org"),
        path("orgs/<int:pk>/ledger.xlsx", compliance.ledger_download, name="ledger"),
        path("orgs/<int:pk>/members/", compliance.drilldown, name="drilldown"),
        path("orgs/<int:pk>/members.xlsx", compliance.drilldown_download, name="drilldown_export"),
        path("members/<int:pk>/", compliance.member_page, name="member"),
        path("members/<int:pk>/print/", archive.archive_print, name="archive_print"),
        path("members/<int:pk>/certificate/", archive.certificate_new, name="certificate_new"),
    ],
    "compliance",
)
