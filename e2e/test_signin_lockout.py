"""Browser test: signing in wrongly until sign-in is locked, then the owner unlocks it."""
import re

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import shoot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-2026"  # UserFactory's password


def test_wrong_passwords_lock_sign_in_until_the_owner_unlocks(page: Page, live_server, staff, owner, settings, sign_in,
                                                              browser, browser_context_args):
    page.set_default_timeout(5_000)
    page.goto(f"{live_server.url}/accounts/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
    lock = page.get_by_role("alert").filter(has_text="Too many failed sign-ins")
    expect(lock).to_be_visible()
    expect(lock).to_contain_text("locked for 15 minutes")
    expect(lock).to_contain_text("The database owner can unlock it sooner.")
    shoot(page, "signin-locked")

    # The right password is refused too, with the same message.
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(lock).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    # The owner, elsewhere, unlocks the account under Customize ▸ Sign-in locks.
    context = browser.new_context(**browser_context_args)
    owner_page = sign_in(context.new_page(), owner)
    owner_page.set_default_timeout(5_000)
    owner_page.goto(f"{live_server.url}/customize/")
    owner_page.get_by_role("link", name="Sign-in locks").click()
    expect(owner_page.get_by_role("cell", name="Account “alice”", exact=True)).to_be_visible()
    shoot(owner_page, "customize-signin-locks")
    owner_page.get_by_role("button", name="Unlock account “alice”").click()
    expect(owner_page.get_by_role("alert").filter(has_text="Sign-in is unlocked for the account “alice”.")).to_be_visible()
    expect(owner_page.get_by_text("Nobody is locked out.")).to_be_visible()
    context.close()

    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("button", name="Alice Martin")).to_be_visible()
