"""Demo data in parts, one per app: ``manage.py seed_demo`` (``make run``) runs
the steps every installed app declares in its own ``demo.py``, found the way
the admin finds ``admin.py`` (``autodiscover_modules``), so the base app seeds
the apps built on it without knowing them::

    # leads/demo.py
    from crm.generic import demo

    @demo.step(order=200)
    def seed_leads(data: demo.DemoData) -> list[str]:
        ...                      # write through the services
        return ["leads"]         # the parts added ([] if already there)

Steps run in ``order`` (crm's 100 first, as the others use its users and
accounts; then leads' 200, sales' 300), in one transaction, with one random
generator, so the demo is the same on every machine. Each step seeds only the
parts the database lacks, so a second run adds nothing.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.module_loading import autodiscover_modules

# The demo is the same on every run: one generator, one seed.
SEED = 2026


@dataclass
class DemoData:
    """What the steps share: the random generator, and what earlier steps made
    that later ones use (crm's step fills ``users``: the database owner first,
    then the sales staff; and ``categories``)."""

    rng: random.Random
    users: list = field(default_factory=list)
    categories: list = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    order: int
    run: Callable[[DemoData], list[str]]

    @property
    def name(self) -> str:
        return f"{self.run.__module__}.{self.run.__qualname__}"


_steps: dict[str, Step] = {}


def step(order: int) -> Callable:
    """Declare a function ``(DemoData) -> list[str]`` (the parts it added) as a
    step of the demo, run in ``order`` (lower first)."""

    def register(run: Callable[[DemoData], list[str]]) -> Callable[[DemoData], list[str]]:
        declared = Step(order=order, run=run)
        _steps[declared.name] = declared
        return run

    return register


def steps() -> list[Step]:
    """Every installed app's steps, in the order they run."""
    autodiscover_modules("demo")
    return sorted(_steps.values(), key=lambda s: (s.order, s.name))


@transaction.atomic
def seed() -> list[str]:
    """Run every step; return the parts added, in order."""
    data = DemoData(rng=random.Random(SEED))
    added = []
    for declared in steps():
        added.extend(declared.run(data))
    return added
