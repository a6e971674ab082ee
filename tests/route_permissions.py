"""Who may do what: one row per (method, route) of the Flask app, one outcome per actor.

Roles decide actions; organisation and country scope them. `tests/functional/test_route_permissions.py`
sends every method of every route of `app.url_map` as each actor and compares what happens
with this table; a route without a row fails that test with the row to add.

Actors (built by the test's `world` fixture; TRT is a Turkish broadcaster, İTV an Azerbaijani one):
- `anonymous`: no token, no session;
- `producer`: a TRT producer who uploaded the asset the URLs name;
- `broadcaster`: a TRT broadcaster;
- `rights_manager`: a TRT rights manager;
- `admin`: an admin (of the platform's own organisation);
- `other_country`: a rights manager of İTV (Azerbaijan): another organisation in the other
  country, not a party to the project the URLs name. Its row says what organisation and
  country scoping leave to the most trusted role short of admin.

Outcomes (what the request is answered, whatever its body):
- OK: passed the access check (any answer but the three below: 2xx, 3xx, or a 4xx about the
  request itself, such as 400/409/415/422);
- LOGIN: refused for want of a caller (401 from the API, a redirect to /login from a page);
- FORBIDDEN: 403 (the caller's role or scope may not do this);
- HIDDEN: 404 (the thing exists, but is not the caller's to see).

The URLs' placeholders are filled from `world` (see the test's VALUES); a new placeholder
needs a value there. To add a route: add its row here, with the reason when it is not plain.
"""
from __future__ import annotations

ACTORS = ("anonymous", "producer", "broadcaster", "rights_manager", "admin", "other_country")
OK, LOGIN, FORBIDDEN, HIDDEN = "ok", "login", "forbidden", "hidden"


def public() -> dict[str, str]:
    return dict.fromkeys(ACTORS, OK)


def members(**overrides: str) -> dict[str, str]:
    """Every logged-in user passes (anonymous: LOGIN), but for `overrides`."""
    unknown = set(overrides) - set(ACTORS)
    if unknown:
        raise KeyError(f"unknown actors {sorted(unknown)}")
    return {**dict.fromkeys(ACTORS, OK), "anonymous": LOGIN, **overrides}


# Roles that upload (producers and admins); rights managers and broadcasters do not.
UPLOADERS = dict(broadcaster=FORBIDDEN, rights_manager=FORBIDDEN, other_country=FORBIDDEN)
# The asset's metadata and transcripts: its organisation's producers and rights managers, and admins.
ASSET_EDITORS = dict(broadcaster=FORBIDDEN, other_country=FORBIDDEN)
# Rights managers (their organisation's things) and admins.
RIGHTS = dict(producer=FORBIDDEN, broadcaster=FORBIDDEN)
# The rights of an asset: its organisation's rights managers, and admins.
ASSET_RIGHTS = dict(RIGHTS, other_country=FORBIDDEN)
# A marker: its author (the URLs' marker is the producer's) and admins.
MARKER_AUTHOR = dict(broadcaster=FORBIDDEN, rights_manager=FORBIDDEN, other_country=FORBIDDEN)
# Co-production: producers (and admins) of a party organisation write; every member of a party
# reads; others do not see the project. The API checks the role first (403 `wrong_role` for a
# rights manager of any organisation), the pages the project first (404 for a non-party).
PARTY_WRITERS_API = dict(broadcaster=FORBIDDEN, rights_manager=FORBIDDEN, other_country=FORBIDDEN)
PARTY_WRITERS_PAGE = dict(broadcaster=FORBIDDEN, rights_manager=FORBIDDEN, other_country=HIDDEN)
PARTY_READERS = dict(other_country=HIDDEN)
# Sign-off of a contribution: a producer of a party of the OTHER country than the submitter's
# (the URLs' contribution is AzTV's, so TRT's producer signs it off); admins may not sign off.
SIGN_OFF = dict(PARTY_WRITERS_API, admin=FORBIDDEN)
# Answering a dispute and reversing: the submitting party only (AzTV, not TRT); admins may not.
SUBMITTER_ONLY = dict(PARTY_WRITERS_API, producer=FORBIDDEN, admin=FORBIDDEN)
# Commission meetings are written by producers and admins.
WRITERS = dict(broadcaster=FORBIDDEN, rights_manager=FORBIDDEN, other_country=FORBIDDEN)
# A basket: the URLs' basket is TRT's producer's, shared read-only with TRT's broadcaster. Its
# owner and the administrators of the owner's organisation act on it (docs/api.md, "Who sees a
# basket"); the world's admin is of the platform's own organisation (PLATFORM_ORGANISATION),
# which sees every basket for audit, read-only: no change and no zip (403 `basket_read_only`).
# Anyone else it is not shared with gets 404, as for no basket.
BASKET_READERS = dict(rights_manager=HIDDEN, other_country=HIDDEN)
BASKET_EDITORS = dict(BASKET_READERS, broadcaster=FORBIDDEN, admin=FORBIDDEN)  # read-only: 403 `basket_read_only`
BASKET_ZIP = dict(BASKET_READERS, admin=FORBIDDEN)  # an audit reads the list, not the originals
# Uploads: producers and admins; an upload is its uploader's (and admins') only.
UPLOAD = dict(broadcaster=FORBIDDEN, rights_manager=FORBIDDEN, other_country=FORBIDDEN)

TABLE: dict[tuple[str, str], dict[str, str]] = {
    # ---- public ------------------------------------------------------------------------
    ("GET", "/healthz"): public(),
    ("GET", "/api/v1/openapi.json"): public(),
    # Verifying a file's content credentials (C2PA): any member (no file: 422 file_required).
    ("POST", "/api/v1/provenance/verify"): members(),
    ("GET", "/provenance/verify"): members(),
    ("POST", "/provenance/verify"): members(),
    ("GET", "/login"): public(),
    ("POST", "/login"): public(),  # a wrong or missing password is 400/401 for anyone: no one is let in
    ("POST", "/logout"): public(),  # ends the caller's session, if any, and shows the login page
    ("GET", "/lang/<code>"): public(),
    ("GET", "/static/web/<path:filename>"): public(),
    ("GET", "/static/coproduction/<path:filename>"): public(),
    # Flask's own static route: archive/ has no static folder, nothing is served there.
    ("GET", "/static/<path:filename>"): dict.fromkeys(ACTORS, HIDDEN),
    # tus discovery is public (tus 1.0.0); creating and writing uploads is not.
    ("OPTIONS", "/api/v1/uploads"): public(),
    ("OPTIONS", "/api/v1/uploads/<upload_id>"): public(),

    # ---- the caller --------------------------------------------------------------------
    ("GET", "/api/v1/me"): members(),
    ("POST", "/api/v1/me/password"): members(),  # the test sends no password: 4xx, nothing changes

    # ---- search and assets ---------------------------------------------------------------
    ("GET", "/"): members(),
    ("GET", "/api/v1/search"): members(),
    ("GET", "/api/v1/assets"): members(),
    ("GET", "/api/v1/assets/<asset_id>"): members(),
    ("GET", "/assets/<asset_id>"): members(),
    # Metadata: the asset's organisation's producers and rights managers, and admins (issue 7).
    ("PATCH", "/api/v1/assets/<asset_id>"): members(broadcaster=FORBIDDEN, other_country=FORBIDDEN),
    ("POST", "/assets/<asset_id>"): members(broadcaster=FORBIDDEN, other_country=FORBIDDEN),
    ("GET", "/api/v1/assets/<asset_id>/history"): members(),
    # Bytes go through the access gate (policy "rights", README "Rights and avails"): the
    # original of another organisation's asset needs a usage declaration the avails engine
    # clears (403 `declaration_required` without one); the asset's own organisation and admins
    # always read it. Renditions are previews, open to every member.
    ("GET", "/api/v1/assets/<asset_id>/download"): members(other_country=FORBIDDEN),
    ("GET", "/api/v1/assets/<asset_id>/renditions/<name>"): members(),
    ("GET", "/api/v1/assets/<asset_id>/renditions/<name>/<path:path>"): members(),
    ("GET", "/api/v1/assets/<asset_id>/projects"): members(),

    # ---- provenance (issue 12) -----------------------------------------------------------
    # Every member reads an asset's provenance (each section shows what the caller may see).
    # The bag hands out the original: the access gate as for its download (another
    # organisation without a declaration: 403 `declaration_required`). Fixity: admins only.
    ("GET", "/api/v1/assets/<asset_id>/provenance"): members(),
    ("GET", "/assets/<asset_id>/provenance"): members(),
    ("POST", "/api/v1/assets/<asset_id>/bag"): members(other_country=FORBIDDEN),
    ("POST", "/assets/<asset_id>/provenance/bag"): members(other_country=FORBIDDEN),
    ("GET", "/api/v1/fixity"): members(producer=FORBIDDEN, broadcaster=FORBIDDEN, rights_manager=FORBIDDEN,
                                       other_country=FORBIDDEN),
    ("GET", "/fixity"): members(producer=FORBIDDEN, broadcaster=FORBIDDEN, rights_manager=FORBIDDEN,
                                other_country=FORBIDDEN),

    # ---- markers -------------------------------------------------------------------------
    # Every member who may read the asset reads and adds markers; the URLs' marker is the
    # producer's, and only its author or an admin changes or removes it.
    ("GET", "/api/v1/assets/<asset_id>/markers"): members(),
    ("POST", "/api/v1/assets/<asset_id>/markers"): members(),
    ("PATCH", "/api/v1/assets/<asset_id>/markers/<int:marker_id>"): members(**MARKER_AUTHOR),
    ("DELETE", "/api/v1/assets/<asset_id>/markers/<int:marker_id>"): members(**MARKER_AUTHOR),

    # ---- transcripts (issue 11) ----------------------------------------------------------
    # Every member reads them; those who edit the asset's metadata (admins, the producers and
    # rights managers of its organisation) put and remove them.
    ("GET", "/api/v1/assets/<asset_id>/transcripts"): members(),
    ("GET", "/api/v1/assets/<asset_id>/transcripts/<lang>"): members(),
    ("PUT", "/api/v1/assets/<asset_id>/transcripts/<lang>"): members(**ASSET_EDITORS),
    ("DELETE", "/api/v1/assets/<asset_id>/transcripts/<lang>"): members(**ASSET_EDITORS),

    # ---- rights and avails (issue 7) -----------------------------------------------------
    # Every member reads an asset's blocks, its avails (for their own organisation) and its grid.
    ("GET", "/api/v1/assets/<asset_id>/rights"): members(),
    ("GET", "/api/v1/assets/<asset_id>/avails"): members(),
    ("GET", "/api/v1/assets/<asset_id>/avails/grid"): members(),
    ("GET", "/assets/<asset_id>/declare"): members(),  # the usage declaration before an original download
    # Blocks: the asset's organisation's rights managers, and admins.
    ("POST", "/api/v1/assets/<asset_id>/rights"): members(**ASSET_RIGHTS),
    ("PATCH", "/api/v1/assets/<asset_id>/rights/<int:block_id>"): members(**ASSET_RIGHTS),
    ("DELETE", "/api/v1/assets/<asset_id>/rights/<int:block_id>"): members(**ASSET_RIGHTS),
    ("POST", "/assets/<asset_id>/rights"): members(**ASSET_RIGHTS),
    ("POST", "/assets/<asset_id>/rights/<int:block_id>/delete"): members(**ASSET_RIGHTS),
    ("POST", "/assets/<asset_id>/contracts"): members(**ASSET_RIGHTS),  # the asset's organisation as licensor
    # Contracts: rights managers (of their own organisation, as licensor) and admins. The URLs'
    # contract is TRT's: İTV's rights manager does not see it.
    ("GET", "/api/v1/contracts"): members(**RIGHTS),  # each sees its own organisation's
    ("POST", "/api/v1/contracts"): members(**RIGHTS),  # for its own organisation
    ("GET", "/api/v1/contracts/<contract_id>"): members(**RIGHTS, other_country=HIDDEN),
    ("POST", "/api/v1/contracts/<contract_id>/documents"): members(**RIGHTS, other_country=HIDDEN),
    ("GET", "/api/v1/contracts/<contract_id>/documents/<int:document_id>"): members(**RIGHTS, other_country=HIDDEN),

    # ---- uploads -------------------------------------------------------------------------
    ("GET", "/upload"): members(**UPLOADERS),
    ("GET", "/my-uploads"): members(),
    ("POST", "/api/v1/uploads"): members(**UPLOADERS),
    ("HEAD", "/api/v1/uploads/<upload_id>"): members(**UPLOAD),
    ("GET", "/api/v1/uploads/<upload_id>"): members(**UPLOAD),
    ("PATCH", "/api/v1/uploads/<upload_id>"): members(**UPLOAD),
    ("DELETE", "/api/v1/uploads/<upload_id>"): members(**UPLOAD),
    # Only for clients that tunnel PATCH/DELETE (X-HTTP-Method-Override, checked then as those
    # methods); a bare POST is 405 for anyone, before anything else.
    ("POST", "/api/v1/uploads/<upload_id>"): public(),

    # ---- usage log and notifications (issue 7) -------------------------------------------
    # Rights managers see their own organisation's assets' uses, admins all; read only.
    ("GET", "/api/v1/usage"): members(**RIGHTS),
    ("GET", "/api/v1/usage/summary"): members(**RIGHTS),
    ("GET", "/audit"): members(**RIGHTS),
    ("GET", "/api/v1/notifications"): members(),
    ("POST", "/api/v1/notifications/read"): members(),  # only the caller's own are marked
    ("GET", "/notifications"): members(),
    ("POST", "/notifications/read"): members(),
    # The organisation's webhook: its rights managers and admins (the caller's own organisation only).
    ("GET", "/api/v1/notifications/webhook"): members(**RIGHTS),
    ("PUT", "/api/v1/notifications/webhook"): members(**RIGHTS),
    ("DELETE", "/api/v1/notifications/webhook"): members(**RIGHTS),

    # ---- co-production -------------------------------------------------------------------
    ("GET", "/projects"): members(),
    ("GET", "/api/v1/projects"): members(),
    ("POST", "/api/v1/projects"): members(broadcaster=FORBIDDEN, rights_manager=FORBIDDEN, other_country=FORBIDDEN),
    ("GET", "/projects/new"): members(**PARTY_WRITERS_API),  # producers and admins create projects
    ("POST", "/projects/new"): members(**PARTY_WRITERS_API),
    ("GET", "/projects/<project_id>"): members(**PARTY_READERS),
    ("PATCH", "/api/v1/projects/<project_id>"): members(**PARTY_WRITERS_API),  # its status
    ("GET", "/api/v1/projects/<project_id>"): members(**PARTY_READERS),
    ("GET", "/api/v1/projects/<project_id>/parity"): members(**PARTY_READERS),
    ("GET", "/api/v1/projects/<project_id>/rates"): members(**PARTY_READERS),
    ("GET", "/api/v1/projects/<project_id>/contributions"): members(**PARTY_READERS),
    ("GET", "/api/v1/projects/<project_id>/ledger/verify"): members(**PARTY_READERS),
    ("GET", "/api/v1/projects/<project_id>/report"): members(**PARTY_READERS),
    ("POST", "/api/v1/projects/<project_id>/rates"): members(**PARTY_WRITERS_API),
    ("POST", "/api/v1/projects/<project_id>/budget"): members(**PARTY_WRITERS_API),
    ("POST", "/api/v1/projects/<project_id>/milestones"): members(**PARTY_WRITERS_API),
    ("PATCH", "/api/v1/projects/<project_id>/milestones/<int:milestone_id>"): members(**PARTY_WRITERS_API),
    ("POST", "/api/v1/projects/<project_id>/footage"): members(**PARTY_WRITERS_API),
    ("POST", "/api/v1/projects/<project_id>/contributions"): members(**PARTY_WRITERS_API),
    ("POST", "/projects/<project_id>/contributions"): members(**PARTY_WRITERS_PAGE),
    ("POST", "/projects/<project_id>/rates"): members(**PARTY_WRITERS_PAGE),
    # The project page's small forms check the role first, as the API does.
    ("POST", "/projects/<project_id>/status"): members(**PARTY_WRITERS_API),
    ("POST", "/projects/<project_id>/budget"): members(**PARTY_WRITERS_API),
    ("POST", "/projects/<project_id>/milestones"): members(**PARTY_WRITERS_API),
    ("POST", "/projects/<project_id>/milestones/<int:milestone_id>/done"): members(**PARTY_WRITERS_API),
    ("POST", "/projects/<project_id>/footage"): members(**PARTY_WRITERS_API),
    # The URL's action is `confirm`: a sign-off (see SIGN_OFF), the page finds the project first.
    ("POST", "/projects/<project_id>/contributions/<entry_id>/<action>"): members(**PARTY_WRITERS_PAGE,
                                                                                 admin=FORBIDDEN),
    ("GET", "/api/v1/contributions/<entry_id>"): members(**PARTY_READERS),
    ("POST", "/api/v1/contributions/<entry_id>/confirm"): members(**SIGN_OFF),
    ("POST", "/api/v1/contributions/<entry_id>/dispute"): members(**SIGN_OFF),
    ("POST", "/api/v1/contributions/<entry_id>/answer"): members(**SUBMITTER_ONLY),
    ("POST", "/api/v1/contributions/<entry_id>/reverse"): members(**SUBMITTER_ONLY),
    ("GET", "/commission"): members(),
    ("POST", "/commission"): members(**WRITERS),
    ("GET", "/api/v1/commission/meetings"): members(),
    ("POST", "/api/v1/commission/meetings"): members(**WRITERS),
    ("GET", "/api/v1/commission/meetings/<meeting_id>/minutes"): members(),
    ("PUT", "/api/v1/commission/meetings/<meeting_id>/minutes"): members(**WRITERS),
    # ---- clips -------------------------------------------------------------------------
    # Any member may ask for a clip; the rights decide each export at the gate (a request with
    # no declaration or no marks is the caller's mistake, not a refusal of the caller).
    ("GET", "/api/v1/assets/<asset_id>/clips"): members(),
    ("POST", "/api/v1/assets/<asset_id>/clips"): members(),
    ("GET", "/assets/<asset_id>/clip"): members(),
    ("POST", "/assets/<asset_id>/clip"): members(),
    # ---- rights audit: expiring grants, uses outside rights, EMA avails (issue 7 item 6) -----
    # Rights managers see their own organisation's assets only (another's: an empty answer).
    ("GET", "/api/v1/rights/expiring"): members(**RIGHTS),
    ("GET", "/api/v1/usage/outside-rights"): members(**RIGHTS),
    ("GET", "/api/v1/avails/ema"): members(**RIGHTS),
    # ---- baskets and share links ---------------------------------------------------------
    ("GET", "/api/v1/baskets"): members(),  # each lists the baskets they see
    ("POST", "/api/v1/baskets"): members(),  # anyone makes their own (the empty body: 422)
    ("GET", "/api/v1/baskets/<basket_id>"): members(**BASKET_READERS),
    ("POST", "/api/v1/baskets/<basket_id>/items"): members(**BASKET_EDITORS),
    ("DELETE", "/api/v1/baskets/<basket_id>/items/<int:item_id>"): members(**BASKET_EDITORS),
    # Sharing is the owner's (and the owner's organisation's admins'): an `edit` member may not.
    ("POST", "/api/v1/baskets/<basket_id>/members"): members(**BASKET_EDITORS),
    ("DELETE", "/api/v1/baskets/<basket_id>/members/<int:user_id>"): members(**BASKET_EDITORS),
    # Whoever sees the basket asks for its zip (with a declared use; the rights decide each item
    # at the gate) and downloads it. The producer's ask queues it, the member's is then a 409
    # `zip_in_progress`; the download of a zip not built is a 409 `zip_not_ready`: about the request.
    ("POST", "/api/v1/baskets/<basket_id>/zip"): members(**BASKET_ZIP),
    ("GET", "/api/v1/baskets/<basket_id>/zip"): members(**BASKET_ZIP),
    ("GET", "/baskets"): members(),
    ("GET", "/baskets/<basket_id>"): members(**BASKET_READERS),
    ("GET", "/baskets/static/baskets/<path:filename>"): public(),  # the pages' script, as /static/web
    # Any member makes a link to an asset they may read, or to a basket they own; a link is
    # revoked by its creator or an administrator of the creator's organisation (others: 404).
    ("POST", "/api/v1/shares"): members(),
    ("DELETE", "/api/v1/shares/<share_id>"): members(broadcaster=HIDDEN, rights_manager=HIDDEN, admin=HIDDEN,
                                                     other_country=HIDDEN),
    # The page a link opens needs no account: the token is the right to see what it shares. The
    # URLs' link shares the basket with originals; its zip is not built (409).
    ("GET", "/s/<token>"): public(),
    ("POST", "/s/<token>"): public(),  # the password form: a link without one shows its page
    ("GET", "/s/<token>/assets/<asset_id>/<rendition>"): public(),
    ("GET", "/s/<token>/zip"): public(),
    # Reverse clip search: any member looks a clip up (the test's empty body is a 4xx about the
    # request); the answer names only assets the caller may see.
    ("POST", "/api/v1/provenance/lookup"): members(),
    ("GET", "/provenance/lookup"): members(),
    ("POST", "/provenance/lookup/credentials"): members(),
    # The player's streams on the link's page (HLS, storyboard, waveform): anyone with the token.
    ("GET", "/s/<token>/assets/<asset_id>/renditions/<name>/<path:path>"): public(),
}
