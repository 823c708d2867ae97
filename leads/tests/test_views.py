"""Lead pages: the shared record view tests, scoring on the form, convert, new lead from e-mail.
(The criteria page and the live score: crm/tests/test_scoring_views.py.)"""
import re

import pytest
from django.urls import reverse

from crm.generic.testing import ImportViewTests, RecordViewTests
from crm.models import BusinessContact, ChangeLogEntry, CriterionMet, ListValue, ScoringCriterion
from crm.tests.factories import AccountFactory, criteria_met, full_person
from leads.models import Lead
from leads.tests.factories import LeadFactory


class TestLeadViews(RecordViewTests, ImportViewTests):
    record_type = "lead"
    factory = LeadFactory
    title_field = "full_name"
    form_data = {"full_name": "Nora Lead", "score_type": "automatic"}
    bulk_edit_data = {"field": "job_title", "value": "Buyer"}
    # The message of "New lead from e-mail" travels in it only on a new lead's form.
    round_trip_blank = ("from_email",)

    def full_record(self):
        return full_person(LeadFactory)

    def related_state(self, record) -> dict:
        return {"criteria": criteria_met(record)}

    import_key = "E-mail Address"
    import_change = ("Job Title", "job_title", "Chief buyer")



pytestmark = pytest.mark.django_db


def test_full_name_is_the_only_required_field(staff_client, staff):
    response = staff_client.post(reverse("leads:lead_add"), {"full_name": "Only A Name"})
    lead = Lead.objects.get()
    assert response["Location"] == lead.get_absolute_url()
    assert (lead.is_lead, lead.file_as, lead.score, lead.assigned_to) == (True, "Name, Only A", 0, None)


def test_new_lead_form_assigns_to_me_by_default(staff_client, staff):
    body = staff_client.get(reverse("leads:lead_add")).content.decode()
    assert f'<option value="{staff.pk}" selected>' in body


def test_ticked_criteria_score_the_lead(staff_client):
    budget = ScoringCriterion.objects.get(description="Has a budget")
    need = ScoringCriterion.objects.get(description="Has a need for our product or service")
    staff_client.post(reverse("leads:lead_add"), {"full_name": "Scored Lead", "score_type": "automatic",
                                                   "criteria": [budget.pk, need.pk]})
    lead = Lead.objects.get()
    assert lead.score == 3  # 5 × 6/10
    assert set(CriterionMet.objects.values_list("criterion", flat=True)) == {budget.pk, need.pk}


def test_manual_score_stands_regardless_of_criteria(staff_client):
    budget = ScoringCriterion.objects.get(description="Has a budget")
    staff_client.post(reverse("leads:lead_add"), {"full_name": "Manual Lead", "score_type": "manual",
                                                   "manual_score": "4", "criteria": [budget.pk]})
    lead = Lead.objects.get()
    assert (lead.score, lead.auto_score, lead.manual_score) == (4, 2, 4)


def test_manual_score_out_of_range_is_refused(staff_client):
    response = staff_client.post(reverse("leads:lead_add"), {"full_name": "Bad", "score_type": "manual", "manual_score": "9"})
    assert "Select a valid choice. 9 is not one of the available choices." in response.content.decode()
    assert not Lead.objects.exists()


def test_editing_keeps_and_changes_ticks(staff_client):
    lead = LeadFactory()
    budget = ScoringCriterion.objects.get(description="Has a budget")
    CriterionMet.objects.create(contact=lead, criterion=budget)
    form = staff_client.get(reverse("leads:lead_edit", args=[lead.pk])).content.decode()
    ticked = re.search(rf'<input[^>]*name="criteria" value="{budget.pk}"[^>]*>', form).group(0)
    box_id = re.search(r'id="([^"]+)"', ticked).group(1)
    assert "checked" in ticked
    assert re.search(rf'<label[^>]*for="{box_id}"[^>]*>\s*Has a budget \(High\)', form)  # the weight, as read
    staff_client.post(reverse("leads:lead_edit", args=[lead.pk]),
                      {"full_name": lead.full_name, "score_type": "automatic", "version": lead.version})
    assert not CriterionMet.objects.exists()
    assert ChangeLogEntry.objects.filter(object_id=lead.pk, changes__has_key="criteria").exists()


def test_source_typed_in_is_added_to_the_list(staff_client):
    staff_client.post(reverse("leads:lead_add"), {"full_name": "From A Fair", "source": "  Trade   fair 2026 "})
    lead = Lead.objects.get()
    assert lead.source.name == "Trade fair 2026"
    assert ListValue.objects.filter(kind="source", name="Trade fair 2026").count() == 1
    staff_client.post(reverse("leads:lead_add"), {"full_name": "Another", "source": "trade FAIR 2026"})
    assert ListValue.objects.filter(kind="source", name__iexact="trade fair 2026").count() == 1


def test_source_too_long_is_refused(staff_client):
    response = staff_client.post(reverse("leads:lead_add"), {"full_name": "X", "source": "s" * 101})
    assert "Ensure this value has at most 100 characters (it has 101)." in response.content.decode()
    assert not Lead.objects.exists() and not ListValue.objects.filter(name="s" * 101).exists()


def test_initiated_by_an_account(staff_client):
    account = AccountFactory(name="Referrer Inc")
    staff_client.post(reverse("leads:lead_add"), {"full_name": "Referred", "initiated_by": f"account:{account.pk}"})
    lead = Lead.objects.get()
    assert lead.initiated_by_account == account and lead.initiated_by_contact is None
    body = staff_client.get(reverse("leads:lead_edit", args=[lead.pk])).content.decode()
    assert f'value="account:{account.pk}"' in body and "Referrer Inc" in body


def test_initiated_by_a_missing_record_is_refused(staff_client):
    response = staff_client.post(reverse("leads:lead_add"), {"full_name": "Referred", "initiated_by": "contact:99999"})
    assert "That record no longer exists." in response.content.decode()
    assert not Lead.objects.exists()


def test_leads_and_contacts_are_separate_lists(staff_client):
    LeadFactory(full_name="Only A Lead")
    BusinessContact.objects.create(full_name="Only A Contact", file_as="Only A Contact")
    leads = staff_client.get(reverse("leads:lead_list")).content.decode()
    contacts = staff_client.get(reverse("crm:contact_list")).content.decode()
    assert "Only A Lead" in leads and "Only A Contact" not in leads
    assert "Only A Contact" in contacts and "Only A Lead" not in contacts


def test_rating_filter(staff_client):
    LeadFactory(full_name="Hot Lead", score=4)
    LeadFactory(full_name="Cold Lead", score=1)
    body = staff_client.get(reverse("leads:lead_list"), {"rating": 3}).content.decode()
    assert "Hot Lead" in body and "Cold Lead" not in body


def test_rating_filter_offers_any_rating_first(staff_client):
    """The Rating filter starts on "any": the filter form, sent as the browser
    sends it on any change, keeps unrated leads."""
    LeadFactory(full_name="Unrated Lead", score=0)
    url = reverse("leads:lead_list")
    body = staff_client.get(url).content.decode()
    select = body[body.index('name="rating"'):]
    select = select[:select.index("</select>")]
    assert re.search(r'<option value=""[^>]*>Any rating</option>\s*<option value="1">', select)
    body = staff_client.get(url, {"q": "", "rating": "", "score_type": "", "sort": ""}).content.decode()
    assert "Unrated Lead" in body and "1 record" in body


def test_bulk_edit_sets_manual_scores(staff_client):
    leads = LeadFactory.create_batch(2)
    staff_client.post(reverse("leads:lead_bulk", args=["edit"]),
                      {"pk": [l.pk for l in leads], "field": "score_type", "value": "manual", "_apply": "1"})
    staff_client.post(reverse("leads:lead_bulk", args=["edit"]),
                      {"pk": [l.pk for l in leads], "field": "manual_score", "value": "5", "_apply": "1"})
    assert list(Lead.objects.values_list("score", flat=True)) == [5, 5]


class TestConvertViews:
    def test_convert_one_opens_the_contact_form(self, staff_client):
        lead = LeadFactory()
        response = staff_client.post(reverse("leads:lead_convert", args=[lead.pk]))
        assert response["Location"] == reverse("crm:contact_edit", args=[lead.pk])
        assert BusinessContact.objects.get(pk=lead.pk).is_lead is False
        assert lead.full_name in staff_client.get(reverse("crm:contact_list")).content.decode()

    def test_convert_twice_says_so(self, staff_client):
        lead = LeadFactory()
        staff_client.post(reverse("leads:lead_convert", args=[lead.pk]))
        response = staff_client.post(reverse("leads:lead_convert", args=[lead.pk]), follow=True)
        assert response.status_code == 404 or "already a business contact" in response.content.decode()

    def test_convert_and_create_an_opportunity(self, staff_client, staff):
        from sales.models import Opportunity

        lead = LeadFactory(company_name="Fjord Foods")
        page = staff_client.get(reverse("leads:lead_convert", args=[lead.pk])).content.decode()
        assert "Also create an opportunity" in page and 'value="Fjord Foods"' in page
        response = staff_client.post(reverse("leads:lead_convert", args=[lead.pk]),
                                     {"create_opportunity": "on", "opportunity_title": "Fjord Foods: pilot"}, follow=True)
        assert "with the opportunity “Fjord Foods: pilot”" in response.content.decode()
        opportunity = Opportunity.objects.get()
        assert (opportunity.contact_id, opportunity.stage.is_default, opportunity.assigned_to) == (lead.pk, True, staff)
        assert BusinessContact.objects.get(pk=lead.pk).is_lead is False

    def test_opportunity_without_a_title_is_refused_and_nothing_converts(self, staff_client):
        from sales.models import Opportunity

        lead = LeadFactory()
        response = staff_client.post(reverse("leads:lead_convert", args=[lead.pk]),
                                     {"create_opportunity": "on", "opportunity_title": "  "})
        assert "Enter the opportunity&#x27;s title." in response.content.decode()
        assert Lead.objects.filter(pk=lead.pk).exists() and not Opportunity.objects.exists()

    def test_bulk_convert(self, staff_client):
        leads = LeadFactory.create_batch(3)
        response = staff_client.post(reverse("leads:lead_bulk", args=["convert"]),
                                     {"pk": [l.pk for l in leads[:2]], "_apply": "1"}, follow=True)
        assert "2 leads converted to business contacts." in response.content.decode()
        assert Lead.objects.count() == 1


class TestLeadFromEmail:
    RAW = ("From: \"Hansen, Anna\" <anna@example.com>\nTo: sales@ourco.example\nSubject: Quote please\n"
           "Date: Mon, 16 Nov 2026 09:30:00 +0100\n\nCould you send a quote for 200 chairs?")

    def test_upload_opens_a_prefilled_form_and_saving_keeps_the_message(self, staff_client):
        """The form the page renders, submitted as it is, keeps the message (the
        hidden field that carries it was not rendered before)."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from crm.generic.testing import submitted_form
        from crm.models import HistoryItem

        upload = SimpleUploadedFile("quote.eml", self.RAW.encode(), content_type="message/rfc822")
        response = staff_client.post(reverse("leads:lead_from_email"), {"message_file": upload})
        form_page = staff_client.get(response["Location"]).content.decode()
        assert 'value="Anna Hansen"' in form_page and 'value="anna@example.com"' in form_page
        form = submitted_form(form_page, class_="record-form")
        staff_client.post(reverse("leads:lead_add"), {**form, "_save_close": [""]})
        lead = Lead.objects.get()
        item = HistoryItem.objects.get()
        assert (item.kind, item.subject, item.email_from) == ("email", "Quote please", "Anna Hansen <anna@example.com>")
        assert "200 chairs" in item.body and item.links.get().object_id == lead.pk
        assert item.occurred_at.isoformat().startswith("2026-11-16T08:30:00")
        assert "Quote please" in staff_client.get(reverse("leads:lead_history", args=[lead.pk])).content.decode()

    def test_a_known_sender_is_offered_instead_of_a_second_lead(self, staff_client):
        from crm.models import HistoryItem
        from crm.tests.factories import ContactFactory

        known = ContactFactory(full_name="Anna Hansen", email="Anna@Example.com")
        response = staff_client.post(reverse("leads:lead_from_email"), {"raw": self.RAW})
        body = response.content.decode()
        assert response.status_code == 200 and "This sender is already in the CRM" in body
        assert known.get_absolute_url() in body and "Open existing" in body and "Create anyway" in body
        assert not Lead.objects.exists()
        # Keep the message in the existing contact's history: no second record.
        token = re.search(r'name="token" value="([^"]+)"', body).group(1)
        response = staff_client.post(reverse("leads:lead_from_email_attach"), {"token": token, "record": known.pk})
        assert response["Location"] == reverse("crm:contact_history", args=[known.pk])
        item = HistoryItem.objects.get()
        assert item.subject == "Quote please" and item.links.get().object_id == known.pk
        assert BusinessContact.objects.count() == 1

    def test_create_anyway_opens_the_new_lead_form(self, staff_client):
        from crm.tests.factories import ContactFactory

        ContactFactory(full_name="Anna Hansen", email="anna@example.com")
        body = staff_client.post(reverse("leads:lead_from_email"), {"raw": self.RAW}).content.decode()
        create_anyway = re.search(r'href="([^"]+)">Create anyway', body).group(1).replace("&amp;", "&")
        form_page = staff_client.get(create_anyway).content.decode()
        assert 'value="Anna Hansen"' in form_page and 'name="from_email"' in form_page

    def test_attach_with_an_unknown_record_changes_nothing(self, staff_client):
        from crm.models import HistoryItem
        from crm.tests.factories import ContactFactory

        ContactFactory(email="anna@example.com")
        other = ContactFactory(email="someone@else.example")
        body = staff_client.post(reverse("leads:lead_from_email"), {"raw": self.RAW}).content.decode()
        token = re.search(r'name="token" value="([^"]+)"', body).group(1)
        response = staff_client.post(reverse("leads:lead_from_email_attach"), {"token": token, "record": other.pk})
        assert response.status_code == 404 and not HistoryItem.objects.exists()
        response = staff_client.post(reverse("leads:lead_from_email_attach"), {"token": "nope", "record": other.pk},
                                     follow=True)
        assert "This message has expired; read it again." in response.content.decode()

    @pytest.mark.parametrize("record", ["", "abc", "99999999999999999999", "\x00"])
    def test_attach_to_an_odd_record_is_not_found(self, staff_client, record):
        from crm.models import HistoryItem
        from crm.tests.factories import ContactFactory

        ContactFactory(email="anna@example.com")
        body = staff_client.post(reverse("leads:lead_from_email"), {"raw": self.RAW}).content.decode()
        token = re.search(r'name="token" value="([^"]+)"', body).group(1)
        response = staff_client.post(reverse("leads:lead_from_email_attach"), {"token": token, "record": record})
        assert response.status_code == 404 and not HistoryItem.objects.exists()

    def test_pasted_message(self, staff_client):
        response = staff_client.post(reverse("leads:lead_from_email"), {"raw": self.RAW})
        assert response.status_code == 302 and "full_name=Anna+Hansen" in response["Location"]

    def test_malformed_message_is_refused_clearly(self, staff_client):
        response = staff_client.post(reverse("leads:lead_from_email"), {"raw": "just some text without headers"})
        assert "This is not an e-mail message: it has no headers." in response.content.decode()
        assert not Lead.objects.exists()

    def test_nothing_given(self, staff_client):
        response = staff_client.post(reverse("leads:lead_from_email"), {})
        assert "Choose an .eml file or paste a message." in response.content.decode()

    def test_outlook_msg_file_is_explained(self, staff_client):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("quote.msg", b"\xd0\xcf\x11\xe0binary", content_type="application/vnd.ms-outlook")
        response = staff_client.post(reverse("leads:lead_from_email"), {"message_file": upload})
        assert "Outlook .msg files cannot be read." in response.content.decode()

    def test_a_message_over_the_limit_is_refused(self, staff_client, settings):
        from django.core.files.uploadedfile import SimpleUploadedFile

        settings.CRM_MAX_UPLOAD_SIZE = 50
        upload = SimpleUploadedFile("big.eml", self.RAW.encode())
        response = staff_client.post(reverse("leads:lead_from_email"), {"message_file": upload})
        assert "the limit is 50\xa0bytes" in response.content.decode()


def test_manual_score_is_drawn_as_stars(staff_client):
    body = staff_client.get(reverse("leads:lead_add")).content.decode()
    assert 'role="radiogroup"' in body and "4 ★" in body


def test_bulk_editing_the_manual_score_makes_it_the_score(staff_client):
    """Edit several at once ▸ Manual score ▸ 4: the leads show 4 stars (score type manual)."""
    leads = LeadFactory.create_batch(2)
    response = staff_client.post(reverse("leads:lead_bulk", args=["edit"]), {
        "pk": [lead.pk for lead in leads], "field": "manual_score", "value": "4", "_apply": "1"})
    assert response.status_code == 302
    for lead in leads:
        lead.refresh_from_db()
        assert (lead.score_type, lead.manual_score, lead.score) == ("manual", 4, 4)
    body = staff_client.get(reverse("leads:lead_list"), {"rating": 4}).content.decode()
    assert all(lead.full_name in body for lead in leads)


def test_renaming_a_lead_on_the_form_moves_first_last_and_file_as(staff_client):
    from crm.generic.testing import submitted_form

    lead = LeadFactory(full_name="Anna Hansen", first_name="Anna", last_name="Hansen", file_as="Hansen, Anna")
    form = submitted_form(staff_client.get(reverse("leads:lead_edit", args=[lead.pk])).content.decode(),
                          class_="record-form")
    form["full_name"] = ["Anna Berg"]
    assert staff_client.post(reverse("leads:lead_edit", args=[lead.pk]), {**form, "_save_close": [""]}).status_code == 302
    lead.refresh_from_db()
    assert (lead.first_name, lead.last_name, lead.file_as) == ("Anna", "Berg", "Berg, Anna")


def test_renaming_by_bulk_edit_moves_first_last_and_file_as(staff_client):
    lead = LeadFactory(full_name="Anna Hansen", first_name="Anna", last_name="Hansen", file_as="Hansen, Anna")
    response = staff_client.post(reverse("leads:lead_bulk", args=["edit"]), {
        "pk": [lead.pk], "field": "full_name", "value": "Anna Berg", "_apply": "1"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.first_name, lead.last_name, lead.file_as) == ("Anna", "Berg", "Berg, Anna")


def test_convert_then_save_the_contact_form_as_shown_keeps_the_categories(staff_client):
    """Convert to Business Contact opens the contact form; Save & Close with no
    change keeps the categories (they were erased) and logs nothing."""
    from crm.generic.testing import submitted_form
    from crm.tests.factories import CategoryFactory

    lead = full_person(LeadFactory)
    response = staff_client.post(reverse("leads:lead_convert", args=[lead.pk]), {})
    assert response["Location"] == reverse("crm:contact_edit", args=[lead.pk])
    entries = ChangeLogEntry.objects.count()
    form = submitted_form(staff_client.get(response["Location"]).content.decode(), class_="record-form")
    assert staff_client.post(response["Location"], {**form, "_save_close": [""]}).status_code == 302
    contact = BusinessContact.objects.get(pk=lead.pk)
    assert sorted(c.name for c in contact.categories.all()) == ["Key customer", "Partner"]
    assert ChangeLogEntry.objects.count() == entries
    assert CategoryFactory._meta.model.objects.count() == 2


def test_a_score_is_drawn_alike_in_the_list_on_the_record_page_and_on_the_form(staff_client):
    lead = LeadFactory(full_name="Tess Three", file_as="Three, Tess", score_type="manual", manual_score=3, score=3)
    glyphs = '<span class="text-warning" aria-hidden="true">★★★☆☆</span>'
    for url in (reverse("leads:lead_list"), lead.get_absolute_url(), reverse("leads:lead_edit", args=[lead.pk])):
        body = staff_client.get(url).content.decode()
        assert glyphs in body and "3 of 5 stars" in body, url


@pytest.mark.django_db
def test_the_rating_filter_reads_in_the_users_language(staff_client, staff):
    """Its choices were made into English text when the module loaded."""
    from crm.models import UserPreferences

    UserPreferences.objects.create(user=staff, language="fr")
    staff_client.post("/preferences/", {"language": "fr"})
    body = staff_client.get("/leads/").content.decode()
    assert "3 stars or more" not in body and "3 étoiles ou plus" in body
