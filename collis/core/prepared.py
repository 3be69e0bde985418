"""Row queries compiled to SQL once per process, then run for any patient.

Django compiles a queryset to SQL each time it is evaluated. For the timeline's UNIONs of
annotated tables that compilation cost more than running the queries: profiled with
cProfile on CPU time, `SQLCompiler.as_sql` was 31% of the timeline page. `PreparedRows`
builds its `values_list` queryset once per database alias, for a marker patient id, keeps
the SQL, the positions of the marker among its parameters and the column converters, and
then runs the same SQL with the patient's id: the rows are those the queryset would give
(tests compare them on SQLite and PostgreSQL). The queries still go through Django's
cursor, so the per-page query bounds and the debug tooling see them."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet

# A patient id no record has: it only marks where the real id goes in the SQL's parameters.
MARKER = uuid.UUID("00000000-0000-4000-8000-0000c0111500")


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    params: tuple
    positions: tuple[int, ...]
    compiler: object
    converters: dict


class PreparedRows:
    """`rows(patient_id)`: the rows of `build(patient_id)`, a `values_list` queryset whose
    only varying parameter is the patient's id (every other parameter is a constant)."""

    def __init__(self, build: Callable[[object], QuerySet]):
        self._build = build
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str) -> _Compiled:
        connection = connections[using]
        queryset = self._build(MARKER)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        marker = _db_uuid(MARKER, connection)
        positions = tuple(index for index, value in enumerate(params) if value == marker)
        if not positions:
            raise ValueError("The prepared query has no patient id among its parameters.")
        fields = [select[0] for select in compiler.select[0:compiler.col_count]]
        return _Compiled(sql=sql, params=tuple(params), positions=positions,
                         compiler=compiler, converters=compiler.get_converters(fields))

    def rows(self, patient_id, *, using: str = "default") -> list[tuple]:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = compiled
        connection = connections[using]
        value = _db_uuid(patient_id, connection)
        params = list(compiled.params)
        for position in compiled.positions:
            params[position] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        return [tuple(row) for row in rows]


def _db_uuid(value, connection):
    """A patient id as the database takes it (a UUID, or its hex on SQLite)."""
    from collis.patients.models import Patient

    if not isinstance(value, uuid.UUID):
        value = uuid.UUID(str(value))
    return Patient._meta.pk.get_db_prep_value(value, connection, prepared=False)
