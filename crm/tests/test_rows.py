"""List pages build their records without Model.__init__ (crm.generic.rows):
they must behave as the instances ``only()`` gives."""
from crm.generic.rows import light_instances
from crm.models import BusinessContact


def test_what_light_instances_cannot_load_falls_back(db):
    assert light_instances(BusinessContact.objects.all(), ["account__assigned_to__username"]) is None
    assert light_instances(BusinessContact.objects.all(), ["categories"]) is None
    assert light_instances(BusinessContact.objects.all(), ["assigned_to"]) is None
