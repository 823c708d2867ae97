"""Person-name helpers (pure functions, no database)."""

TITLES = {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam", "m", "mme", "mlle", "hr", "fru", "pan", "pani", "bapak", "ibu"}
SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"}


def person_name(user) -> str:
    """A user as lists, forms and reports name them: "Alice Martin", else the username."""
    return user.get_full_name() or user.get_username()


def split_full_name(full_name: str) -> tuple[str, str]:
    """Split a full name into (first, last).

    Handles "Last, First", titles ("Dr. Anna Smith") and suffixes
    ("John Smith Jr."); a single word is a last name.
    """
    name = " ".join(full_name.split())
    if "," in name:
        last, _, first = name.partition(",")
        return first.strip(), last.strip()
    words = name.split(" ")
    while len(words) > 1 and words[0].rstrip(".").lower() in TITLES:
        words.pop(0)
    while len(words) > 1 and words[-1].rstrip(".").lower() in SUFFIXES:
        words.pop()
    if not words or words == [""]:
        return "", ""
    if len(words) == 1:
        return "", words[0]
    return " ".join(words[:-1]), words[-1]


def file_as(first: str, last: str, fallback: str) -> str:
    """BCM's default "File as": "Last, First"."""
    if first and last:
        return f"{last}, {first}"
    return last or first or fallback


def derive_names(full_name: str, first: str, last: str, filed_as: str,
                 before: tuple[str, str, str, str] | None = None) -> tuple[str, str, str, str]:
    """The (full name, first, last, file as) a person record stores.

    First/last come from the full name and "File as" defaults to "Last,
    First" unless the user typed something else. ``before`` is what was
    stored (full name, first, last, file as) for an existing record: when the
    full name changes, first/last that were derived from the old name follow
    the new one (unless they were edited in the same change), and so does a
    "File as" that was the old default. Every write path (form, bulk edit,
    import) calls this one function, so a renamed person sorts under the
    new name everywhere.
    """
    full = " ".join((full_name or "").split())
    first, last, filed_as = (first or "").strip(), (last or "").strip(), (filed_as or "").strip()
    if before is not None:
        old_full, old_first, old_last, old_file_as = (" ".join((v or "").split()) for v in before)
        names_were_derived = not (old_first or old_last) or (old_first, old_last) == split_full_name(old_full)
        file_as_was_default = not old_file_as or old_file_as == file_as(old_first, old_last, old_full)
        if full != old_full and names_were_derived and (first, last) == (old_first, old_last):
            first, last = "", ""
        if file_as_was_default and filed_as == old_file_as and (full, first, last) != (old_full, old_first, old_last):
            filed_as = ""
    if full and not (first or last):
        first, last = split_full_name(full)
    if not filed_as:
        filed_as = file_as(first, last, full)
    return full, first, last, filed_as
