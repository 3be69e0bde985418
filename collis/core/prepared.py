"""Queries compiled to SQL once per process, then run with new values.

Django compiles a queryset to SQL each time it is evaluated. Profiled on CPU time over the
record's pages, that compilation was over a quarter of the work: 31% of the timeline page
(UNIONs of annotated tables cost more to compile than to run), and a large part of the
three look-ups every page makes (the session, the user, the patient). A `PreparedQuery`
builds its queryset once per database alias with *markers* in place of the values that
vary (a patient's id, a session key, the time), keeps the SQL, where each marker sits among
its parameters, the column converters and how to make model instances, and then runs the
same SQL with the real values. What it returns is what the queryset would (tests compare
rows, types and instances on SQLite and PostgreSQL). The SQL still goes through Django's
cursor, so per-page query bounds and the debug tooling see it.

A value that varies must be one of the marker types below and reach the SQL as a plain
parameter (a filter's value); everything else in the queryset must be the same for every
call. Row locks are not supported (use the ORM for those); a prefetch is a second prepared
query of the children, handed to `attach_prefetched` (the record's pages read a patient's
toxin cycles with their injections and reviews as three prepared queries)."""

from __future__ import annotations

import datetime
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connections, models
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

# Values no record has: they only mark where the real values go in the SQL's parameters.
_MARKERS = {
    uuid.UUID: uuid.UUID("00000000-0000-4000-8000-0000c0111500"),
    # Within a 32-bit integer column's range: PostgreSQL refuses a lookup beyond it.
    int: 2_047_316_508,
    str: "collis-prepared-marker-7f3c9a",
    datetime.datetime: datetime.datetime(2999, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC),
}
# The patients' ids (the marker a patient's timeline and record use).
MARKER = _MARKERS[uuid.UUID]


def _marker(kind: type, index: int):
    """The marker of the `index`-th varying value of this kind (0 for the first), so that
    values of one kind (the two ends of a range, the ids of a page) each find their place."""
    base = _MARKERS[kind]
    if index == 0:
        return base
    if kind is uuid.UUID:
        return uuid.UUID(int=base.int + index)
    if kind is int:
        return base + index
    if kind is str:
        return f"{base}-{index}"
    return base + datetime.timedelta(seconds=index)


_UUID_FIELD = models.UUIDField()


def _db_value(kind: type, value, connection):
    """`value` as a filter on a field of this kind puts it among the SQL's parameters."""
    if value is None:
        return None
    if kind is uuid.UUID:
        if not isinstance(value, uuid.UUID):
            value = uuid.UUID(str(value))
        return _UUID_FIELD.get_db_prep_value(value, connection)
    if kind is datetime.datetime:
        return connection.ops.adapt_datetimefield_value(value)
    return kind(value)


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    params: tuple
    positions: dict[str, tuple[int, ...]]
    compiler: object
    converters: dict


class PreparedQuery:
    """`build(**markers)` compiled once per database alias; `rows(**values)` for a
    `values_list` queryset, `instances(**values)` for a queryset of model instances (with
    `select_related` if wanted). `kinds` names each varying value and its type."""

    def __init__(self, build: Callable[..., QuerySet], **kinds: type):
        unknown = [name for name, kind in kinds.items() if kind not in _MARKERS]
        if unknown:
            raise ValueError(f"Values to vary must be one of {list(_MARKERS)}: {unknown}")
        self._build = build
        self._kinds = kinds
        seen: dict[type, int] = defaultdict(int)
        self._markers = {}
        for name, kind in kinds.items():
            self._markers[name] = _marker(kind, seen[kind])
            seen[kind] += 1
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str) -> _Compiled:
        connection = connections[using]
        queryset = self._build(**self._markers)
        if queryset._prefetch_related_lookups or queryset.query.select_for_update:
            raise ValueError("A prepared query cannot prefetch or lock rows.")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        positions = {}
        for name, kind in self._kinds.items():
            marker = _db_value(kind, self._markers[name], connection)
            positions[name] = tuple(i for i, value in enumerate(params) if value == marker)
            if not positions[name]:
                raise ValueError(f"The prepared query has no {name} among its parameters.")
        fields = [select[0] for select in compiler.select[0:compiler.col_count]]
        return _Compiled(sql=sql, params=tuple(params), positions=positions,
                         compiler=compiler, converters=compiler.get_converters(fields))

    def _run(self, using: str, values: dict) -> tuple[_Compiled, list]:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = compiled
        connection = connections[using]
        params = list(compiled.params)
        for name, kind in self._kinds.items():
            value = _db_value(kind, values[name], connection)
            for position in compiled.positions[name]:
                params[position] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        return compiled, rows

    def rows(self, *, using: str = "default", **values) -> list[tuple]:
        return [tuple(row) for row in self._run(using, values)[1]]

    def instances(self, *, using: str = "default", **values) -> list[models.Model]:
        """Model instances as the queryset's iteration makes them (ModelIterable)."""
        compiled, rows = self._run(using, values)
        compiler = compiled.compiler
        klass_info, select = compiler.klass_info, compiler.select
        model = klass_info["model"]
        first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in select[first:last]]
        populators = get_related_populators(klass_info, select, using)
        found = []
        for row in rows:
            instance = model.from_db(using, names, row[first:last])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in (compiler.annotation_col_map or {}).items():
                setattr(instance, name, row[position])
            found.append(instance)
        return found


def patient_rows(build: Callable[[object], QuerySet]) -> PreparedQuery:
    """A prepared query whose one varying value is the patient's id (`patient_id`)."""
    return PreparedQuery(build, patient_id=uuid.UUID)


def attach_prefetched(parents: Sequence[models.Model], related_name: str,
                      children: Sequence[models.Model]) -> None:
    """Give each of `parents` its `children` as `prefetch_related(related_name)` would, for
    a reverse foreign key: `parent.<related_name>.all()` is then those children, in the
    order given, without a query, and each child's foreign key points at its parent."""
    if not parents:
        return
    relation = type(parents[0])._meta.get_field(related_name)
    field = relation.field
    groups: dict = defaultdict(list)
    for child in children:
        groups[getattr(child, field.attname)].append(child)
    manager = relation.related_model._base_manager
    for parent in parents:
        found = groups.get(parent.pk, [])
        for child in found:
            field.set_cached_value(child, parent)
        queryset = manager.all()
        queryset._result_cache = found
        queryset._prefetch_done = True
        cache = parent.__dict__.setdefault("_prefetched_objects_cache", {})
        cache[relation.cache_name] = queryset


def related_rows(instance: models.Model, related_name: str) -> Sequence[models.Model]:
    """`instance.<related_name>.all()` as a list: the prefetched rows without making a
    related manager and a queryset each time (a property read once per cycle per chart
    adds up), or the query when nothing was prefetched."""
    prefetched = instance.__dict__.get("_prefetched_objects_cache", {}).get(related_name)
    if prefetched is not None and prefetched._result_cache is not None:
        return prefetched._result_cache
    return list(getattr(instance, related_name).all())
