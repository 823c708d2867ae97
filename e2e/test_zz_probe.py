import pytest
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
def test_probe(signed_in_page, live_server):
    page = signed_in_page
    page.goto(f"{live_server.url}/accounts/add/")
    page.get_by_label("Account name").fill("Northwind Traders")
    page.get_by_role("button", name="Save & Close").click()
    page.wait_for_load_state()
    print(page.url)
    print(page.locator(".invalid-feedback, .errorlist, .alert").all_inner_texts())
    print([ (e.get_attribute("name"), e.get_attribute("class")) for e in page.locator(".is-invalid").all()])
