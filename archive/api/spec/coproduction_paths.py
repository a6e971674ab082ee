"""`paths` of the co-production operations (schemas in `archive.api.spec.coproduction`)."""
from __future__ import annotations

from typing import Any

from archive.api.spec.components import FILENAME_HEADER, error_response, json_content, ref, schema
from archive.api.spec.coproduction import MAX_MINUTES_BYTES, MAX_PAGE, MAX_PER_PAGE, MINUTES_TYPES
from archive.api.spec.paths import operation, page_parameters, response
from archive.assets.schemas import LANGS
from archive.coproduction.reports import CONTENT_TYPES

TAG = "coproduction"


def _path(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "description": description}


PROJECT = [_path("project_id", "Anything that is not a project the caller may see answers 404 `project_not_found`.")]
ENTRY = [_path("entry_id", "A contribution (or reversal) of a project the caller may see; else 404 "
                           "`contribution_not_found`.")]
MEETING = [_path("meeting_id", "Else 404 `meeting_not_found`.")]
LANG = ref("parameters", "Lang")


def _body(name: str, *, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": json_content(schema(name))}


def _write(ok: dict[str, Any], *, invalid: str, extra: dict[str, Any] | None = None, body: bool = True,
           found: bool = True) -> dict[str, Any]:
    answers: dict[str, Any] = {**ok, "403": error_response(
        "`wrong_role` (producers and admins only), `not_a_party` (the caller's organisation is not a party), "
        "`not_your_party`, `own_country`.")}
    if found:
        answers["404"] = response("NotFound")
    if body:
        answers.update({"400": response("BadRequest"), "413": response("BodyTooLarge"),
                        "415": response("UnsupportedMediaType"), "422": response("Invalid") if invalid == "" else
                        error_response(invalid)})
    answers.update(extra or {})
    return answers


def coproduction_paths() -> dict[str, Any]:
    ok = lambda name, status="200", text="Done.": {status: {"description": text,  # noqa: E731
                                                             "content": json_content(schema(name))}}
    created_id = {"201": {"description": "Created.", "content": json_content({
        "type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}})}}
    signoff = {"409": error_response("`already_confirmed`, `not_confirmable` (a reversal, or a reversed entry), "
                                     "`not_disputable`, `not_disputed`, `already_reversed`, `reversal_of_reversal`.")}
    reason_body = {"required": True, "content": json_content({
        "type": "object", "required": ["reason"], "additionalProperties": False,
        "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 2000}}})}
    return {
        "/api/v1/projects": {
            "post": operation(TAG, "createProject", "Create a co-production project between organisations of both "
                              "countries (the caller's organisation among them).",
                              _write(created_id, invalid="`invalid_project`: every mistake in `details.errors` "
                                     "(`shares_not_100`, `one_country_only`, `unknown_organisation`, `out_of_range` "
                                     "for a share outside the rule set's limits...).", found=False),
                              requestBody=_body("ProjectNew")),
            "get": operation(TAG, "listProjects", "The projects the caller's organisation is a party of (all for "
                             "admins).", {"200": {"description": "Newest first.", "content": json_content({
                                 "type": "object", "required": ["items"],
                                 "properties": {"items": {"type": "array", "items": schema("Project")}}})},
                                          "400": response("BadRequest")}, parameters=[LANG])},
        "/api/v1/projects/{project_id}": {
            "parameters": PROJECT,
            "get": operation(TAG, "getProject", "A project: parties and agreed shares, budget, calendar, footage, "
                             "credit.", {**ok("Project"), "400": response("BadRequest"), "404": response("NotFound")},
                             parameters=[LANG]),
            "patch": operation(TAG, "changeProject", "Move the project to another status (development, production, "
                               "post-production, delivered).",
                               _write(ok("Project"), invalid="`invalid_project`: `status` missing or unknown."),
                               parameters=[LANG], requestBody=_body("ProjectChange"))},
        "/api/v1/projects/{project_id}/rates": {
            "parameters": PROJECT,
            "post": operation(TAG, "addRate", "An exchange rate: units of the reporting currency per unit of "
                              "`currency` on `date`, with its source. Never replaced.",
                              _write(ok("Rate", "201", "Added."), invalid="`invalid_rate`",
                                     extra={"409": error_response("`rate_exists`: that currency has a rate that "
                                                                  "day; entries use it.")}),
                              requestBody=_body("RateNew")),
            "get": operation(TAG, "listRates", "The project's rates, newest first.", {
                "200": {"description": "The rates.", "content": json_content({
                    "type": "object", "required": ["items"],
                    "properties": {"items": {"type": "array", "items": schema("Rate")}}})},
                "404": response("NotFound")})},
        "/api/v1/projects/{project_id}/budget": {"parameters": PROJECT, "post": operation(
            TAG, "addBudgetLine", "A budget line (category, planned amount, currency).",
            _write(ok("BudgetLine", "201", "Added."), invalid="`invalid_budget_line`"),
            requestBody=_body("BudgetLineNew"))},
        "/api/v1/projects/{project_id}/milestones": {"parameters": PROJECT, "post": operation(
            TAG, "addMilestone", "A milestone of the commission's calendar, owned by a party.",
            _write(ok("Milestone", "201", "Added."), invalid="`invalid_milestone`"),
            requestBody=_body("MilestoneNew"))},
        "/api/v1/projects/{project_id}/milestones/{milestone_id}": {
            "parameters": [*PROJECT, {"name": "milestone_id", "in": "path", "required": True,
                                      "schema": {"type": "integer", "minimum": 0}}],
            "patch": operation(TAG, "changeMilestone", "Mark a milestone done (or not).",
                               _write(ok("Milestone"), invalid="`invalid_milestone`"),
                               requestBody={"required": True, "content": json_content({
                                   "type": "object", "required": ["done"], "additionalProperties": False,
                                   "properties": {"done": {"type": "boolean"}}})})},
        "/api/v1/projects/{project_id}/footage": {"parameters": PROJECT, "post": operation(
            TAG, "linkFootage", "Add an archive asset of a party, or a segment of it (in and out), to the "
                                "project's footage (search can then filter by the project).",
            _write({"201": {"description": "Linked (also when it was).", "content": json_content(
                schema("FootageLink"))},
                    "409": error_response("`asset_uploading`: the asset's upload has not finished.")},
                invalid="`asset_not_from_party`: no party owns or holds the asset; `invalid_footage`: every "
                        "mistake in `details.errors` (`invalid_timecode`, `required` for half a segment, "
                        "`out_of_range` for a segment outside the asset)."),
            requestBody=_body("FootageLinkNew"))},
        "/api/v1/projects/{project_id}/contributions": {
            "parameters": PROJECT,
            "post": operation(TAG, "submitContribution", "Record a contribution of the caller's party: pending until "
                              "a party of the other country confirms it.",
                              _write({"201": {"description": "Recorded, pending.", "content": json_content({
                                  "type": "object", "required": ["id", "status", "seq", "hash"],
                                  "properties": {"id": {"type": "string"}, "status": {"const": "pending"},
                                                 "seq": {"type": "integer"}, "hash": {"type": "string"}}})}},
                                     invalid="`invalid_contribution` (every mistake in `details.errors`: "
                                             "`not_positive`, `unknown_currency`, `asset_not_from_party`...) or "
                                             "`no_rate` (`details.currency`, `details.date`): no rate for its date."),
                              requestBody=_body("ContributionNew")),
            "get": operation(TAG, "listContributions", "The ledger's contributions, newest first, with their "
                             "sign-offs and the chain's head.",
                             {**ok("ContributionPage"), "400": response("BadRequest"), "404": response("NotFound")},
                             parameters=page_parameters(MAX_PAGE, MAX_PER_PAGE, 100))},
        "/api/v1/projects/{project_id}/parity": {"parameters": PROJECT, "get": operation(
            TAG, "projectParity", "The parity dashboard's figures: per party and country, confirmed and pending by "
                                  "kind, shares against the agreed split, what restores it, budget against actuals, "
                                  "over time, the rule set.", {**ok("Parity"), "404": response("NotFound")})},
        "/api/v1/projects/{project_id}/ledger/verify": {"parameters": PROJECT, "get": operation(
            TAG, "verifyLedger", "Verify the project's hash chain: its head, and the first bad record if any.",
            {**ok("LedgerVerification"), "404": response("NotFound")})},
        "/api/v1/projects/{project_id}/report": {"parameters": PROJECT, "get": operation(
            TAG, "planReport", "The commission's plan report (financing plan, confirmed contributions, calendar) "
                               "with the ledger's head hash, as PDF or XLSX.",
            {"200": {"description": "The report; `Ortak-Ledger-Head` is the head hash printed on it.",
                     "headers": {"Ortak-Ledger-Head": {"schema": {"type": "string"}},
                                 "Content-Disposition": ref("headers", "ContentDisposition")},
                     "content": {t: {"schema": {}} for t in CONTENT_TYPES.values()}},
             "400": response("BadRequest"), "404": response("NotFound")},
            parameters=[{"name": "format", "in": "query", "schema": {"enum": list(CONTENT_TYPES), "default": "pdf"}},
                        {"name": "lang", "in": "query", "schema": {"enum": list(LANGS)},
                         "description": "The report's language; default the caller's, else tr."}])},
        "/api/v1/contributions/{entry_id}": {"parameters": ENTRY, "get": operation(
            TAG, "getContribution", "One contribution with its status and sign-offs.",
            {**ok("Contribution"), "404": response("NotFound")})},
        "/api/v1/contributions/{entry_id}/confirm": {"parameters": ENTRY, "post": operation(
            TAG, "confirmContribution", "Confirm: by a producer of a party of the other country.",
            _write(ok("Contribution"), invalid="", extra=signoff, body=False))},
        "/api/v1/contributions/{entry_id}/dispute": {"parameters": ENTRY, "post": operation(
            TAG, "disputeContribution", "Dispute, with a reason: by a party of the other country.",
            _write(ok("Contribution"), invalid="`invalid_reason`", extra=signoff), requestBody=reason_body)},
        "/api/v1/contributions/{entry_id}/answer": {"parameters": ENTRY, "post": operation(
            TAG, "answerDispute", "Answer a dispute: by the submitting party.",
            _write(ok("Contribution"), invalid="`invalid_reason`", extra=signoff), requestBody=reason_body)},
        "/api/v1/contributions/{entry_id}/reverse": {"parameters": ENTRY, "post": operation(
            TAG, "reverseContribution", "A reversing entry (the amounts negated at the same rate, dated today): by "
                                        "the submitting party. The body (a reason) is optional.",
            _write(ok("Contribution", "201", "The reversal."), invalid="`invalid_reason`", extra=signoff),
            requestBody={"required": False, "content": json_content({
                "type": "object", "additionalProperties": False,
                "properties": {"reason": {"type": "string", "maxLength": 2000}}})})},
        "/api/v1/assets/{id}/projects": {"parameters": [ref("parameters", "AssetId")], "get": operation(
            TAG, "assetProjects", "The projects an asset is footage of and their co-production credit.",
            {"200": {"description": "Projects (`visible`: the caller may open it).", "content": json_content({
                "type": "object", "required": ["asset_id", "projects"],
                "properties": {"asset_id": {"type": "string"}, "projects": {"type": "array", "items": {
                    "type": "object", "required": ["id", "title", "credit", "visible"]}}}})},
             "400": response("BadRequest"), "404": response("NotFound")}, parameters=[LANG])},
        "/api/v1/commission/meetings": {
            "post": operation(TAG, "recordMeeting", "A meeting of the joint working commission.",
                              _write(ok("Meeting", "201", "Recorded."), invalid="`invalid_meeting`", found=False),
                              requestBody=_body("MeetingNew")),
            "get": operation(TAG, "listMeetings", "The meetings, oldest first; `same_host_as_previous` (and a "
                             "`warning`) when a country hosts twice in a row.", {"200": {
                                 "description": "The meetings.", "content": json_content({
                                     "type": "object", "required": ["items"],
                                     "properties": {"items": {"type": "array", "items": schema("Meeting")}}})}})},
        "/api/v1/commission/meetings/{meeting_id}/minutes": {
            "parameters": MEETING,
            "put": operation(TAG, "putMinutes", f"The meeting's minutes file (at most {MAX_MINUTES_BYTES} bytes), "
                             "stored once; `Ortak-Filename` names it.",
                             _write(ok("Meeting", "201", "Stored."), invalid="", body=False, extra={
                                 "400": error_response("`empty_body`; `invalid_filename` (`Ortak-Filename` not UTF-8 "
                                                       "or with control characters)."),
                                 "409": error_response("`minutes_exist`."),
                                 "413": error_response("`minutes_too_large`."),
                                 "415": error_response("`unsupported_media_type`: " + ", ".join(MINUTES_TYPES)
                                                       + "; `content_type_mismatch`: the bytes are another type."),
                                 "503": error_response("`storage_failed`: retry.")}),
                             parameters=[FILENAME_HEADER],
                             requestBody={"required": True, "content": {t: {"schema": {"type": "string",
                                                                                        "format": "binary"}}
                                                                        for t in MINUTES_TYPES}}),
            "get": operation(TAG, "getMinutes", "The minutes file.", {
                "200": {"description": "The file.", "content": {t: {"schema": {}} for t in MINUTES_TYPES},
                        "headers": {"Content-Disposition": ref("headers", "ContentDisposition")}},
                "404": error_response("`meeting_not_found`, `minutes_not_found`, `blob_missing`.")})},
    }
