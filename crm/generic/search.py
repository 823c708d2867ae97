"""Word search: every word typed must be the start of a word of the record.

A list's search box matches what a CRM user expects from Outlook: "hans"
finds "Hansen" and "Hans Berg", "acme" finds "ola@acme.no", "nord ola" finds
"Ola Nordmann" — but "ansen" does not find "Hansen". Words are runs of
letters and digits (combining accents included); everything else separates
them, in the record and in the search text alike, so "jean-luc",
"o'brien" and "ola@acme" search for their parts. Letters are compared
without regard to case; accents count ("jørg" finds "Jørgensen", "jorg"
does not).

Record types with a ``WordIndex`` search it; the others (accounts, whose
phone and account numbers are searched as substrings) keep ``icontains``.

- SQLite: an FTS5 table over the columns (unicode61 tokenizer restricted to
  letters and decimal digits, prefix indexes for 2 and 3 characters), kept in
  step by triggers; a search is ``id IN (SELECT rowid … MATCH '"w1"* AND
  "w2"*')``. Each word is quoted, so nothing typed is FTS syntax.
- PostgreSQL: a GIN index (one per ``pg_partitions`` predicate) on
  ``<function>(col, …)``, an immutable SQL
  function that lower-cases with ICU and splits at the same characters into
  a ``tsvector`` of bare words; a search is ``… @@ crm_search_query('w1 w2')``
  (``'w1':* & 'w2':*``), built in SQL from the same splitting.

Both find the matches in the index alone (a prefix match in either index is
exact, so no row's text is checked again), where the trigram search it
replaced re-checked every row containing the letters ("Hansen" also hit the
3,100 "Johansen"). The list's order still needs every match's row.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL

# At most this many words of one search are used (a search is an AND of them),
# each cut to the longest a searched field holds (PostgreSQL refuses a tsquery
# word over 2,046 bytes).
MAX_WORDS = 8
MAX_WORD_LENGTH = 200


def _is_word_character(char: str) -> bool:
    """Letters, decimal digits and combining accents (U+0300–U+036F): what both
    databases' word splitting keeps (SQLite unicode61 with ``categories 'L* Nd'``;
    PostgreSQL ``[[:alnum:]]`` under ICU)."""
    category = unicodedata.category(char)
    return category[0] == "L" or category == "Nd" or "\u0300" <= char <= "\u036f"


def search_words(text: str) -> list[str]:
    """The words of ``text``, at most ``MAX_WORDS`` of at most ``MAX_WORD_LENGTH``
    characters (punctuation only separates)."""
    words, current = [], []
    for char in text:
        if _is_word_character(char):
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return [word[:MAX_WORD_LENGTH] for word in words[:MAX_WORDS]]


@dataclass(frozen=True)
class WordIndex:
    """A word index over ``columns`` of ``source`` (see the module docstring).

    ``table`` names the SQLite FTS5 table (its triggers start with it) and the
    PostgreSQL GIN indexes, built on the function ``pg_function``."""

    source: str
    table: str
    columns: tuple[str, ...]
    pg_function: str
    # PostgreSQL: one partial GIN index per predicate (every search filters by
    # one of them), so a search reads only its part's matches: leads and
    # business contacts share a table (``is_lead``), and a leads search for a
    # common surname read 4,355 matches to keep 765 (3.9 -> 1.5 ms at 100k).
    pg_partitions: tuple[str, ...] = ()
    # PostgreSQL with btree_gin: scalar columns lists filter by along with a
    # search, put first in the GIN indexes, so the index answers both: "my
    # contacts named Hansen" read 1,530 rows instead of intersecting with
    # the 49,575 of the user (7.4 -> 2.9 ms at 100k). A search without them
    # uses the same index.
    pg_filter_columns: tuple[str, ...] = ()

    @property
    def insert_trigger(self) -> str:
        return f"{self.table}_ai"

    # --- schema (used by migrations) ---------------------------------------------------

    def sqlite_create(self) -> list[str]:
        cols = ", ".join(self.columns)
        new = ", ".join(f"new.{c}" for c in self.columns)
        old = ", ".join(f"old.{c}" for c in self.columns)
        delete = f"INSERT INTO {self.table}({self.table}, rowid, {cols}) VALUES ('delete', old.id, {old});"
        insert = f"INSERT INTO {self.table}(rowid, {cols}) VALUES (new.id, {new});"
        return [
            f"CREATE VIRTUAL TABLE {self.table} USING fts5({cols}, content='{self.source}', content_rowid='id', "
            "tokenize=\"unicode61 remove_diacritics 0 categories 'L* Nd'\", prefix='2 3', detail='column')",
            f"CREATE TRIGGER {self.insert_trigger} AFTER INSERT ON {self.source} BEGIN {insert} END",
            f"CREATE TRIGGER {self.table}_ad AFTER DELETE ON {self.source} BEGIN {delete} END",
            f"CREATE TRIGGER {self.table}_au AFTER UPDATE OF {cols} ON {self.source} BEGIN {delete} {insert} END",
            f"INSERT INTO {self.table}({self.table}) VALUES ('rebuild')",
        ]

    def sqlite_drop(self) -> list[str]:
        return [f"DROP TRIGGER IF EXISTS {self.table}_{t}" for t in ("ai", "ad", "au")] + [
            f"DROP TABLE IF EXISTS {self.table}"]

    def pg_create(self, collation: str, btree_gin: bool) -> list[str]:
        """``collation``: the ICU root collation ``und-x-icu`` where the server has
        ICU (Unicode lower-casing and letter classes whatever the database's
        locale), else ``default``. ``btree_gin``: whether that extension is
        installed (``pg_filter_columns`` go into the indexes)."""
        args = ", ".join(f"{c} text" for c in self.columns)
        joined = ", ".join(self.columns)
        keys = ", ".join([*(self.pg_filter_columns if btree_gin else ()), f"{self.pg_function}({joined})"])
        return [
            *pg_words_functions(collation),
            f"CREATE OR REPLACE FUNCTION {self.pg_function}({args}) RETURNS tsvector LANGUAGE sql IMMUTABLE "
            f"PARALLEL SAFE AS $$ SELECT array_to_tsvector(crm_search_words(concat_ws(' ', {joined}))) $$",
            *(f"CREATE INDEX IF NOT EXISTS {name} ON {self.source} USING gin ({keys}){where}"
              for name, where in self._pg_indexes()),
        ]

    def _pg_indexes(self) -> list[tuple[str, str]]:
        """(name, WHERE clause) of each GIN index."""
        if not self.pg_partitions:
            return [(self.table, "")]
        return [(f"{self.table}_{n}", f" WHERE {predicate}") for n, predicate in enumerate(self.pg_partitions, 1)]

    def pg_drop(self) -> list[str]:
        args = ", ".join("text" for _ in self.columns)
        return [*(f"DROP INDEX IF EXISTS {name}" for name, _where in self._pg_indexes()),
                f"DROP FUNCTION IF EXISTS {self.pg_function}({args})"]

    # --- querying ----------------------------------------------------------------------

    def filter(self, queryset: QuerySet, words: list[str]) -> QuerySet:
        """Records of ``queryset`` with a word starting with each of ``words``."""
        if connection.vendor == "sqlite":
            # Each word is a quoted FTS5 string ("" for a quote inside), never syntax.
            match = " AND ".join('"' + word.replace('"', '""') + '"*' for word in words)
            return queryset.filter(pk__in=RawSQL(f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s",
                                                 [match]))
        vector = Func(*(F(c) for c in self.columns), function=self.pg_function, output_field=TextField())
        query = Func(Value(" ".join(words)), function="crm_search_query", output_field=TextField())
        return queryset.filter(Func(vector, query, template="%(expressions)s", arg_joiner=" @@ ",
                                    output_field=BooleanField()))


def pg_words_functions(collation: str) -> list[str]:
    """The splitting both sides of a PostgreSQL search share: ``crm_search_words``
    (text → lower-cased words) and ``crm_search_query`` (text → ``'w1':* & …``;
    the words are letters and digits only, so quoting them is enough)."""
    return [
        "CREATE OR REPLACE FUNCTION crm_search_words(value text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT "
        f"PARALLEL SAFE AS $$ SELECT array_remove(regexp_split_to_array(lower(value COLLATE \"{collation}\"), "
        "'[^[:alnum:]\\u0300-\\u036f]+'), '') $$",
        "CREATE OR REPLACE FUNCTION crm_search_query(value text) RETURNS tsquery LANGUAGE sql IMMUTABLE STRICT "
        "PARALLEL SAFE AS $$ SELECT string_agg(quote_literal(word) || ':*', ' & ')::tsquery "
        "FROM unnest(crm_search_words(value)) AS word $$",
    ]


PG_WORDS_DROP = ["DROP FUNCTION IF EXISTS crm_search_query(text)", "DROP FUNCTION IF EXISTS crm_search_words(text)"]


def search(queryset: QuerySet, text: str, *, fields: tuple[str, ...], index: WordIndex | None = None) -> QuerySet:
    """``queryset`` narrowed by a search box's ``text``: with ``index`` on SQLite
    or PostgreSQL, records with a word starting with every word of the text;
    otherwise every space-separated word is a case-insensitive substring of
    one of ``fields``."""
    if index is not None and connection.vendor in ("sqlite", "postgresql"):
        words = search_words(text)
        return index.filter(queryset, words) if words else queryset
    for word in text.split()[:MAX_WORDS]:
        if "\x00" in word:
            return queryset.none()  # no stored text holds a NUL (PostgreSQL refuses one in a query)
        word = word[:MAX_WORD_LENGTH]  # SQLite refuses LIKE patterns over 50,000 bytes
        q = Q()
        for field in fields:
            q |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(q)
    return queryset


def is_search(text: str, index: WordIndex | None = None) -> bool:
    """Whether ``text`` narrows a list (a text of punctuation only does not, with an index)."""
    if index is not None and connection.vendor in ("sqlite", "postgresql"):
        return bool(search_words(text))
    return bool(text.split())
