"""List pages build their records without Model.__init__ (crm.generic.rows):
they must behave as the instances ``only()`` gives, leads (a proxy model) included."""
from crm.generic.rows import light_instances
from crm.models import BusinessContact, ListKind, ListValue
from crm.tests.factories import ContactFactory
from crm.views.records import ContactViewSet
from leads.models import Lead
from leads.tests.factories import LeadFactory
from leads.views import LeadViewSet


def test_light_instances_match_only(db, staff, django_assert_num_queries):
    source = ListValue.objects.get_or_create(kind=ListKind.SOURCE, name="Web")[0]
    ContactFactory(full_name="Anna Hansen", assigned_to=staff, business_city="Lyon")
    ContactFactory(full_name="Jean Dubois", assigned_to=None)
    LeadFactory(full_name="Lea Lead", source=source, assigned_to=staff, score=4)
    for viewset in (ContactViewSet, LeadViewSet):
        queryset = viewset.get_queryset(None).order_by("pk")
        expected = list(queryset.only(*viewset.list_fields))
        with django_assert_num_queries(1):
            records = light_instances(queryset, viewset.list_fields)
            assert [type(r) for r in records] == [type(r) for r in expected]
            for light, full in zip(records, expected):
                assert (light.pk, str(light), light.get_absolute_url()) == (full.pk, str(full), full.get_absolute_url())
                for name in viewset.list_fields:
                    head, _sep, rest = name.partition("__")
                    value = getattr(light, head)
                    assert (getattr(value, rest) if rest and value else value) == \
                           (getattr(getattr(full, head), rest) if rest and getattr(full, head) else getattr(full, head))
                if light.assigned_to:
                    assert light.assigned_to.get_full_name() == full.assigned_to.get_full_name()
    # A field that was not loaded is read on access, as with only().
    record = light_instances(BusinessContact.objects.filter(full_name="Anna Hansen"), ["full_name"])[0]
    with django_assert_num_queries(1):
        assert record.business_city == "Lyon"
    assert isinstance(light_instances(Lead.objects.all(), ["full_name"])[0], Lead)
