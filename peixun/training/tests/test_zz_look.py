from pathlib import Path
from django.utils import timezone
from peixun.training import documents
from peixun.training.selectors import certificate_facts, signin_sheets
from peixun.training.services.closing import class_close
from peixun.training.tests.test_closing_fixtures import closable_class, complete, mark_all
from peixun.training.tests.test_dispatch_fixtures import DispatchTestCase
from peixun.testing import PersonaTestCase, make_member
from peixun.training.models import Enrolment
from peixun.orgs.selectors import attach_ancestor_names

OUT = Path("/tmp/td/out")
OUT.mkdir(exist_ok=True)

class Look(DispatchTestCase):
    def test_notice_roster(self):
        e = self.d.enrolled
        (OUT / "notice.docx").write_bytes(documents.notice_docx(e))
        (OUT / "notice.pdf").write_bytes(documents.notice_pdf(e))
        for i in range(3):
            m = make_member(self.world.branch, f"学员{i}")
            Enrolment.objects.create(training_class=self.d.training_class, member=m, quota=self.d.quota, route="nominated", state="accepted")
        rows = list(Enrolment.objects.filter(training_class=self.d.training_class).select_related("member__org","quota__org"))
        attach_ancestor_names([r.member.org for r in rows])
        (OUT / "roster.docx").write_bytes(documents.roster_docx(self.d.training_class, rows))
        (OUT / "roster.pdf").write_bytes(documents.roster_pdf(self.d.training_class, rows))

class LookClosing(PersonaTestCase):
    def test_closing(self):
        c = closable_class(self.world)
        mark_all(c)
        complete(c, self.world.users["org_admin"])
        class_close(actor=self.world.users["org_admin"], training_class=c.training_class)
        c.training_class.refresh_from_db()
        sheets = signin_sheets(c.training_class)
        (OUT / "signin.docx").write_bytes(documents.signin_sheet_docx(c.training_class, sheets))
        (OUT / "signin.pdf").write_bytes(documents.signin_sheet_pdf(c.training_class, sheets))
        from peixun.training.selectors import class_credits
        print("CREDITS", class_credits(c.training_class), c.training_class.state)
        facts = certificate_facts(c.training_class, c.li)
        (OUT / "cert.docx").write_bytes(documents.certificate_docx(facts))
        (OUT / "cert.pdf").write_bytes(documents.certificate_pdf(facts))
