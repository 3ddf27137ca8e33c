"""The workspace: uploaded cases and every analysis run, kept in one SQLite file.

Cases are stored as their text, never under a name the user gave, so an upload
cannot reach the file system. A run keeps what it needs to be reproduced: the case
it ran on, the scenario, the engine and its parameters, detente's version, the
results as JSON and when it ran. A new connection per call keeps the store safe to
use from the server's worker threads.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["CaseRecord", "RunRecord", "Workspace"]

FILE_NAME = "detente-workspace.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,            -- builtin, upload or edit
    name TEXT NOT NULL,            -- what to call it on screen; never used as a path
    fmt TEXT NOT NULL,             -- yaml, json or gmcr
    content TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    title TEXT NOT NULL,
    parent_id INTEGER REFERENCES cases(id),
    note TEXT,
    created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_by_content ON cases (kind, name, fmt, sha256);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    scenario TEXT,
    engine TEXT NOT NULL,          -- all, graph_model or bargaining
    parameters TEXT NOT NULL,      -- JSON
    version TEXT NOT NULL,         -- detente's version that ran it
    status TEXT NOT NULL,          -- ok, refused or failed
    results TEXT,                  -- JSON: brief, data, skipped
    error TEXT,
    seconds REAL NOT NULL,
    rerun_of INTEGER REFERENCES runs(id),
    created TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class CaseRecord:
    id: int
    kind: str
    name: str
    fmt: str
    content: str
    title: str
    parent_id: int | None
    note: str | None
    created: str


@dataclass(frozen=True)
class RunRecord:
    id: int
    case_id: int
    scenario: str | None
    engine: str
    parameters: dict[str, Any]
    version: str
    status: str
    results: dict[str, Any] | None
    error: str | None
    seconds: float
    rerun_of: int | None
    created: str
    case_name: str = ""
    case_title: str = ""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Workspace:
    """Cases and runs in ``folder/detente-workspace.sqlite3``."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / FILE_NAME
        with closing(self._connect()) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        return db

    # -- cases ------------------------------------------------------------------

    def add_case(
        self,
        *,
        kind: str,
        name: str,
        fmt: str,
        content: str,
        title: str,
        parent_id: int | None = None,
        note: str | None = None,
    ) -> int:
        """Store a case and return its id; the same text under the same name is stored once."""
        digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
        with closing(self._connect()) as db, db:
            row = db.execute(
                "SELECT id FROM cases WHERE kind = ? AND name = ? AND fmt = ? AND sha256 = ?"
                " AND parent_id IS ? AND note IS ?",
                (kind, name, fmt, digest, parent_id, note),
            ).fetchone()
            if row is not None:
                return int(row["id"])
            cursor = db.execute(
                "INSERT INTO cases (kind, name, fmt, content, sha256, title, parent_id, note, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (kind, name, fmt, content, digest, title, parent_id, note, _now()),
            )
            row_id = cursor.lastrowid
            assert row_id is not None  # sqlite sets it after every INSERT
            return row_id

    def case(self, case_id: int) -> CaseRecord | None:
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT id, kind, name, fmt, content, title, parent_id, note, created"
                " FROM cases WHERE id = ?",
                (case_id,),
            ).fetchone()
        return CaseRecord(**dict(row)) if row is not None else None

    def cases(self, limit: int = 200) -> list[CaseRecord]:
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT id, kind, name, fmt, '' AS content, title, parent_id, note, created"
                " FROM cases ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [CaseRecord(**dict(r)) for r in rows]

    # -- runs -------------------------------------------------------------------

    def add_run(
        self,
        *,
        case_id: int,
        scenario: str | None,
        engine: str,
        parameters: dict[str, Any],
        version: str,
        status: str,
        results: dict[str, Any] | None,
        error: str | None,
        seconds: float,
        rerun_of: int | None = None,
    ) -> int:
        with closing(self._connect()) as db, db:
            cursor = db.execute(
                "INSERT INTO runs (case_id, scenario, engine, parameters, version, status,"
                " results, error, seconds, rerun_of, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    case_id,
                    scenario,
                    engine,
                    json.dumps(parameters, sort_keys=True),
                    version,
                    status,
                    json.dumps(results, ensure_ascii=False) if results is not None else None,
                    error,
                    seconds,
                    rerun_of,
                    _now(),
                ),
            )
            row_id = cursor.lastrowid
            assert row_id is not None  # sqlite sets it after every INSERT
            return row_id

    def run(self, run_id: int) -> RunRecord | None:
        with closing(self._connect()) as db:
            row = db.execute(_RUN_QUERY + " WHERE runs.id = ?", (run_id,)).fetchone()
        return _run_record(row) if row is not None else None

    def runs(self, *, case_id: int | None = None, limit: int = 200) -> list[RunRecord]:
        """The newest runs first, without their results."""
        query = _RUN_QUERY.replace("runs.results", "NULL AS results")
        args: tuple[Any, ...] = ()
        if case_id is not None:
            query += " WHERE runs.case_id = ?"
            args = (case_id,)
        with closing(self._connect()) as db:
            rows = db.execute(query + " ORDER BY runs.id DESC LIMIT ?", (*args, limit)).fetchall()
        return [_run_record(r) for r in rows]

    def count_runs(self) -> int:
        with closing(self._connect()) as db:
            return int(db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])


_RUN_QUERY = (
    "SELECT runs.id, runs.case_id, runs.scenario, runs.engine, runs.parameters, runs.version,"
    " runs.status, runs.results, runs.error, runs.seconds, runs.rerun_of, runs.created,"
    " cases.name AS case_name, cases.title AS case_title"
    " FROM runs JOIN cases ON cases.id = runs.case_id"
)


def _run_record(row: sqlite3.Row) -> RunRecord:
    data = dict(row)
    data["parameters"] = json.loads(data["parameters"])
    data["results"] = json.loads(data["results"]) if data["results"] is not None else None
    return RunRecord(**data)
