"""Name helpers are pure functions: no database."""
import pytest

from crm.names import file_as, split_full_name


@pytest.mark.parametrize("full, expected", [
    ("Anna Hansen", ("Anna", "Hansen")),
    ("Hansen, Anna", ("Anna", "Hansen")),
    ("Dr. Anna Maria Hansen", ("Anna Maria", "Hansen")),
    ("John Smith Jr.", ("John", "Smith")),
    ("Madonna", ("", "Madonna")),
    ("  Jean   Dubois ", ("Jean", "Dubois")),
    ("", ("", "")),
])
def test_split_full_name(full, expected):
    assert split_full_name(full) == expected


def test_file_as_is_last_comma_first():
    assert file_as("Anna", "Hansen", "Anna Hansen") == "Hansen, Anna"
    assert file_as("", "Madonna", "Madonna") == "Madonna"
    assert file_as("", "", "ACME") == "ACME"
