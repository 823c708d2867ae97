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


# --- derive_names: one function for every write path (issue 9, defect 11) ---------------
from crm.names import derive_names  # noqa: E402


def test_new_person_gets_first_last_and_file_as_from_the_full_name():
    assert derive_names("Anna  Hansen", "", "", "") == ("Anna Hansen", "Anna", "Hansen", "Hansen, Anna")


def test_typed_first_last_and_file_as_are_kept_for_a_new_person():
    assert derive_names("Anna Hansen", "Ann", "Hansen-Berg", "Berg") == ("Anna Hansen", "Ann", "Hansen-Berg", "Berg")


def test_a_rename_moves_derived_first_last_and_file_as():
    before = ("Anna Hansen", "Anna", "Hansen", "Hansen, Anna")
    assert derive_names("Anna Berg", "Anna", "Hansen", "Hansen, Anna", before=before) == (
        "Anna Berg", "Anna", "Berg", "Berg, Anna")


def test_a_rename_keeps_first_last_typed_in_the_same_change():
    before = ("Anna Hansen", "Anna", "Hansen", "Hansen, Anna")
    assert derive_names("Anna Berg", "Anne", "Berg-Hansen", "Hansen, Anna", before=before) == (
        "Anna Berg", "Anne", "Berg-Hansen", "Berg-Hansen, Anne")


def test_a_rename_keeps_a_custom_file_as():
    before = ("Anna Hansen", "Anna", "Hansen", "ZZ Anna")
    assert derive_names("Anna Berg", "Anna", "Hansen", "ZZ Anna", before=before) == ("Anna Berg", "Anna", "Berg", "ZZ Anna")


def test_a_rename_keeps_first_last_that_were_not_derived():
    before = ("Anna Hansen", "Anne", "Hansen", "Hansen, Anne")
    assert derive_names("Anna Berg", "Anne", "Hansen", "Hansen, Anne", before=before) == (
        "Anna Berg", "Anne", "Hansen", "Hansen, Anne")


def test_no_rename_changes_nothing():
    before = ("Anna Hansen", "Anna", "Hansen", "Hansen, Anna")
    assert derive_names(*before, before=before) == before
