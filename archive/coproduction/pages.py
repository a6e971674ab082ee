"""What the co-production pages show, built from the services; the page views only render it.

Labels and the sentences for the services' codes are here, in the page's language (Flask-Babel);
a code this table does not know keeps the service's English sentence.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from archive import db
from archive.accounts.services import list_organisations
from archive.assets.schemas import LANGS
from archive.coproduction import commission, ledger, parity, projects, rates
from archive.coproduction.entry_schemas import contribution_from_flat
from archive.coproduction.models import CONTRIBUTION_KINDS, PARTY_ROLES, PROJECT_KINDS, PROJECT_STATUSES
from archive.coproduction.money import Money, exponent
from archive.coproduction.rulesets import ELEMENT_KEYS, RULE_SETS
from archive.coproduction.schemas import MAX_PARTIES, SERVICE_CATEGORIES
from archive.errors import ApiError
from archive.web.forms import COUNTRY_LABELS
from archive.web.i18n import format_percent_of, format_rate
from archive.web.messages import TIMECODE_REASONS, fill, wrong_role

# The rule sets' names (archive.coproduction.rulesets.RULE_SETS, whose `name` is the English
# one the API gives) in the page's language.
RULE_SET_LABELS = {
    "coe_2017_bilateral": _l("Council of Europe Convention on Cinematographic Co-production (revised), bilateral"),
    "coe_2017_multilateral": _l("Council of Europe Convention on Cinematographic Co-production (revised), "
                                "multilateral"),
}


def rule_set_label(key: str | None) -> str:
    """The name of the rule set `key` in the page's language (its English name for a key
    without a label, the key itself for an unknown one)."""
    label = RULE_SET_LABELS.get(key or "")
    if label is not None:
        return str(label)
    rule_set = RULE_SETS.get(key or "")
    return rule_set.name if rule_set is not None else str(key or "")

VERIFY_ON_PAGE_MAX = 20_000
KIND_LABELS = {"film": _l("Film"), "series": _l("Series"), "documentary": _l("Documentary"),
               "programme_exchange": _l("Programme exchange"), "event_coverage": _l("Event coverage")}
STATUS_LABELS = {"development": _l("Development"), "production": _l("Production"),
                 "post_production": _l("Post-production"), "delivered": _l("Delivered")}
ROLE_LABELS = {"lead": _l("Lead producer"), "co_producer": _l("Co-producer"), "contributor": _l("Contributor")}
CONTRIBUTION_LABELS = {"cash": _l("Cash"), "crew": _l("Crew"), "service": _l("Services in kind"),
                       "footage": _l("Archive footage"), "rights": _l("Rights")}
ENTRY_STATUS_LABELS = {"pending": _l("Waiting for confirmation"), "confirmed": _l("Confirmed"),
                       "disputed": _l("Disputed"), "answered": _l("Answered"), "reversed": _l("Reversed"),
                       "reversal": _l("Reversal")}
SIGNOFF_LABELS = {"confirmation": _l("Confirmed"), "dispute": _l("Disputed"), "answer": _l("Answered")}
ELEMENT_LABELS = {"director": _l("Director"), "scriptwriter": _l("Scriptwriter"), "composer": _l("Composer"),
                  "first_role": _l("First role"), "second_role": _l("Second role"), "third_role": _l("Third role"),
                  "cinematographer": _l("Director of photography"), "sound_recordist": _l("Sound recordist"),
                  "editor": _l("Editor"), "production_designer": _l("Production designer"),
                  "shooting_location": _l("Shooting location"),
                  "post_production_location": _l("Post-production location")}
SERVICE_LABELS = {"studio": _l("Studio"), "equipment": _l("Equipment"), "post_production": _l("Post-production"),
                  "travel": _l("Travel"), "other": _l("Other")}
GROUP_LABELS = {"creative": _l("Creative group"), "performing": _l("Performing group"),
                "technical": _l("Technical craft group")}
FIELD_LABELS = {"party": _l("Party"), "kind": _l("Kind"), "amount": _l("Amount"), "currency": _l("Currency"),
                "date": _l("Date"), "description": _l("Description"), "asset_id": _l("Asset"), "in": _l("In"),
                "out": _l("Out"), "budget_category": _l("Budget line"), "crew": _l("Crew"), "rate": _l("Rate"),
                "source": _l("Source"), "reason": _l("Reason"), "city": _l("City"), "host_country": _l("Host country"),
                "person": _l("Person"), "function": _l("Function"), "days": _l("Days"), "day_rate": _l("Day rate"),
                "nationality": _l("Nationality"), "element": _l("Creative element"), "quantity": _l("Quantity"),
                "unit_rate": _l("Unit rate"), "category": _l("Category"), "title": _l("Title"),
                "organisation": _l("Organisation"), "role": _l("Role"), "share": _l("Agreed share"),
                "status": _l("Status"), "reporting_currency": _l("Reporting currency"), "rule_set": _l("Rule set"),
                "footage_rate_per_minute": _l("Footage rate per minute"), "parties": _l("Parties"),
                "due": _l("Due date"), "owner": _l("Owner"), "done": _l("Done")}
# The code of an API error, or of one entry of its details.errors.
ERRORS = {
    "required": _l("%(field)s is required."),
    "asset_uploading": _l("This asset is still being uploaded: try again once its upload has finished."),
    "not_positive": _l("%(field)s must be more than zero."),
    "unknown_currency": _l("%(field)s must be an ISO 4217 currency code such as TRY, AZN or EUR."),
    "not_a_decimal_string": _l("%(field)s must be a number written with digits and at most one point, such as "
                               "1000.00."),
    "too_precise": _l("%(field)s has more than %(places)s decimal places."),
    "too_large": _l("%(field)s must be at most %(max)s."),
    "date_in_future": _l("%(field)s cannot be later than %(max)s."),
    "invalid_date": _l("%(field)s must be a real date written YYYY-MM-DD."),
    "invalid_choice": _l("%(field)s must be one of: %(choices)s."),
    "too_long": _l("%(field)s can be at most %(limit)s characters long (it has %(length)s)."),
    "unknown_party": _l("%(field)s is not a party of this project."),
    "amount_mismatch": _l("%(field)s does not match the reckoning (%(expected)s)."),
    "asset_not_found": _l("There is no such asset in the archive."),
    "asset_not_from_party": _l("The asset belongs to an organisation that is not a party of this project."),
    "asset_of_other_party": _l("The asset is %(owner)s's, not the contributing party's."),
    "no_footage_rate": _l("The project has no agreed rate per minute of footage: give a fixed amount and currency."),
    "duration_unknown": _l("The asset's duration is not known yet: give in and out, or a fixed amount."),
    "invalid_timecode": _l("%(field)s must be a position such as 00:01:30:12 or 00:01:30.480."),
    "out_of_range": _l("%(field)s is outside the allowed range."),
    "unknown_country": _l("%(field)s must be a country code such as TR or AZ."),
    "unknown_element": _l("%(field)s is not a creative element of the table."),
    "no_rate": _l("There is no %(currency)s rate for %(date)s: enter the day's rate first."),
    "own_country": _l("An entry is confirmed or disputed by a party of the other country."),
    "not_your_party": _l("You record and correct entries of your own organisation only."),
    "not_a_party": _l("Your organisation is not a party of this project."),
    "already_confirmed": _l("This entry is confirmed already."),
    "not_confirmable": _l("This entry cannot be confirmed."),
    "not_disputable": _l("Only a pending or answered entry can be disputed."),
    "not_disputed": _l("There is no dispute to answer."),
    "already_reversed": _l("This entry is reversed already."),
    "reversal_of_reversal": _l("A reversal cannot be reversed."),
    "rate_exists": _l("A rate for that currency and day exists already; entries use it."),
    "shares_not_100": _l("The agreed shares add up to %(total)s, not 100."),
    "one_country_only": _l("A joint project has parties of both countries (TR and AZ): each side confirms the "
                           "other's entries."),
    "duplicate": _l("%(field)s is given twice, or exists already."),
    "unknown_organisation": _l("%(field)s: there is no organisation of that name."),
    "not_a_list": _l("%(field)s: give at least two and at most %(max_items)s."),
    "milestone_not_found": _l("There is no such milestone in this project."),
    "unknown_field": _l("%(field)s is not a field of this form."),
    "not_text": _l("%(field)s must be text."),
    "forbidden_characters": _l("%(field)s contains invisible characters that can make text read differently from "
                               "how it is stored (%(characters)s); remove them."),
}
# The choices of an `invalid_choice` said with their labels.
CHOICE_LABELS = {"status": STATUS_LABELS, "kind": KIND_LABELS, "role": ROLE_LABELS, "category": SERVICE_LABELS}
# A sentence for a code said of one field in particular.
FIELD_ERRORS = {
    ("unknown_organisation", "owner"): _l("The owner must be one of the project's parties."),
    ("not_a_list", "parties"): _l("A co-production needs at least two parties (and at most %(max_items)s)."),
}


def kind_label(kind: str | None) -> str:
    return str(CONTRIBUTION_LABELS.get(kind or "", kind or ""))


def error_entries(exc: ApiError) -> list[tuple[str | None, str]]:
    """(field path, sentence in the page's language) for each mistake of `exc`: one per entry
    of details.errors, or the error itself. A code without a sentence keeps the service's."""
    errors = (exc.details or {}).get("errors")
    entries = errors if isinstance(errors, list) and errors else [
        {"field": (exc.details or {}).get("field"), "code": exc.code, "message": exc.message,
         "params": {k: v for k, v in (exc.details or {}).items() if k != "field"}}]
    out = []
    for e in entries:
        params: Mapping[str, Any] = e.get("params") if isinstance(e.get("params"), Mapping) else {}
        if e.get("code") == "wrong_role":  # the action refused and the roles that may do it
            out.append((str(e.get("field") or "") or None, wrong_role(params)))
            continue
        field = str(e.get("field") or "")
        parts = [p for p in re.split(r"[.\[\]]", field) if p and not p.isdigit()]
        name = (parts[-2] if len(parts) > 1 and parts[-1] in LANGS else parts[-1]) if parts else ""
        template = FIELD_ERRORS.get((str(e.get("code")), name)) or ERRORS.get(str(e.get("code")))
        if e.get("code") == "invalid_timecode" and params.get("reason") in TIMECODE_REASONS:
            # a field of the label out of its range (seconds 99): named, with the range
            template = TIMECODE_REASONS[params["reason"]]
            params = {**params, **{k: f"{params[k]:02d}" for k in ("value", "max") if isinstance(params.get(k), int)}}
        labels = CHOICE_LABELS.get(name, {})
        values = {k: (", ".join(str(labels.get(x, x)) for x in v) if isinstance(v, list) else str(v))
                  for k, v in params.items()}
        values["field"] = str(FIELD_LABELS.get(name, name))
        text = fill(str(template), values) if template is not None else None
        out.append((field or None, text or str(e.get("message") or exc.message)))
    return out


def error_lines(exc: ApiError) -> list[str]:
    """The error as sentences in the page's language: one per field mistake."""
    return [text for _field, text in error_entries(exc)]


def money(text: str | None) -> str:
    from decimal import Decimal

    return "—" if text is None else format_decimal(Decimal(text), "#,##0.00")


def share(text: str | None) -> str:
    """A percent string ("50.00") for the page's language (tr "%50,00", az "50,00%"); — for none."""
    from decimal import Decimal

    return "—" if text is None else format_percent_of(text, 2)


def rate(text: str | None) -> str:
    """An exchange rate string ("0.0270") for the page's language ("0,027"); — for none."""
    return "—" if text is None else format_rate(text)


def projects_page(user, lang: str) -> dict[str, Any]:
    rows = projects.list_projects(db.session(), user)
    return {"projects": [{**projects.project_json(p, lang), "kind_label": KIND_LABELS.get(p.kind, p.kind),
                          "status_label": STATUS_LABELS.get(p.status, p.status)} for p in rows], "share": share}


def project_page(user, project_id: str, lang: str, *, page: int = 1, per_page: int = 50) -> dict[str, Any]:
    session = db.session()
    project = projects.get_project(session, project_id, user)
    doc = projects.project_json(project, lang)
    board = parity.dashboard(session, project)
    total, entries = ledger.contributions(session, project, limit=per_page, offset=(page - 1) * per_page, viewer=user)
    mine = projects.party_of(user, project)
    can_change = projects.can_change(user, project)
    for e in entries:
        own = mine is not None and e["country"] == mine.organisation.country
        e["status_label"] = ENTRY_STATUS_LABELS.get(e["status"], e["status"])
        e["kind_label"] = kind_label(e["kind"])
        e["can_confirm"] = can_change and mine is not None and not own and e["status"] in ("pending", "answered")
        e["can_dispute"] = e["can_confirm"]
        e["can_answer"] = can_change and mine is not None and e["party"] == mine.organisation.name \
            and e["status"] == "disputed"
        e["can_reverse"] = can_change and mine is not None and e["party"] == mine.organisation.name \
            and e["status"] not in ("reversed", "reversal")
        for s in e["signoffs"]:
            s["label"] = SIGNOFF_LABELS.get(s["type"], s["type"])
    rule_set = RULE_SETS.get(project.rule_set or "")
    # Verifying streams every record: done on the page while that is quick, else left to
    # `ortak coproduction verify`, GET .../ledger/verify and the plan report.
    checked = board["ledger"]["entries"] <= VERIFY_ON_PAGE_MAX
    broken = ledger.verify(session, project) if checked else None
    return {
        "project": doc, "board": board, "entries": entries, "total": total, "page": page,
        "pages": max(1, (total + per_page - 1) // per_page),
        "kind_label": KIND_LABELS.get(project.kind), "status_label": STATUS_LABELS.get(project.status),
        "role_labels": ROLE_LABELS, "country_labels": COUNTRY_LABELS, "contribution_labels": CONTRIBUTION_LABELS,
        "element_labels": ELEMENT_LABELS, "group_labels": GROUP_LABELS, "service_labels": SERVICE_LABELS,
        "rule_set": rule_set, "rule_set_name": rule_set_label(rule_set.key) if rule_set else None,
        "can_change": can_change, "my_party": mine.organisation.name if mine else None,
        "parties": [p.organisation.name for p in project.parties
                    if user.role == "admin" or p.organisation_id == user.organisation_id],
        "kinds": CONTRIBUTION_KINDS, "elements": ELEMENT_KEYS, "service_categories": SERVICE_CATEGORIES,
        "footage": projects.footage_doc(session, project, lang, user),
        "statuses": PROJECT_STATUSES, "status_labels": STATUS_LABELS,
        "party_names": [p.organisation.name for p in project.parties],
        "rates": [rates.rate_json(r) for r in rates.list_rates(session, project)][:50],
        "meetings": [commission.meeting_json(m, same) for m, same in
                     commission.with_warnings(commission.meetings(session)) if project.id in (m.project_ids or [])],
        "intact": (broken is None) if checked else None, "broken": broken, "money": money, "share": share, "rate": rate,
        "chart_data": chart_data(board),
        "currency_places": exponent(project.reporting_currency),
        "credit_text": credit_text(projects.credit(project)),
    }


def new_project_page(user, rows: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The new-project form: the choices, and the party rows (the user's organisation as lead
    and one empty co-producer row to begin with)."""
    organisations = [{"name": o.name, "country": o.country} for o in list_organisations(db.session()) if o.active]
    if rows is None:
        mine = user.organisation.name if getattr(user, "organisation", None) is not None else ""
        rows = [{"organisation": mine, "role": "lead", "share": ""},
                {"organisation": "", "role": "co_producer", "share": ""}]
    return {"organisations": organisations, "rows": rows, "kinds": PROJECT_KINDS, "kind_labels": KIND_LABELS,
            "statuses": PROJECT_STATUSES, "status_labels": STATUS_LABELS, "roles": PARTY_ROLES,
            "role_labels": ROLE_LABELS, "rule_sets": {k: rule_set_label(k) for k in RULE_SETS},
            "country_labels": COUNTRY_LABELS, "max_rows": MAX_PARTIES, "langs": LANGS}


def asset_projects(user, asset_id: str, lang: str) -> list[dict[str, Any]]:
    """The projects an asset is footage of, with their credit line (public to every member)."""
    return [{"id": p.id, "title": p.display_title(lang), "visible": projects.can_view(user, p),
             "credit": credit_text(projects.credit(p))}
            for p in projects.projects_of_asset(db.session(), asset_id)]


def credit_text(names: list[str]) -> str | None:
    from flask_babel import gettext as _

    if not names:
        return None
    joined = names[0] if len(names) == 1 else _("%(first)s and %(last)s", first=", ".join(names[:-1]), last=names[-1])
    return _("A co-production of %(names)s", names=joined)


def chart_data(board: dict[str, Any]) -> dict[str, Any]:
    """The figures the page's charts draw (numbers, not strings: drawing only), with labels."""
    from decimal import Decimal

    countries = [c["country"] for c in board["countries"]]
    tl = board["timeline"]
    num = lambda t: float(Decimal(t)) if t is not None else None  # noqa: E731  (drawing only, never money)
    return {
        "months": [m["month"] for m in tl],
        "countries": [{"code": c, "label": str(COUNTRY_LABELS.get(c, c)),
                       "confirmed": [num(m["countries"][c]["confirmed"]) for m in tl],
                       "pending": [num(m["countries"][c]["pending"]) for m in tl],
                       "cumulative_share": [num(m["cumulative_share"][c]) for m in tl],
                       "agreed": num(next(x["agreed_share"] for x in board["countries"] if x["country"] == c))}
                      for c in countries],
        "budget": {"labels": [b["category"] for b in board["budget"]],
                   "planned": [num(b["planned_reporting"]) for b in board["budget"]],
                   "actual": [num(b["actual"]) for b in board["budget"]]},
        "labels": {"confirmed": str(_l("confirmed")), "pending": str(_l("pending")), "agreed": str(_l("agreed")),
                   "planned": str(_l("Planned")), "actual": str(_l("Confirmed")), "share": str(_l("Share %"))},
        "currency": board["reporting_currency"],
    }


def commission_page(user, lang: str) -> dict[str, Any]:
    session = db.session()
    rows = commission.with_warnings(commission.meetings(session))
    visible = {p.id: p.display_title(lang) for p in projects.list_projects(session, user)}
    meetings = []
    for m, same in reversed(rows):  # newest first on the page
        doc = commission.meeting_json(m, same, set(visible))  # the reader's projects only, as the API
        doc["project_titles"] = [visible[p] for p in doc["projects"]]
        meetings.append(doc)
    return {"meetings": meetings, "projects": visible, "country_labels": COUNTRY_LABELS}


def contribution_from_form(form: Mapping[str, str]) -> dict[str, Any]:
    """A contribution body from the page's form (the same flat fields as the CSV import)."""
    return contribution_from_flat(form)


def format_money(text: str, currency: str, locale: str) -> str:
    from decimal import Decimal

    return Money(Decimal(text), currency).format(locale)
