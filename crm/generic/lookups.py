"""``in`` on integer columns that leaves out values the column cannot hold.

Django already answers ``id = 99999999999999999999`` with "no rows" instead of
sending a number the database cannot take (``IntegerFieldOverflow`` on the
exact, greater-than and less-than lookups), but not ``id IN (…)``: SQLite
raises OverflowError, PostgreSQL "bigint out of range". ``id IN`` is what a
form's multiple choice checks its ticked values with (categories, the admin's
groups and permissions), so a tampered value made a server error of every
such form. Registered on ``IntegerField`` (auto fields included) in
``CrmConfig.ready``.
"""
from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().process_rhs(compiler, connection)
        low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
        values = self.rhs
        kept = [value for value in values if not isinstance(value, int) or (
            (low is None or value >= low) and (high is None or value <= high))]
        if len(kept) == len(values):
            return super().process_rhs(compiler, connection)
        # Out-of-range values match no row: leave them out (none left: EmptyResultSet).
        self.rhs = kept
        try:
            return super().process_rhs(compiler, connection)
        finally:
            self.rhs = values


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
