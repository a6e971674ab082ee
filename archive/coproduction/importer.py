"""`ortak coproduction import` and `ortak coproduction rates`: CSV into a project, all or nothing.

Contributions: one row per contribution, with the API's field names as columns (`party`,
`kind`, `amount`, `currency`, `date`, `description`, `asset_id`, `in`, `out`,
`budget_category`) and `crew_<field>` / `service_<field>` for the crew and service fields
(`crew_person`, `crew_days`, `crew_day_rate`, `crew_nationality`...). Rates: `currency`,
`date`, `rate` and `source` (or `--source` for every row).

Every row goes through the same service as the API (validation, rates, the ledger's chain,
Events), each inside a savepoint. If any row is refused, nothing is imported: the command
lists every refused row (its line, field and reason) and exits 1; the caller commits only a
clean run. `--dry-run` checks everything the same way and keeps nothing.
"""
from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from sqlalchemy.orm import Session
from tqdm import tqdm

from archive.coproduction import ledger, rates
from archive.coproduction.entry_schemas import FLAT_FIELDS, contribution_from_flat
from archive.coproduction.models import Project
from archive.coproduction.schemas import RATE_FIELDS
from archive.errors import ApiError, clause

MAX_ROWS = 1_000_000
MAX_FILE_BYTES = 512 * 1024 * 1024


class ImportFileError(ApiError):
    """The file cannot be read as the expected CSV (the command says why and exits 2)."""

    status = 400
    code = "invalid_csv"


@dataclass
class ImportResult:
    rows: int = 0
    done: list[str] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def read_csv(path: Path, allowed: tuple[str, ...], required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) of a UTF-8 CSV with a header; ImportFileError when it cannot be used."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFileError(f"{path} is larger than {MAX_FILE_BYTES} bytes.")
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path} is not UTF-8 text (line with byte {exc.start}).") from exc
    if "\x00" in text:
        raise ImportFileError(f"{path} holds NUL bytes: it is not a CSV text file.")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise ImportFileError(f"{path} is empty: the first line names the columns ({', '.join(required)}...).")
    unknown = [h for h in header if h not in allowed]
    if unknown:
        raise ImportFileError(f"{path}: unknown columns {', '.join(unknown[:10])}; the columns are "
                              f"{', '.join(allowed)}.")
    missing = [r for r in required if r not in header]
    if missing:
        raise ImportFileError(f"{path}: missing columns {', '.join(missing)}.")
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(f"{path} has more than {MAX_ROWS} rows; split it.")
            if None in row:
                raise ImportFileError(f"{path} line {reader.line_num}: more cells than columns.")
            if any((v or "").strip() for v in row.values()):
                rows.append((reader.line_num, {k: v or "" for k, v in row.items()}))
    except csv.Error as exc:
        raise ImportFileError(f"{path} line {reader.line_num}: {exc}") from exc
    if not rows:
        raise ImportFileError(f"{path} has no rows under its header.")
    return rows


def _reason(exc: ApiError) -> str:
    errors = (exc.details or {}).get("errors")
    if isinstance(errors, list) and errors:
        return "; ".join(f"{e.get('field')}: {clause(e.get('message') or '')} ({e.get('code')})"
                         for e in errors)
    return f"{exc.message} ({exc.code})"


def _run(session: Session, project: Project, rows: list[tuple[int, dict[str, str]]],
         one: Callable[[dict[str, str]], str], progress: bool, desc: str) -> ImportResult:
    result = ImportResult(rows=len(rows))
    # Take the project's ledger lock (a write) before the first savepoint: SQLite's driver opens
    # no transaction for a SAVEPOINT, whose RELEASE would then commit the row for good.
    ledger.LEDGER_CHAIN.lock(session, project.id)
    with tqdm(total=len(rows), unit="row", desc=desc, file=sys.stderr, disable=not progress) as bar:
        for line, row in rows:
            try:
                with session.begin_nested():  # a refused row leaves nothing; the caller's transaction decides
                    result.done.append(one(row))
            except ApiError as exc:
                result.refused.append((line, _reason(exc)))
            bar.update(1)
    return result


def import_contributions(session: Session, project: Project, path: Path, actor, *,
                         progress: bool = True) -> ImportResult:
    rows = read_csv(path, FLAT_FIELDS, ("party", "kind", "date"))
    return _run(session, project, rows, lambda row: ledger.submit(session, project, contribution_from_flat(row), actor).id,
                progress, "contributions")


def import_rates(session: Session, project: Project, path: Path, actor, *, source: str | None = None,
                 progress: bool = True) -> ImportResult:
    rows = read_csv(path, RATE_FIELDS, ("currency", "date", "rate") if source else ("currency", "date", "rate",
                                                                                      "source"))

    def one(row: dict[str, str]) -> str:
        body: dict[str, Any] = {k: row.get(k, "").strip() for k in RATE_FIELDS}
        body["currency"] = body["currency"].upper()
        body["source"] = body["source"] or source or ""
        return str(rates.add_rate(session, project, body, actor).id)

    return _run(session, project, rows, one, progress, "rates")
