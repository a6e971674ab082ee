"""The commission's plan report of a project, as PDF (WeasyPrint) or XLSX (openpyxl).

In Turkish, Azerbaijani or English: the project and its parties with their agreed shares,
the financing plan (budget lines, planned against confirmed), every confirmed contribution
(who confirmed it and when) with the totals per party and country against the agreed split,
the calendar of milestones, the commission's meetings on the project, and the ledger's head
hash with the result of verifying the chain when the report was made: a reader can check
that the ledger shown is the ledger that was confirmed (GET .../ledger/verify gives the same
head while nothing has been added).
"""
from __future__ import annotations

import io
import re
from decimal import Decimal
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from flask import render_template
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from archive.coproduction import commission, ledger, parity
from archive.coproduction.models import LedgerEntry, Project
from archive.coproduction.pages import kind_label, rate, share
from archive.coproduction.money import money_text
from archive.coproduction.projects import credit, credit_sentence, milestone_json, project_json
from archive.filenames import ascii_filename

FORMATS = ("pdf", "xlsx")
CONTENT_TYPES = {"pdf": "application/pdf",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class Report:
    body: bytes
    content_type: str
    filename: str
    head: str


def confirmed_entries(session: Session, project: Project) -> list[tuple[LedgerEntry, LedgerEntry]]:
    """(contribution, its confirmation) for every confirmed contribution, reversals of confirmed
    entries included (they count against them), in ledger order."""
    e, conf = LedgerEntry, aliased(LedgerEntry)
    q = (select(e, conf).join(conf, (conf.target_id == e.reverses_id) | (conf.target_id == e.id))
         .where(e.project_id == project.id, e.type == "contribution", conf.type == "confirmation")
         .order_by(e.seq))
    return [(a, b) for a, b in session.execute(q)]


def report_data(session: Session, project: Project, lang: str, viewer) -> dict[str, Any]:
    broken = ledger.verify(session, project)
    board = parity.dashboard(session, project)
    cur = project.reporting_currency
    entries = []
    for e, c in confirmed_entries(session, project):
        entries.append({"seq": e.seq, "date": e.date.isoformat(), "party": e.party.organisation.name,
                        "country": e.party.organisation.country, "kind": e.kind,
                        "amount": money_text(e.amount_minor, e.currency), "currency": e.currency,
                        "rate": f"{e.fx_rate:f}", "reporting": money_text(e.reporting_minor, cur),
                        "description": e.description or "", "reversal": e.reverses_id is not None,
                        "confirmed_by": c.actor.organisation.name, "confirmed_country": c.actor_country,
                        "confirmed_at": c.at.date().isoformat()})
    meetings = [commission.meeting_json(m, same) for m, same in
                commission.with_warnings(commission.meetings(session)) if project.id in (m.project_ids or [])]
    return {"project": project_json(project, lang), "title": project.display_title(lang), "board": board,
            "entries": entries, "milestones": [milestone_json(m) for m in project.milestones],
            "meetings": meetings, "head": board["ledger"]["head"], "entry_count": board["ledger"]["entries"],
            "intact": broken is None, "broken": broken, "credit": credit(project),
            "credit_text": credit_sentence(credit(project)),
            "made_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            # The report goes to the other parties: a name or "a user of ORG", never an e-mail
            # address (README, "Who sees whom").
            "made_by": viewer.name or _("a user of %(organisation)s", organisation=viewer.organisation.name),
            "currency": cur, "lang": lang}


def number(text: str | None) -> str:
    """A money string ("1234.50") in the report's language ("1.234,50" in Turkish)."""
    return "" if text is None else format_decimal(Decimal(text), "#,##0.00")


def plan_report(session: Session, project: Project, fmt: str, lang: str, viewer) -> Report:
    """The report in `fmt` (pdf | xlsx) and `lang` (tr | az | en)."""
    with force_locale(lang):
        data = report_data(session, project, lang, viewer)
        body = _pdf(data) if fmt == "pdf" else _xlsx(data)
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_filename(data["title"]).lower()).strip("-")[:60] or "project"
    return Report(body, CONTENT_TYPES[fmt], f"ortak-plan-{slug}-{lang}.{fmt}", data["head"])


def _pdf(data: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # loaded on first use: it pulls Pango in

    html = render_template("coproduction/report.html", number=number, share=share, rate=rate, kind_label=kind_label,
                           **data)
    return HTML(string=html).write_pdf()


def _xlsx(data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Summary")[:31]
    cur = data["currency"]
    rows: list[list[Any]] = [
        [_("Commission plan report")], [data["title"]], [data["credit_text"] and _("A co-production of %(names)s",
                                                                                   names=", ".join(data["credit"]))],
        [_("Reporting currency"), cur], [_("Ledger head (SHA-256)"), data["head"]],
        [_("Ledger entries"), data["entry_count"]],
        [_("Ledger verified"), _("intact") if data["intact"] else _("BROKEN")],
        [_("Made"), data["made_at"], data["made_by"]], [],
        [_("Party"), _("Country"), _("Agreed share %"), _("Confirmed"), _("Pending"), _("Confirmed share %"),
         _("To restore the split")],
    ]
    for p in data["board"]["parties"]:
        rows.append([p["organisation"], p["country"], _dec(p["agreed_share"]), _dec(p["confirmed"]),
                     _dec(p["pending"]), _dec(p["confirmed_share"]), _dec(p["to_restore"])])
    for c in data["board"]["countries"]:
        rows.append([c["country"], c["country"], _dec(c["agreed_share"]), _dec(c["confirmed"]), _dec(c["pending"]),
                     _dec(c["confirmed_share"]), _dec(c["to_restore"])])
    for r in rows:
        ws.append(r)
    _number_formats(ws)
    ws["A1"].font = bold
    _sheet(wb, _("Financing plan"), [_("Budget line"), _("Currency"), _("Planned"), f"{_('Planned')} ({cur})",
                                    f"{_('Confirmed')} ({cur})", f"{_('Pending')} ({cur})"],
           [[b["category"], b["currency"], _dec(b["planned"]), _dec(b["planned_reporting"]), _dec(b["actual"]),
             _dec(b["pending"])] for b in data["board"]["budget"]], bold)
    _sheet(wb, _("Confirmed contributions"), [
        "#", _("Date"), _("Party"), _("Country"), _("Kind"), _("Amount"), _("Currency"), _("Rate"),
        f"{_('Value')} ({cur})", _("Description"), _("Confirmed by"), _("Confirmed on")],
        [[e["seq"], e["date"], e["party"], e["country"], str(kind_label(e["kind"])), _dec(e["amount"]), e["currency"],
          _dec(e["rate"]), _dec(e["reporting"]), e["description"], e["confirmed_by"], e["confirmed_at"]]
         for e in data["entries"]], bold)
    _sheet(wb, _("Calendar"), [_("Due"), _("Milestone"), _("Owner"), _("Done")],
           [[m["due"], m["title"], m["owner"] or "", _("yes") if m["done"] else _("no")] for m in data["milestones"]],
           bold)
    _sheet(wb, _("Meetings"), [_("Date"), _("City"), _("Host country"), _("Decisions")],
           [[m["date"], m["city"], m["host_country"], " · ".join(m["decisions"])] for m in data["meetings"]], bold)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _sheet(wb, title: str, header: list[str], rows: list[list[Any]], bold) -> None:
    ws = wb.create_sheet(title[:31])
    ws.append(header)
    for cell in ws[1]:
        cell.font = bold
    for r in rows:
        ws.append(r)
    _number_formats(ws)


def _number_formats(ws) -> None:
    # Amounts with their two places, rates with all of theirs (up to ten).
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00########"
