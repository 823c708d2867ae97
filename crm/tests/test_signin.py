"""Sign-in throttling: failed sign-ins are counted per account and per
address in the database (shared by every server process); past the limit
sign-in is refused with a clear message until the wait is over or the
database owner unlocks it."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from crm import selectors, services

PASSWORD = "pw-for-tests-2026"  # UserFactory's password
HOME = "10.1.1.1"
ELSEWHERE = "10.2.2.2"


def sign_in(client, username: str, password: str, address: str = HOME):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username: str, times: int, address: str = HOME):
    for _ in range(times):
        response = sign_in(client, username, "wrong-password", address)
    return response


def signed_in(response) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


@pytest.fixture
def limit(settings):
    return settings.AXES_FAILURE_LIMIT


def test_right_password_after_the_limit_is_refused_with_the_message(client, staff, limit):
    response = fail(client, "alice", limit - 1)
    # Below the limit: the usual "wrong password" answer.
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()

    response = fail(client, "alice", 1)  # the limit-th failure locks
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-ins" in page
    assert "15 minutes" in page
    assert "database owner can unlock" in page

    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(response)
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_is_kept_in_the_database(client, staff, limit):
    """Another server process sees the same lock: it is rows in the database, not a process's cache."""
    from axes.models import AccessAttempt

    fail(client, "alice", limit)
    assert AccessAttempt.objects.filter(username="alice").exists()
    assert [lock.value for lock in selectors.signin_locks()] == ["alice", HOME]


def test_unlocking_lets_the_user_in(client, staff, limit):
    fail(client, "alice", limit)
    services.signin_unlock(username="alice")
    services.signin_unlock(ip_address=HOME)
    assert signed_in(sign_in(client, "alice", PASSWORD))


def test_another_account_from_another_address_is_not_blocked(client, staff, other_staff, limit):
    fail(client, "alice", limit)
    assert signed_in(sign_in(client, "bob", PASSWORD, ELSEWHERE))


def test_a_locked_account_is_locked_from_every_address(client, staff, limit):
    """Policy: guessing one account's password from many addresses is stopped too."""
    fail(client, "alice", limit, HOME)
    response = sign_in(client, "alice", PASSWORD, ELSEWHERE)
    assert response.status_code == 429 and not signed_in(response)


def test_a_locked_address_is_locked_for_every_account(client, staff, other_staff, limit):
    """Policy: trying many accounts from one address is stopped too."""
    for n in range(limit):
        sign_in(client, f"guess{n}", "wrong-password", HOME)
    response = sign_in(client, "bob", PASSWORD, HOME)
    assert response.status_code == 429 and not signed_in(response)
    assert signed_in(sign_in(client, "bob", PASSWORD, ELSEWHERE))


def test_the_lock_ends_after_the_wait(client, staff, limit, settings):
    from axes.models import AccessAttempt

    fail(client, "alice", limit)
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1))
    assert selectors.signin_locks() == []
    assert signed_in(sign_in(client, "alice", PASSWORD))


def test_failures_below_the_limit_do_not_lock(client, staff, limit):
    fail(client, "alice", limit - 1)
    assert signed_in(sign_in(client, "alice", PASSWORD))


def test_proxy_address_is_read_from_x_forwarded_for(client, staff, other_staff, limit, settings):
    """Behind a reverse proxy every request comes from the proxy: the address
    counted is the one the proxy saw, else one person would lock everyone out."""
    settings.CRM_PROXY_COUNT = 1
    for _ in range(limit):
        client.post(reverse("login"), {"username": "guess", "password": "x"}, REMOTE_ADDR="127.0.0.1",
                    HTTP_X_FORWARDED_FOR=f"1.2.3.4, {HOME}")
    response = client.post(reverse("login"), {"username": "bob", "password": PASSWORD}, REMOTE_ADDR="127.0.0.1",
                           HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert signed_in(response)
    assert [lock.value for lock in selectors.signin_locks()] == ["guess", HOME]


# --- The owner's page: Customize ▸ Sign-in locks -----------------------------------

def test_owner_sees_the_locks_and_unlocks_an_account(client, staff, owner, limit):
    fail(client, "alice", limit)
    client.force_login(owner)
    page = client.get(reverse("crm:signin_locks"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "alice" in text and HOME in text

    response = client.post(reverse("crm:signin_locks"), {"username": "alice"}, follow=True)
    assert "Sign-in is unlocked for the account “alice”." in response.content.decode()
    assert [lock.value for lock in selectors.signin_locks()] == []  # alice's failures were the address's too
    client.logout()
    assert signed_in(sign_in(client, "alice", PASSWORD))


def test_owner_unlocks_an_address(client, staff, owner, limit):
    for n in range(limit):
        sign_in(client, f"guess{n}", "wrong-password", HOME)
    client.force_login(owner)
    response = client.post(reverse("crm:signin_locks"), {"ip_address": HOME}, follow=True)
    assert f"Sign-in is unlocked for the address {HOME}." in response.content.decode()
    client.logout()
    assert signed_in(sign_in(client, "alice", PASSWORD, HOME))


def test_unlock_without_a_target_says_so_and_changes_nothing(client, staff, owner, limit):
    fail(client, "alice", limit)
    client.force_login(owner)
    response = client.post(reverse("crm:signin_locks"), {}, follow=True)
    assert "Choose an account or an address to unlock." in response.content.decode()
    assert len(selectors.signin_locks()) == 2


def test_customize_links_to_the_locks(owner_client):
    page = owner_client.get(reverse("crm:customize")).content.decode()
    assert reverse("crm:signin_locks") in page


def test_staff_cannot_unlock(staff_client, staff, limit, client):
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(username="bob", ip_address=HOME, user_agent="x", failures_since_start=limit,
                                 get_data="", post_data="", http_accept="", path_info="/")
    response = staff_client.post(reverse("crm:signin_locks"), {"username": "bob"})
    assert response.status_code == 403
    assert AccessAttempt.objects.filter(username="bob").exists()


def test_owner_unlocks_in_the_admin(admin_client, staff, limit):
    """The Django admin lists the failed sign-ins; its "Unlock" action unlocks
    the accounts and addresses of the chosen rows."""
    from axes.models import AccessAttempt

    anonymous = type(admin_client)()
    fail(anonymous, "alice", limit)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert "alice" in admin_client.get(changelist).content.decode()
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = admin_client.post(changelist, {"action": "unlock", "_selected_action": ids}, follow=True)
    assert response.status_code == 200
    assert "Unlocked 1 account and 1 address." in response.content.decode()
    assert not AccessAttempt.objects.exists()
    assert signed_in(sign_in(anonymous, "alice", PASSWORD))


def test_the_password_is_not_kept_with_the_failed_attempt(client, staff, limit):
    from axes.models import AccessAttempt

    sign_in(client, "alice", "my-secret-guess")
    assert "my-secret-guess" not in AccessAttempt.objects.get().post_data
