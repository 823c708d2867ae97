"""Person-name helpers (pure functions, no database)."""

TITLES = {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam", "m", "mme", "mlle", "hr", "fru", "pan", "pani", "bapak", "ibu"}
SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"}


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
