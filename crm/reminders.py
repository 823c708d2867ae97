"""Reminders (SPEC 8): what each user is to be reminded of, from every app.

crm knows no app built on it, so each app registers a *source* of reminders
in its ``AppConfig.ready()`` ::

    reminders.register_source("project_task", _("Project task"), rows=task_rows, describe=describe_task,
                              date_only=True)

``rows(user, until=, since=, now=)`` returns a queryset of the user's
reminders of that source (what is assigned to them and still to do), each row
annotated with ``reminder_object`` (the object's id), ``reminder_detail`` (0,
or which of the object's reminders: a sales activity of an opportunity) and
``reminder_due`` (a date-time, or a date for ``date_only`` sources), and
filtered to ``until`` ≥ due ≥ ``since`` where they are given (dates for
``date_only`` sources); ``now`` is the moment asked about. It must build the
same SQL for every user and moment, the values aside: the count's SQL is built
once per process and reused (``badge_count``). ``describe(row)`` gives the
row's (title, record label, URL).

A date-only reminder (a task's due date) is due at the start of its day in
the user's time zone (Django's current time zone).

What a user did with a reminder — dismissed it, snoozed it — is a
``ReminderState`` row, for the due time it had then: a reminder whose date
changes comes back. The same querysets, with the dismissed and snoozed ones
left out in SQL, make the navigation bar's count (``badge_count``: one query),
the Reminders page and the dashboard (``reminders_for``) and the calendar
feed, so they always agree.
"""
from __future__ import annotations

import datetime
import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crm.models import ReminderFeed, ReminderState

OBJECT = "reminder_object"
DETAIL = "reminder_detail"
DUE = "reminder_due"

# Rows read per source, and shown, on the Reminders page: the oldest; the page
# stays fast however many a user has let pile up (the navigation bar's count
# says how many there are).
PAGE_LIMIT = 50
# The navigation bar counts up to this many and then says "99+": counting
# stops there, so its cost does not grow with a pile of forgotten reminders.
BADGE_CAP = 99
# The calendar feed: reminders due since this many days ago, and every later one.
FEED_PAST_DAYS = 30


# --- the sources ---------------------------------------------------------------------------

RowsFunction = Callable[..., QuerySet]
DescribeFunction = Callable[[models.Model], tuple[str, str, str]]


@dataclass(frozen=True)
class Source:
    """A kind of reminder and where its rows come from (see the module's docstring)."""

    key: str
    label: str | Promise
    rows: RowsFunction
    describe: DescribeFunction
    date_only: bool = False
    # Called once with the rows of a page before ``describe`` (e.g. to read their linked records in bulk).
    prepare: Callable[[list], None] | None = None
    order: int = 100

    @property
    def due_field(self) -> str:
        """The ``ReminderState`` column that holds this source's due values."""
        return "due_on" if self.date_only else "due_at"

    def bound(self, moment: datetime.datetime | None, *, lower: bool = False):
        """``moment`` as this source's due values compare to it: a date for a
        date-only source. A day is due at its start, so "due by 10:00 today" is
        "due today or before", and "due from 10:00 today on" is "from tomorrow on"."""
        if moment is None or not self.date_only:
            return moment
        day = timezone.localdate(moment)
        if lower and moment > start_of_day(day):
            day += datetime.timedelta(days=1)
        return day

    def due_datetime(self, value) -> datetime.datetime:
        return start_of_day(value) if self.date_only else value


_sources: dict[str, Source] = {}


def register_source(key: str, label, *, rows: RowsFunction, describe: DescribeFunction, date_only: bool = False,
                    prepare: Callable[[list], None] | None = None, order: int = 100) -> Source:
    """Add a source of reminders (``key`` is stored with the users' answers:
    never change it once used). Registering a key again replaces the source."""
    source = Source(key=key, label=label, rows=rows, describe=describe, date_only=date_only, prepare=prepare,
                    order=order)
    _sources[key] = source
    _count_statements.clear()
    return source


def sources() -> list[Source]:
    return sorted(_sources.values(), key=lambda s: s.order)


def source(key: str) -> Source | None:
    return _sources.get(key)


# --- dates ----------------------------------------------------------------------------------

def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the user's time zone (when a date-only reminder is due)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AddDays(models.Func):
    """``date + days`` in SQL, a date (Django's date + duration arithmetic gives
    SQLite a date-time text that does not compare with stored dates)."""

    output_field = models.DateField()
    arity = 2

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="date(%(expressions)s || ' days')",
                           arg_joiner=", ", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="(%(expressions)s)::integer)",
                           arg_joiner=" + (", **extra_context)

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor not in ("sqlite", "postgresql"):
            raise NotImplementedError(f"AddDays has no SQL for {connection.vendor}")
        return super().as_sql(compiler, connection, **extra_context)


class InSubquery(models.Func):
    """``column IN (subquery)``, which PostgreSQL can use as an index condition:
    there it is written ``column = ANY(ARRAY(subquery))`` (an IN subquery is a
    filter applied to the rows the index gave, however many)."""

    output_field = models.BooleanField()
    conditional = True
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        column, subquery = self.source_expressions
        column_sql, column_params = compiler.compile(column)
        subquery_sql, subquery_params = compiler.compile(subquery)
        if connection.vendor == "postgresql":
            return f"{column_sql} = ANY(ARRAY{subquery_sql})", (*column_params, *subquery_params)
        return f"{column_sql} IN {subquery_sql}", (*column_params, *subquery_params)


# --- snoozing ------------------------------------------------------------------------------

SNOOZE_MORNING = datetime.time(8, 0)
SNOOZE_CHOICES = [
    ("15m", _("15 minutes")),
    ("1h", _("1 hour")),
    ("tomorrow", _("Tomorrow")),
    ("next_week", _("Next week")),
]


def snooze_until(choice: str, now: datetime.datetime | None = None) -> datetime.datetime:
    """When a reminder snoozed with ``choice`` comes back: in 15 minutes or an
    hour, tomorrow at 8:00, or next Monday at 8:00 (the user's time zone).
    KeyError for an unknown choice."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if choice == "15m":
        return now + datetime.timedelta(minutes=15)
    if choice == "1h":
        return now + datetime.timedelta(hours=1)
    if choice == "tomorrow":
        day = today + datetime.timedelta(days=1)
    elif choice == "next_week":
        day = today + datetime.timedelta(days=7 - today.weekday())
    else:
        raise KeyError(choice)
    return timezone.make_aware(datetime.datetime.combine(day, SNOOZE_MORNING))


# --- reading --------------------------------------------------------------------------------

@dataclass
class Reminder:
    """One reminder of one user, as the pages and the feed show it."""

    source: Source
    object_id: int
    detail_id: int
    due_value: datetime.date | datetime.datetime   # as the source stores it (a date for a date-only source)
    title: str
    record_label: str
    url: str
    snoozed_until: datetime.datetime | None = None
    state: ReminderState | None = field(default=None, repr=False)

    @property
    def kind(self) -> str:
        return str(self.source.label)

    @property
    def due(self) -> datetime.datetime:
        """When it is due (a date-only reminder: the start of its day)."""
        return self.source.due_datetime(self.due_value)

    @property
    def date_only(self) -> bool:
        return self.source.date_only

    @property
    def due_key(self) -> str:
        """The due value as the forms send it back (``parse_due``)."""
        return due_key(self.due_value)

    @property
    def uid(self) -> str:
        return f"{self.source.key}-{self.object_id}-{self.detail_id}@crm-reminders"


def due_key(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    return value.isoformat()


def _hidden(source: Source, user, now: datetime.datetime, *, snoozed: bool) -> Exists:
    """The user dismissed the reminder at its current due time (or, with
    ``snoozed``, snoozed it past ``now``)."""
    answered = Q(dismissed=True) | Q(snoozed_until__gt=now) if snoozed else Q(dismissed=True)
    return Exists(ReminderState.objects.filter(
        answered, user=user, source=source.key, object_id=OuterRef(OBJECT), detail_id=OuterRef(DETAIL),
        **{source.due_field: OuterRef(DUE)}))


def pending(source: Source, user, *, now: datetime.datetime, until: datetime.datetime | None = None,
            since: datetime.datetime | None = None, hide_snoozed: bool = True) -> QuerySet:
    """The user's reminders of ``source`` due between ``since`` and ``until``,
    without those they dismissed (and snoozed, with ``hide_snoozed``)."""
    rows = source.rows(user, until=source.bound(until), since=source.bound(since, lower=True), now=now)
    return rows.exclude(_hidden(source, user, now, snoozed=hide_snoozed))


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


# The count's SQL is built once per process from the sources' querysets, for a
# made-up user and moment, and run with the real ones in their places: building
# four querysets with subqueries costs more (3-5 ms) than running them.
_SAMPLE_USER_ID = 4_611_686_018_427_380_000
_SAMPLE_NOW = datetime.datetime(2999, 6, 15, 11, 27, 41, 123457, tzinfo=datetime.UTC)
_count_statements: dict[tuple, tuple[str, list, dict]] = {}


def _count_statement() -> tuple[str, list, dict]:
    """(SQL, parameters, {parameter: "user" / "now" / "today"}) of the count,
    for the sample user and moment; ``badge_count`` puts the real ones in.

    The sources' rows one after the other (UNION ALL), the answered ones left
    out by one NOT EXISTS over them all — the rule of ``_hidden``, once for
    the whole union: PostgreSQL plans each anti-join afresh on every page, and
    one instead of four halves the count's planning (0.8 ms instead of 1.5) —
    and no further than ``BADGE_CAP`` + 1 rows in all. Tests check the count
    against the list for dismissed, snoozed and changed reminders."""
    key = (connection.alias, connection.vendor, timezone.get_current_timezone_name(), tuple(_sources))
    if key not in _count_statements:
        from django.contrib.auth import get_user_model

        user = get_user_model()(pk=_SAMPLE_USER_ID, is_active=True)
        ops, qn = connection.ops, connection.ops.quote_name
        types = {name: field.db_type(connection) for name, field in (
            ("source", models.CharField(max_length=40)), ("due_at", models.DateTimeField()),
            ("due_on", models.DateField()))}
        parts, params = [], []
        for src in sources():
            rows = src.rows(user, until=src.bound(_SAMPLE_NOW), since=None, now=_SAMPLE_NOW)
            try:
                sql, sql_params = rows.order_by().values(OBJECT, DETAIL, DUE).query.sql_with_params()
            except EmptyResultSet:  # a source with nothing to give (.none())
                continue
            dues = {"due_at": f"CAST(NULL AS {types['due_at']})", "due_on": f"CAST(NULL AS {types['due_on']})",
                    src.due_field: f"r.{qn(DUE)}"}
            parts.append(f"SELECT CAST(%s AS {types['source']}) AS source, r.{qn(OBJECT)} AS object_id, "
                         f"r.{qn(DETAIL)} AS detail_id, {dues['due_at']} AS due_at, {dues['due_on']} AS due_on "
                         f"FROM ({sql}) r")
            params += [src.key, *sql_params]
        if not parts:
            _count_statements[key] = ("", [], {})
            return _count_statements[key]
        now = ops.adapt_datetimefield_value(_SAMPLE_NOW)
        sql = (f"SELECT COUNT(*) FROM (SELECT 1 FROM ({' UNION ALL '.join(parts)}) r WHERE NOT EXISTS ("
               f"SELECT 1 FROM {qn(ReminderState._meta.db_table)} s WHERE s.user_id = %s AND s.source = r.source "
               "AND s.object_id = r.object_id AND s.detail_id = r.detail_id "
               "AND (s.due_at = r.due_at OR s.due_on = r.due_on) AND (s.dismissed OR s.snoozed_until > %s)) "
               f"LIMIT {BADGE_CAP + 1}) reminders")
        params += [_SAMPLE_USER_ID, now]
        roles = {_SAMPLE_USER_ID: "user", now: "now", ops.adapt_datefield_value(timezone.localdate(_SAMPLE_NOW)): "today"}
        _count_statements[key] = (sql, params, roles)
    return _count_statements[key]


@dataclass(frozen=True)
class Badge:
    """The navigation bar's count: "7", or "99+" past ``BADGE_CAP``."""

    count: int

    @property
    def more(self) -> bool:
        return self.count > BADGE_CAP

    def __str__(self) -> str:
        return f"{BADGE_CAP}+" if self.more else str(self.count)

    def __bool__(self) -> bool:
        return self.count > 0


def badge(user, now: datetime.datetime | None = None) -> Badge:
    return Badge(badge_count(user, now))


def badge_count(user, now: datetime.datetime | None = None) -> int:
    """How many reminders are due for ``user`` now (overdue included), not
    dismissed nor snoozed — the number ``reminders_for(user, until=now)``
    lists — counted up to ``BADGE_CAP`` + 1 (which only says "more than
    BADGE_CAP"). One SQL query: the sources' rows one after the other (UNION
    ALL), each an index range (the user's open items by due date), read no
    further than the cap."""
    if not _active(user):
        return 0
    now = now or timezone.now()
    sql, params, roles = _count_statement()
    if not sql:
        return 0
    ops = connection.ops
    values = {"user": user.pk, "now": ops.adapt_datetimefield_value(now),
              "today": ops.adapt_datefield_value(timezone.localdate(now))}
    with connection.cursor() as cursor:
        # (Query parameters are plain values: strings, numbers, dates.)
        cursor.execute(sql, [values[roles[p]] if p in roles else p for p in params])
        return cursor.fetchone()[0]


def reminders_for(user, *, until: datetime.datetime | None = None, since: datetime.datetime | None = None,
                  now: datetime.datetime | None = None, hide_snoozed: bool = True,
                  limit: int | None = PAGE_LIMIT) -> list[Reminder]:
    """The reminders of ``user`` due from ``since`` to ``until`` (None: no
    bound), oldest first, without those they dismissed (and those snoozed past
    ``now``, unless ``hide_snoozed`` is False: the feed shows them at the
    time they come back). ``reminders_for(user, until=timezone.now())`` is what
    the Reminders page lists; the dashboard may ask for the days ahead too.
    At most ``limit`` rows per source are read, the oldest."""
    if not _active(user):
        return []
    now = now or timezone.now()
    found: list[Reminder] = []
    for src in sources():
        rows = pending(src, user, now=now, until=until, since=since, hide_snoozed=hide_snoozed).order_by(DUE, OBJECT,
                                                                                                        DETAIL)
        rows = list(rows[:limit] if limit else rows)
        if src.prepare is not None and rows:
            src.prepare(rows)
        for row in rows:
            title, record_label, url = src.describe(row)
            found.append(Reminder(src, getattr(row, OBJECT), getattr(row, DETAIL), getattr(row, DUE),
                                  title, record_label, url))
    if not hide_snoozed and found:
        snoozes = {(s.source, s.object_id, s.detail_id): s for s in ReminderState.objects.filter(
            user=user, snoozed_until__gt=now, dismissed=False)}
        for reminder in found:
            state = snoozes.get((reminder.source.key, reminder.object_id, reminder.detail_id))
            if state is not None and getattr(state, reminder.source.due_field) == reminder.due_value:
                reminder.snoozed_until, reminder.state = state.snoozed_until, state
    found.sort(key=lambda r: (r.due, r.source.order, r.title.casefold(), r.object_id, r.detail_id))
    return found[:limit] if limit else found


def find(user, source_key: str, object_id: int, detail_id: int = 0) -> Reminder | None:
    """The user's reminder ``(source_key, object_id, detail_id)`` whatever its
    due time and state, or None if it is not theirs or no longer exists."""
    src = source(source_key)
    if src is None or not _active(user):
        return None
    row = src.rows(user, until=None, since=None, now=timezone.now()).filter(
        **{OBJECT: object_id, DETAIL: detail_id}).first()
    if row is None:
        return None
    if src.prepare is not None:
        src.prepare([row])
    title, record_label, url = src.describe(row)
    return Reminder(src, object_id, detail_id, getattr(row, DUE), title, record_label, url)


@dataclass
class Day:
    """The reminders due on one day, for the Reminders page."""

    day: datetime.date
    overdue: bool
    reminders: list[Reminder]


def by_day(reminders: Iterable[Reminder], today: datetime.date | None = None) -> list[Day]:
    """Reminders grouped by the day they are due (in the user's time zone),
    oldest day first: the overdue days come before today."""
    today = today or timezone.localdate()
    days: dict[datetime.date, list[Reminder]] = {}
    for reminder in sorted(reminders, key=lambda r: r.due):
        days.setdefault(timezone.localdate(reminder.due), []).append(reminder)
    return [Day(day, day < today, items) for day, items in days.items()]


# --- the calendar feed ------------------------------------------------------------------------

FEED_SALT = "crm.reminders.feed"


def feed_token(user, key: str | None = None) -> str:
    """The secret of ``user``'s calendar feed address: their id, then an HMAC
    (SECRET_KEY) of the id and the random key Regenerate last stored (none
    yet: an empty key). Not stored anywhere."""
    if key is None:
        key = ReminderFeed.objects.filter(user=user).values_list("key", flat=True).first() or ""
    digest = salted_hmac(FEED_SALT, f"{user.pk}:{key}", algorithm="sha256").hexdigest()
    return f"{user.pk}-{digest}"


def feed_user(token: str):
    """The active user whose feed address carries ``token``, or None. The
    secret is compared in constant time (hmac.compare_digest)."""
    from django.contrib.auth import get_user_model

    user_id, _sep, digest = token.partition("-")
    if not user_id.isascii() or not user_id.isdigit() or len(user_id) > 18 or not digest:
        return None
    user = (get_user_model().objects.filter(pk=int(user_id), is_active=True)
            .annotate(feed_key=models.Subquery(ReminderFeed.objects.filter(user=OuterRef("pk")).values("key")[:1]))
            .first())
    if user is None:
        return None
    expected = feed_token(user, user.feed_key or "")
    if not hmac.compare_digest(hashlib.sha256(expected.encode()).digest(), hashlib.sha256(token.encode()).digest()):
        return None
    return user


def feed_reminders(user, now: datetime.datetime | None = None) -> list[Reminder]:
    """The feed's reminders: due in the past ``FEED_PAST_DAYS`` days and every
    later one, dismissed ones left out, snoozed ones at the time they come back."""
    now = now or timezone.now()
    return reminders_for(user, since=now - datetime.timedelta(days=FEED_PAST_DAYS), now=now, hide_snoozed=False,
                         limit=None)
