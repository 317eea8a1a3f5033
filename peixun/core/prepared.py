"""Queries built and compiled once per process, then run again with other values.

Django builds and compiles a queryset's SQL on every call. For the few queries a QR sign-in
makes on every scan that work costs many times the query itself: measured on this project's
2-core machine (SQLite), "is this member expected at this session?" took 2.4 ms to build and
compile and 0.05 ms to execute. A `PreparedQuery` builds its queryset once per database alias
with placeholder values, keeps the SQL and where each placeholder landed among the parameters,
and afterwards only puts the values in and executes.

Only for querysets whose SQL does not depend on the values: each value is an int, a str, a date
or an aware datetime that the queryset compares with a field of the same kind (a key, a code, a
hash, a day, a moment), never None or a list. `first()` returns the model instance Django would
(with `select_related` and annotations), `rows()` a values_list's tuples, `exists()` a bool. A
value that does not reach the parameters as Django would pass it is refused when the query is
compiled, so a builder that breaks these rules fails loudly on its first call.

On PostgreSQL the SQL is sent with server-side binding (Django's own `ServerBindingCursor`), so
psycopg prepares a statement that a connection runs often (its `prepare_threshold`, 5) and the
server stops planning it on every call: measured, planning was 1.0 ms of the 1.2 ms the
sign-in's reads cost the server. The rest of Django keeps client-side binding.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import Field, Model, QuerySet
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)
Value = int | str | dt.date | dt.datetime
KINDS = (int, str, dt.date, dt.datetime)

# Values no real query carries: far below any primary key, a string with NUL bytes (which no
# text field of ours stores), a day and a moment nine centuries ago.
_INT = -7_300_000_000_000
_STR = "\x00peixun-prepared-{}\x00"
_DAY = dt.date(1111, 1, 1)
_MOMENT = dt.datetime(1111, 1, 1, tzinfo=dt.UTC)


def _placeholder(kind: type, index: int) -> Value:
    if kind is int:
        return _INT - index
    if kind is str:
        return _STR.format(index)
    if kind is dt.datetime:
        return _MOMENT + dt.timedelta(seconds=index)
    if kind is dt.date:
        return _DAY + dt.timedelta(days=index)
    raise TypeError(f"A prepared query takes int, str, date or datetime values, not {kind}.")


def _adapter(kind: type, alias: str) -> Callable[[Any], Any]:
    """How Django passes a value of this kind to the database (what a field's lookup does)."""
    ops = connections[alias].ops
    if kind is dt.datetime:
        return ops.adapt_datetimefield_value
    if kind is dt.date:
        return ops.adapt_datefield_value
    return lambda value: value


def _kind_ok(value: Any, kind: type) -> bool:
    if kind is dt.date:
        return type(value) is dt.date
    if kind is dt.datetime:
        return isinstance(value, dt.datetime) and value.tzinfo is not None
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


@cache
def _server_binding() -> tuple[Any, Any, Any]:
    """Django's PostgreSQL cursor class for server-side binding, and its time-zone loader."""
    from django.db.backends.postgresql.base import (  # PostgreSQL only
        TIMESTAMPTZ_OID,
        ServerBindingCursor,
    )
    from django.db.backends.postgresql.psycopg_any import register_tzloader  # PostgreSQL only
    from psycopg.pq import Format  # PostgreSQL only

    return ServerBindingCursor, (TIMESTAMPTZ_OID, Format.TEXT), register_tzloader


def bound_cursor(alias: str) -> Any:
    """A cursor of the connection, binding on the server on PostgreSQL (see above)."""
    db = connections[alias]
    if db.vendor != "postgresql":
        return db.cursor()
    # What Django's PostgreSQL backend does for a cursor (`_cursor`, `create_cursor`), with the
    # cursor class it uses under OPTIONS["server_side_binding"].
    cursor_class, timestamptz_text, register_tzloader = _server_binding()
    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        cursor = cursor_class(db.connection)
        loader = db.connection.adapters.get_loader(*timestamptz_text)
        if db.timezone != loader.timezone:
            register_tzloader(db.timezone, cursor)
        return db._prepare_cursor(cursor)  # type: ignore[attr-defined]  # Django's own step


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]  # (position in params, index of the value)
    adapters: tuple[Callable[[Any], Any], ...]  # one per value
    compiler: Any  # converts the database's values as Django would
    converters: dict[int, Any]
    columns: int  # the selected columns (without extra ones the compiler adds)
    # For first(): what ModelIterable works out once per query, here once per process.
    model: Any = None
    fields: tuple[int, int] = (0, 0)  # where the model's own columns are among the selected
    attnames: tuple[str, ...] = ()
    populators: tuple[Any, ...] = ()  # select_related objects
    annotations: tuple[tuple[str, int], ...] = ()

    def bind(self, values: tuple[Value, ...]) -> list[Any]:
        params = list(self.params)
        for position, index in self.slots:
            params[position] = self.adapters[index](values[index])
        return params

    def fetch(self, alias: str, values: tuple[Value, ...], limit: int | None) -> list[Any]:
        with bound_cursor(alias) as cursor:
            cursor.execute(self.sql, self.bind(values))
            found = cursor.fetchall() if limit is None else cursor.fetchmany(limit)
        rows = [tuple(row[: self.columns]) for row in found]
        if self.converters and rows:
            rows = [tuple(r) for r in self.compiler.apply_converters(rows, self.converters)]
        return rows


class PreparedQuery(Generic[M]):
    """`build(*placeholders)` gives the queryset; `kinds` are the types of its values, in order.

    expected = PreparedQuery(
        lambda event_id, member_id: Enrolment.objects.filter(...), kinds=(int, int)
    )
    expected.exists(event.pk, member_id)
    """

    def __init__(
        self,
        build: Callable[..., QuerySet[M, Any]],
        *,
        kinds: tuple[type, ...],
        for_write: bool = False,
    ) -> None:
        for kind in kinds:
            if kind not in KINDS:
                raise TypeError(f"A prepared query takes int, str, date or datetime, not {kind}.")
        self._build = build
        self._kinds = kinds
        # A locking read (select_for_update) goes where writes go, as Django sends it.
        self._for_write = for_write
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._model: type[M] | None = None
        self._lock = threading.Lock()

    # -- running ------------------------------------------------------------------------------

    def exists(self, *values: Value) -> bool:
        alias, compiled = self._ready("exists", values)
        return bool(compiled.fetch(alias, values, 1))

    def rows(self, *values: Value) -> list[tuple[Any, ...]]:
        """A values_list queryset's rows, converted as Django would."""
        alias, compiled = self._ready("rows", values)
        return compiled.fetch(alias, values, None)

    def first(self, *values: Value) -> M | None:
        """The first instance, as `queryset.first()` would give it (with its select_related
        objects and annotations)."""
        alias, compiled = self._ready("first", values)
        found = compiled.fetch(alias, values, 1)
        if not found:
            return None
        row = found[0]
        start, end = compiled.fields
        instance: M = compiled.model.from_db(alias, compiled.attnames, row[start:end])
        for populator in compiled.populators:
            populator.populate(row, instance)
        for name, position in compiled.annotations:
            setattr(instance, name, row[position])
        return instance

    # -- compiling ----------------------------------------------------------------------------

    def _ready(self, shape: str, values: tuple[Value, ...]) -> tuple[str, _Compiled]:
        if len(values) != len(self._kinds):
            raise TypeError(f"This prepared query takes {len(self._kinds)} values.")
        for value, kind in zip(values, self._kinds, strict=True):
            if not _kind_ok(value, kind):
                raise TypeError(f"Expected {kind.__name__}, got {value!r}.")
        if self._model is None:
            self._model = self._build(*self._placeholders()).model
        route = router.db_for_write if self._for_write else router.db_for_read
        alias = route(self._model) or "default"
        key = (shape, alias)
        found = self._compiled.get(key)
        if found is None:
            with self._lock:
                found = self._compiled.get(key) or self._compile(shape, alias)
                self._compiled[key] = found
        return alias, found

    def _placeholders(self) -> tuple[Value, ...]:
        return tuple(_placeholder(kind, i) for i, kind in enumerate(self._kinds))

    def _compile(self, shape: str, alias: str) -> _Compiled:
        placeholders = self._placeholders()
        adapters = tuple(_adapter(kind, alias) for kind in self._kinds)
        adapted = [adapt(p) for adapt, p in zip(adapters, placeholders, strict=True)]
        qs = self._build(*placeholders).using(alias)
        if shape == "exists":
            qs = qs.values_list("pk")[:1]
        elif shape == "first":
            qs = qs[:1]
        compiler = qs.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots: list[tuple[int, int]] = []
        for position, param in enumerate(params):
            for index, placeholder in enumerate(adapted):
                if type(param) is type(placeholder) and param == placeholder:
                    slots.append((position, index))
        missing = set(range(len(placeholders))) - {index for _, index in slots}
        if missing:
            raise ValueError(
                "A prepared query's values must reach its SQL as Django passes them; "
                f"value(s) {sorted(missing)} did not."
            )
        columns = compiler.col_count
        converters = compiler.get_converters([column[0] for column in compiler.select[:columns]])
        compiled = _Compiled(
            sql, tuple(params), tuple(slots), adapters, compiler, converters, columns
        )
        if shape != "first":
            return compiled
        klass_info, select = compiler.klass_info, compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        # The stubs follow a later Django (a fetch_mode argument); 5.2 takes these three.
        populators = get_related_populators(klass_info, select, alias)  # type: ignore[call-arg]
        return replace(
            compiled,
            model=klass_info["model"],
            fields=(start, end),
            attnames=tuple(column[0].target.attname for column in select[start:end]),
            populators=tuple(populators),
            annotations=tuple((compiler.annotation_col_map or {}).items()),
        )


class PreparedInsert(Generic[M]):
    """The INSERT of one new instance of `model`, its SQL compiled once per process and alias.

    `insert(obj)` stores `obj` as `obj.save()` would for a new instance (each field's `pre_save`
    and database preparation, so `auto_now_add`, JSON and time zones come out the same), sets
    its primary key and marks it saved, without building the query again. It skips what
    `save()` adds around the INSERT: `Model.save` overrides and the pre/post-save signals. So it
    is only for models whose own `save()` adds nothing to a new row (the project keeps logic out
    of `save()` and signals: docs/development.md), on a path hot enough to be worth it.
    """

    def __init__(self, model: type[M]) -> None:
        self._model = model
        self._compiled: dict[str, tuple[str, tuple[Any, ...], bool]] = {}
        self._lock = threading.Lock()

    def insert(self, obj: M) -> M:
        alias, fields, params = self.bind(obj)
        sql, _fields, returning = self._compiled[alias]
        db = connections[alias]
        with bound_cursor(alias) as cursor:
            cursor.execute(sql, params)
            if returning:
                pk = cursor.fetchone()[0]
            else:  # pragma: no cover - SQLite before 3.35 (Debian 12 has 3.40)
                pk = db.ops.last_insert_id(cursor, self._model._meta.db_table, "id")
        return self.saved(obj, pk, alias)

    def bind(self, obj: M) -> tuple[str, tuple[Any, ...], list[Any]]:
        """The database alias `obj` is written to, the fields inserted and their values, as the
        INSERT would send them (for a statement that inserts the row among other things)."""
        if type(obj) is not self._model:
            raise TypeError(f"Expected a {self._model.__name__}, got {type(obj).__name__}.")
        if not obj._state.adding or obj.pk is not None:
            raise ValueError("Only a new instance, without a primary key, is inserted.")
        alias = router.db_for_write(self._model, instance=obj) or "default"
        found = self._compiled.get(alias)
        if found is None:
            with self._lock:
                found = self._compiled.get(alias) or self._compile(alias)
                self._compiled[alias] = found
        fields = found[1]
        db = connections[alias]
        return (
            alias,
            fields,
            [field.get_db_prep_save(field.pre_save(obj, True), db) for field in fields],
        )

    @staticmethod
    def saved(obj: M, pk: Any, alias: str) -> M:
        """`obj` as stored under `pk`."""
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias
        return obj

    def _compile(self, alias: str) -> tuple[str, tuple[Any, ...], bool]:
        from django.db.models.sql import InsertQuery  # Django's own insert, compiled once

        meta = self._model._meta
        fields = tuple(
            f
            for f in meta.local_concrete_fields
            if f is not meta.auto_field and not getattr(f, "generated", False)
        )
        query = InsertQuery(self._model)
        query.insert_values(fields, [self._model()])
        compiler = query.get_compiler(using=alias)
        returning = connections[alias].features.can_return_columns_from_insert
        if returning:
            compiler.returning_fields = [meta.pk]
        ((sql, params),) = compiler.as_sql()
        if len(params) != len(fields) or sql.count("%s") != len(fields):
            raise ValueError(
                f"{self._model.__name__}: every field must reach the INSERT as one plain parameter."
            )
        return sql, fields, returning


class PreparedUpdate(Generic[M]):
    """`UPDATE … SET <fields> WHERE pk = …` of one saved instance of `model`, its SQL written
    once per process and alias: what `obj.save(update_fields=fields)` sends, without building
    the query on every call and, like `PreparedInsert`, without `save()` overrides or signals.
    Returns the number of rows changed (0: the row is gone)."""

    def __init__(self, model: type[M], fields: tuple[str, ...]) -> None:
        self._model = model
        meta = model._meta
        chosen: list[Field[Any, Any]] = []
        for name in fields:
            field = meta.get_field(name)
            if not isinstance(field, Field) or not field.concrete or field.primary_key:
                raise ValueError(f"{model.__name__}.{name} cannot be updated this way.")
            chosen.append(field)
        self._fields = tuple(chosen)
        self._pk: Field[Any, Any] = meta.pk
        self._sql: dict[str, str] = {}

    def update(self, obj: M) -> int:
        if type(obj) is not self._model or obj.pk is None:
            raise ValueError(f"Expected a saved {self._model.__name__}.")
        alias = router.db_for_write(self._model, instance=obj) or "default"
        db = connections[alias]
        sql = self._sql.get(alias)
        if sql is None:
            quote = db.ops.quote_name
            columns = ", ".join(f"{quote(str(f.column))} = %s" for f in self._fields)
            table, key = quote(self._model._meta.db_table), quote(str(self._pk.column))
            sql = self._sql[alias] = f"UPDATE {table} SET {columns} WHERE {key} = %s"  # noqa: S608 - names from the model's meta, values are parameters
        params = [field.get_db_prep_save(field.pre_save(obj, False), db) for field in self._fields]
        params.append(self._pk.get_db_prep_save(obj.pk, db))
        with bound_cursor(alias) as cursor:
            cursor.execute(sql, params)
            return int(cursor.rowcount)
