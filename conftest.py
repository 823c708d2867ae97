"""Fixtures shared by every test: users of both roles, signed-in clients,
uploads in a temporary folder, and Playwright pointed at Debian's Chromium."""
import os

import pytest

# The shared view-test mixins live outside test modules: show their failed asserts' values too.
pytest.register_assert_rewrite("crm.generic.testing")

# pytest-django's database access runs inside Playwright's event loop in e2e tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Uploaded files go to a throwaway folder; passwords hash fast (tests only)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    # A page rendered in another language leaves it active in this thread; the
    # next test's messages (e.g. a service's error) must be in English again.
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def shipped_stages(db):
    """The shipped sales stages, activities and lists, also in a transactional
    test that runs after another one flushed them."""
    from sales.tests.factories import ensure_shipped_stages

    ensure_shipped_stages()


@pytest.fixture
def owner(db):
    from crm.tests.factories import OwnerFactory

    return OwnerFactory(username="owner", first_name="Olivia", last_name="Owner")


@pytest.fixture
def staff(db):
    from crm.tests.factories import UserFactory

    return UserFactory(username="alice", first_name="Alice", last_name="Martin")


@pytest.fixture
def other_staff(db):
    from crm.tests.factories import UserFactory

    return UserFactory(username="bob", first_name="Bob", last_name="Nowak")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture(params=["owner", "superuser"])
def admin_user(request, db):
    """The Django admin's user, both kinds of database owner: a member of the
    group (not a superuser), and a superuser (replaces pytest-django's)."""
    from crm.tests.admin_forms import owner_not_superuser, superuser

    return owner_not_superuser() if request.param == "owner" else superuser()


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, headless, with no call home (there is no network)."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    }
