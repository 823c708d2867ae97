"""Demo steps (crm.generic.demo): each app declares its part of the demo in its
own demo.py; the steps run in their order, in one transaction, sharing their data."""
import random

import pytest
from django.contrib.auth.models import User

from crm.generic import demo
from crm.models import Account

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_steps(monkeypatch):
    """An empty list of steps (the apps' modules are imported already, so none comes back)."""
    demo.steps()
    monkeypatch.setattr(demo, "_steps", {})


def test_steps_run_in_their_order_and_share_what_they_made(no_steps):
    seen = []

    @demo.step(order=300)
    def late(data):
        seen.append(("late", list(data.users)))
        return ["late part"]

    @demo.step(order=100)
    def early(data):
        data.users = ["someone"]
        seen.append(("early", data.rng.random()))
        return ["early part"]

    assert demo.seed() == ["early part", "late part"]
    assert seen[1] == ("late", ["someone"])
    # One seed: the same demo every time.
    demo.seed()
    assert seen[0] == seen[2]


def test_a_failing_step_leaves_nothing(no_steps):
    @demo.step(order=100)
    def accounts(data):
        Account.objects.create(name="Half-made")
        return ["accounts"]

    @demo.step(order=200)
    def broken(data):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        demo.seed()
    assert not Account.objects.exists()


def test_crm_seeds_its_own_part_first():
    [first, *_others] = demo.steps()
    assert first.run.__module__ == "crm.demo"
    data = demo.DemoData(rng=random.Random(demo.SEED))
    assert first.run(data) == ["accounts and business contacts"]
    assert [user.username for user in data.users] == ["owner", "alice", "bob"]
    assert Account.objects.count() == 10 and User.objects.count() == 3
    assert first.run(data) == []
