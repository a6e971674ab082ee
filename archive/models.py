"""Every model, imported once so that the mapper registry and Alembic see them all."""
from archive.access.models import ReadSession  # noqa: F401
from archive.accounts.models import ApiToken, Organisation, User, UserSession  # noqa: F401
from archive.assets.models import Asset, AssetHolding  # noqa: F401
from archive.coproduction.models import (BudgetLine, ExchangeRate, LedgerEntry, Meeting, Milestone,  # noqa: F401
                                         Party, Project, ProjectFootage)
from archive.events.models import Event  # noqa: F401
from archive.ingest.models import Upload  # noqa: F401
from archive.markers.models import Marker  # noqa: F401
from archive.transcripts.models import Transcript, TranscriptSegment  # noqa: F401
from archive.notifications.models import Notification, OrganisationWebhook  # noqa: F401
from archive.baskets.models import Basket, BasketItem, BasketMember  # noqa: F401
from archive.shares.models import ShareLink  # noqa: F401
from archive.renditions.models import Rendition, RenditionFile  # noqa: F401
from archive.rights.models import Contract, ContractDocument, RightsBlock  # noqa: F401
from archive.usage.models import UsageRecord  # noqa: F401
from archive.provenance.models import FixityCheck  # noqa: F401
from archive.provenance.credential_models import ContentCredential, SignedRendition, SignerCertificate  # noqa: F401
from archive.db import Base  # noqa: F401

metadata = Base.metadata
from archive.provenance.fingerprint_models import VideoFingerprint  # noqa: F401
