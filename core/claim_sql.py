"""A lease's claim as SQL text, built once per process for each shape of claim (core.leases uses it).

A worker claims every piece of work it runs, so the claim's cost is paid per task. Composed through the ORM, the
claim (its two-branch condition, the COALESCE of the first run's fields, a lease on the server's clock) and the
read of the claimed row with its related rows took about 1.3 ms of Python CPU, against a tenth of that for
PostgreSQL to run them; on a machine whose cores the worker shares with the database, that CPU is what limits
dispatch. The statement's text depends only on the lease and on which columns are written and read, so it is
built once from the models' metadata and then run with fresh parameters.

PostgreSQL runs the claim and the read of the related rows as one statement (the UPDATE inside a CTE). SQLite
cannot put an UPDATE in a WITH, so there the claim returns the claimed row and a second written statement reads
the related rows. The conditions are those of Lease.claimable(); tests/core/test_leases.py checks on both
databases that the statement claims exactly the rows that condition selects.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from django.db import connections
from django.db.models import DurationField, Field, ForeignKey, Model

if TYPE_CHECKING:
    from core.leases import Lease

# What Django's Now() is on each database (the lease clock of core.clock), and a time a duration after it as
# Django writes it: SQLite has no interval type, so Django adds microseconds with a function it registers.
NOW = {"postgresql": "STATEMENT_TIMESTAMP()", "sqlite": "STRFTIME('%%Y-%%m-%%d %%H:%%M:%%f', 'NOW')"}
LATER = {"postgresql": "{now} + %s", "sqlite": "django_format_dtdelta('+', {now}, %s)"}


@dataclass(frozen=True)
class Table:
    """One model in the statement's result: its alias, its fields in the result's order with their columns and
    each column's converters (as the ORM would read it), and the relation that joins it to the table before
    (None: the root). Built once with the statement: reading a row only runs the converters."""

    model: type[Model]
    alias: str
    fields: tuple[Field, ...]
    columns: tuple
    converters: tuple[tuple, ...]
    relation: ForeignKey | None


@dataclass(frozen=True)
class ClaimStatement:
    sql: str  # the claim, returning the claimed row (on PostgreSQL with its related rows)
    related_sql: str | None  # SQLite: the read of the related rows, given the claimed row's key to the first
    related_key: int  # where in the claimed row that key is (SQLite)
    first: tuple[Field, ...]
    written: tuple[Field, ...]
    tables: tuple[Table, ...]  # the claimed row's model first, then each related one read with it

    def params(self, lease: Lease, pk, token: str, first: dict, fields: dict) -> list[Any]:
        connection = connections[lease.model._default_manager.db]
        prepared = [f.get_db_prep_save(first[f.name], connection) for f in self.first] + [
            f.get_db_prep_save(fields[f.name], connection) for f in self.written
        ]
        length = DurationField().get_db_prep_value(lease.length(), connection)  # SQLite: microseconds
        return [lease.taken, token, length, *prepared, pk, *lease.fresh, *lease.held]

    def run(self, cursor, params: list[Any]) -> tuple | None:
        """The claimed row with its related rows' columns after it, as one tuple; None: nothing was claimable."""
        cursor.execute(self.sql, params)
        rows = cursor.fetchall()  # all of them, so that SQLite finishes the UPDATE before the next statement
        if not rows:
            return None
        if self.related_sql is None:
            return rows[0]
        key = rows[0][self.related_key]
        if key is None:  # a null relation: nothing along the path
            return rows[0] + (None,) * sum(len(t.fields) for t in self.tables[1:])
        cursor.execute(self.related_sql, [key])
        return rows[0] + cursor.fetchone()

    def instances(self, row, using: str) -> Model:
        """The claimed row as a model instance, its related rows attached as select_related would attach them."""
        connection = connections[using]
        values = iter(row)
        root = _instance(self.tables[0], values, using, connection)
        assert root is not None  # the claimed row itself
        parent = root
        for table in self.tables[1:]:
            instance = _instance(table, values, using, connection)
            assert table.relation is not None  # every table after the first is joined by its relation
            table.relation.set_cached_value(parent, instance)
            if instance is None:
                break  # a null relation: nothing further along the path
            parent = instance
        return root


def _instance(table: Table, values, using: str, connection) -> Model | None:
    """The table's columns taken from the row, as the ORM converts them; None for a null relation (left joined)."""
    raw = [next(values) for _ in table.fields]
    if raw[table.fields.index(table.model._meta.pk)] is None:
        return None
    converted = [_converted(value, table, index, connection) for index, value in enumerate(raw)]
    return table.model.from_db(using, [f.attname for f in table.fields], converted)


def _converted(value, table: Table, index: int, connection):
    for convert in table.converters[index]:
        value = convert(value, table.columns[index], connection)
    return value


@cache
def claim_statement(lease: Lease, first: tuple[str, ...], written: tuple[str, ...], related: str) -> ClaimStatement:
    """The claim of `lease` writing the `first` fields (kept once set) and the `written` ones, returning the
    claimed row with the rows along `related` (a select_related path such as "subagent__model", or "")."""
    connection = connections[lease.model._default_manager.db]
    quote = connection.ops.quote_name
    meta = lease.model._meta
    now = NOW[connection.vendor]

    def column(name: str) -> str:
        found = meta.get_field(name)
        assert isinstance(found, Field)
        return quote(_column(found))

    status, lease_until, attempts = column("status"), column("lease_until"), column("attempts")
    later = LATER[connection.vendor].format(now=now)
    sets = [f"{status} = %s", f"{column('claim')} = %s", f"{lease_until} = {later}", f"{attempts} = {attempts} + 1"]
    sets += [f"{column(name)} = COALESCE({column(name)}, %s)" for name in first]
    sets += [f"{column(name)} = %s" for name in written]
    fresh, held = (", ".join(["%s"] * len(statuses)) for statuses in (lease.fresh, lease.held))
    # Lease.claimable(): never started and not held, or held by a run whose lease has run out.
    where = (
        f"{quote(_column(meta.pk))} = %s AND ({status} IN ({fresh}) AND ({lease_until} IS NULL OR {lease_until} < {now})"
        f" OR {status} IN ({held}) AND {lease_until} < {now})"
    )
    tables = _tables(lease.model, related, connection)
    root, path = tables[0], tables[1:]
    update = f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} WHERE {where} RETURNING "
    related_sql, related_key = None, -1
    if connection.vendor == "postgresql":
        # The claimed row as the UPDATE left it is only visible through the CTE's RETURNING, never in the table.
        sql = f"WITH claimed AS ({update}*) SELECT {_selected(tables, quote)} FROM claimed {root.alias}"
        sql += _joins(tables, quote)
    else:
        sql = update + ", ".join(quote(_column(f)) for f in root.fields)
        if path:
            first_related = path[0]
            assert first_related.relation is not None  # every table after the root is joined by its relation
            key = quote(_column(first_related.relation.target_field))
            related_key = root.fields.index(first_related.relation)
            related_sql = (
                f"SELECT {_selected(path, quote)} FROM {quote(first_related.model._meta.db_table)}"
                f" {first_related.alias}{_joins(path, quote)} WHERE {first_related.alias}.{key} = %s"
            )
    fields = [meta.get_field(name) for name in (*first, *written)]
    assert all(isinstance(f, Field) for f in fields)
    return ClaimStatement(
        sql=sql,
        related_sql=related_sql,
        related_key=related_key,
        first=tuple(fields[: len(first)]),  # type: ignore[arg-type]  # checked just above
        written=tuple(fields[len(first) :]),  # type: ignore[arg-type]
        tables=tables,
    )


def _selected(tables, quote) -> str:
    return ", ".join(f"{t.alias}.{quote(_column(f))}" for t in tables for f in t.fields)


def _joins(tables, quote) -> str:
    """Each table joined to the one before it by its relation (left joined where the relation may be null)."""
    return "".join(
        f" {'LEFT' if t.relation.null else 'INNER'} JOIN {quote(t.model._meta.db_table)} {t.alias}"
        f" ON {t.alias}.{quote(_column(t.relation.target_field))} = {before.alias}.{quote(_column(t.relation))}"
        for before, t in zip(tables, tables[1:])
        if t.relation is not None
    )


def _column(field: Field) -> str:
    assert field.column is not None  # a concrete field: it has a column
    return field.column


def _tables(model: type[Model], related: str, connection) -> tuple[Table, ...]:
    tables = [_table(model, "t0", None, connection)]
    for step, name in enumerate(related.split("__") if related else [], start=1):
        relation = tables[-1].model._meta.get_field(name)
        if not isinstance(relation, ForeignKey):
            raise ValueError(f"claim_read: {name} is not a foreign key of {tables[-1].model.__name__}")
        tables.append(_table(relation.related_model, f"t{step}", relation, connection))  # type: ignore[arg-type]
    return tuple(tables)


def _table(model: type[Model], alias: str, relation: ForeignKey | None, connection) -> Table:
    fields = tuple(model._meta.concrete_fields)
    columns = tuple(f.get_col(alias) for f in fields)
    converters = tuple(
        tuple(connection.ops.get_db_converters(col) + col.get_db_converters(connection)) for col in columns
    )
    return Table(model=model, alias=alias, fields=fields, columns=columns, converters=converters, relation=relation)
