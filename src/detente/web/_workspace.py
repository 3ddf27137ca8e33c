"""The workspace: uploaded cases and every analysis run, kept in one SQLite file.

Cases are stored as their text, never under a name the user gave, so an upload
cannot reach the file system. A run keeps what it needs to be reproduced: the case
it ran on, the scenario, the engine and its parameters, detente's version, the
results as JSON and when it ran. A new connection per call keeps the store safe to
use from the server's threads.

A run is recorded as ``running`` when it starts and finished in place (``ok``,
``refused``, ``failed`` or ``cancelled``); a run still ``running`` when a server
claims the workspace was cut off by a crash and is marked ``interrupted``. The file
is in WAL mode and its integrity is checked when it is opened: a damaged file is
refused with a message rather than served. One server at a time may claim a
workspace (an exclusive lock on a file beside the database): a second is refused,
since it would mark the first one's running runs as interrupted.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import sys
import threading
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from detente.errors import DetenteError

__all__ = ["RUN_STATES", "CaseRecord", "RunRecord", "SampledRun", "Workspace", "WorkspaceError"]

FILE_NAME = "detente-workspace.sqlite3"
LOCK_NAME = "detente-workspace.lock"

RUN_STATES = ("running", "ok", "refused", "failed", "cancelled", "interrupted")
"""What a run's ``status`` may be: ``running`` until it ends, then one of the others."""


class WorkspaceError(DetenteError):
    """The workspace cannot be used: its file is damaged, or another server has it."""

    exit_code = 2


SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,            -- builtin, upload, edit (a what-if) or version (editor)
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
    status TEXT NOT NULL,          -- running, ok, refused, failed, cancelled or interrupted
    results TEXT,                  -- JSON: brief, data, skipped
    error TEXT,
    seconds REAL NOT NULL,
    rerun_of INTEGER REFERENCES runs(id),
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
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
    case_kind: str = ""
    case_note: str | None = None


@dataclass(frozen=True)
class SampledRun:
    """A finished run that drew Monte Carlo samples: how many and how long it took."""

    id: int
    scenario: str | None
    samples: int
    seconds: float


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# Workspaces this process has claimed: the lock file held open and how many claims.
_CLAIMS: dict[Path, tuple[IO[str], int]] = {}
_CLAIMS_LOCK = threading.Lock()


class Workspace:
    """Cases and runs in ``folder/detente-workspace.sqlite3``.

    Opening checks the file (``PRAGMA integrity_check``) and puts it in WAL mode;
    :class:`WorkspaceError` says what is wrong with a damaged one.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(
                f"cannot use {self.folder} as a workspace: {exc.strerror}"
            ) from None
        self.path = self.folder / FILE_NAME
        try:
            with closing(self._connect()) as db:
                rows = db.execute("PRAGMA integrity_check").fetchall()
                if [tuple(r) for r in rows] != [("ok",)]:
                    found = "; ".join(str(r[0]) for r in rows[:3])
                    raise WorkspaceError(self._damaged(found))
                mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise WorkspaceError(
                        f"the workspace file {self.path} cannot be put in WAL mode "
                        f"(it stays in {mode} mode): put the workspace on a local disk"
                    )
                db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError(self._damaged(str(exc))) from None

    def _damaged(self, found: str) -> str:
        return (
            f"the workspace file {self.path} is damaged ({found}); detente will not "
            "serve it: move it aside to start a new workspace, or restore it from a copy"
        )

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        return db

    # -- one server at a time ----------------------------------------------------

    def claim(self) -> int:
        """Claim the workspace for this process's server and return how many runs a
        crash had left ``running`` (now marked ``interrupted``).

        Refuses, with :class:`WorkspaceError`, a workspace that another process has
        claimed. Within one process claims nest (each needs a :meth:`release`); only
        the first marks interrupted runs.
        """
        key = self.path.resolve()
        with _CLAIMS_LOCK:
            held = _CLAIMS.get(key)
            if held is not None:
                _CLAIMS[key] = (held[0], held[1] + 1)
                return 0
            handle = open(self.folder / LOCK_NAME, "a+", encoding="utf-8")  # noqa: SIM115
            try:
                _lock(handle)
            except OSError:
                handle.seek(0)
                owner = handle.read().strip()
                handle.close()
                who = f" (process {owner})" if owner.isdigit() else ""
                raise WorkspaceError(
                    f"another detente server is using the workspace {self.folder}{who}: "
                    "stop it first, or give this one another --workspace"
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            _CLAIMS[key] = (handle, 1)
        return self.mark_interrupted()

    def release(self) -> None:
        """Give back one :meth:`claim`; the last one unlocks the workspace."""
        key = self.path.resolve()
        with _CLAIMS_LOCK:
            held = _CLAIMS.pop(key, None)
            if held is None:
                return
            handle, count = held
            if count > 1:
                _CLAIMS[key] = (handle, count - 1)
                return
            handle.close()  # closing the file drops the lock

    def mark_interrupted(self) -> int:
        """Mark every run still ``running`` as ``interrupted``; return how many."""
        with closing(self._connect()) as db, db:
            cursor = db.execute(
                "UPDATE runs SET status = 'interrupted', error = ? WHERE status = 'running'",
                ("the server stopped while this run was going on; it was not finished",),
            )
            return cursor.rowcount

    # -- settings ---------------------------------------------------------------

    def secret(self, key: str) -> str:
        """A random secret kept in the workspace (made on first use), e.g. to sign tokens."""
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)",
                (key, secrets.token_urlsafe(48)),
            )
            return str(db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()[0])

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

    def versions(self, case_id: int) -> list[CaseRecord]:
        """The versions of a case saved from the case editor, oldest first: the case it
        started from, each version saved from the one before (``parent_id``) and the
        versions saved from any of them since (without their text)."""
        with closing(self._connect()) as db:
            first = db.execute(_LINEAGE_UP, (case_id,)).fetchone()
            if first is None:
                return []
            rows = db.execute(_LINEAGE_DOWN, (first["id"],)).fetchall()
        return [CaseRecord(**dict(r)) for r in rows]

    # -- runs -------------------------------------------------------------------

    def last_seconds(self, case_id: int, engine: str, scenario: str | None) -> float | None:
        """How long the latest finished run of ``engine`` on this case and scenario took."""
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT seconds FROM runs WHERE case_id = ? AND engine = ? AND scenario IS ?"
                " AND status = 'ok' ORDER BY id DESC LIMIT 1",
                (case_id, engine, scenario),
            ).fetchone()
        return float(row["seconds"]) if row is not None else None

    def last_plain_seconds(self, case_id: int, engine: str) -> float | None:
        """How long the latest finished run of ``engine`` on this case (any scenario)
        took without Monte Carlo samples."""
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT seconds FROM runs WHERE case_id = ? AND engine = ? AND status = 'ok'"
                " AND COALESCE(json_extract(parameters, '$.samples'), 0) = 0"
                " ORDER BY id DESC LIMIT 1",
                (case_id, engine),
            ).fetchone()
        return float(row["seconds"]) if row is not None else None

    def last_sampled(self, case_id: int, engine: str) -> SampledRun | None:
        """The latest finished run of ``engine`` on this case (any scenario) that drew
        Monte Carlo samples: how many, and how long the run took."""
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT id, scenario, json_extract(parameters, '$.samples') AS samples, seconds"
                " FROM runs WHERE case_id = ? AND engine = ? AND status = 'ok'"
                " AND json_extract(parameters, '$.samples') > 0 ORDER BY id DESC LIMIT 1",
                (case_id, engine),
            ).fetchone()
        if row is None:
            return None
        return SampledRun(
            int(row["id"]), row["scenario"], int(row["samples"]), float(row["seconds"])
        )

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
        """Store a run (``status`` ``running`` for one that has just started); return its id."""
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

    def finish_run(
        self,
        run_id: int,
        *,
        status: str,
        results: dict[str, Any] | None,
        error: str | None,
        seconds: float,
    ) -> None:
        """Record how a ``running`` run ended; a run already ended is left as it is."""
        assert status in RUN_STATES and status != "running", status
        with closing(self._connect()) as db, db:
            db.execute(
                "UPDATE runs SET status = ?, results = ?, error = ?, seconds = ?"
                " WHERE id = ? AND status = 'running'",
                (
                    status,
                    json.dumps(results, ensure_ascii=False) if results is not None else None,
                    error,
                    seconds,
                    run_id,
                ),
            )

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

    def run_counts(self, case_ids: list[int]) -> dict[int, int]:
        """How many runs each of ``case_ids`` has (none for a case never run)."""
        marks = ", ".join("?" * len(case_ids))
        with closing(self._connect()) as db:
            rows = db.execute(
                f"SELECT case_id, COUNT(*) FROM runs WHERE case_id IN ({marks}) GROUP BY case_id",
                case_ids,
            ).fetchall()
        return {int(r[0]): int(r[1]) for r in rows}

    def count_runs(self) -> int:
        with closing(self._connect()) as db:
            return int(db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])


def _lock(handle: IO[str]) -> None:
    """Lock ``handle``'s file for this process, or raise OSError when another holds it."""
    if sys.platform == "win32":  # pragma: no cover - the tests run on Linux
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


# The first case of a lineage of versions: up the parents while they are versions.
_LINEAGE_UP = """
WITH RECURSIVE up(id, kind, parent_id) AS (
    SELECT id, kind, parent_id FROM cases WHERE id = ?
    UNION ALL
    SELECT cases.id, cases.kind, cases.parent_id FROM cases JOIN up ON cases.id = up.parent_id
    WHERE up.kind = 'version'
)
SELECT id FROM up WHERE kind != 'version' OR parent_id IS NULL ORDER BY id LIMIT 1
"""
# Every version saved from it, directly or from a version of it.
_LINEAGE_DOWN = """
WITH RECURSIVE down(id) AS (
    SELECT ?
    UNION ALL
    SELECT cases.id FROM cases JOIN down ON cases.parent_id = down.id WHERE cases.kind = 'version'
)
SELECT id, kind, name, fmt, '' AS content, title, parent_id, note, created
FROM cases WHERE id IN (SELECT id FROM down) ORDER BY id
"""

_RUN_QUERY = (
    "SELECT runs.id, runs.case_id, runs.scenario, runs.engine, runs.parameters, runs.version,"
    " runs.status, runs.results, runs.error, runs.seconds, runs.rerun_of, runs.created,"
    " cases.name AS case_name, cases.title AS case_title,"
    " cases.kind AS case_kind, cases.note AS case_note"
    " FROM runs JOIN cases ON cases.id = runs.case_id"
)


def _run_record(row: sqlite3.Row) -> RunRecord:
    data = dict(row)
    data["parameters"] = json.loads(data["parameters"])
    data["results"] = json.loads(data["results"]) if data["results"] is not None else None
    return RunRecord(**data)
