"""Provenance and verification (issue 12): fixity of every stored file, the lineage of an
asset (`GET /api/v1/assets/{id}/provenance` and its page) and its export as a BagIt bag with
PREMIS and EBUCore. Reverse clip lookup and C2PA credentials add their own modules here and
their own sections to the provenance document (`archive.provenance.sections`),
imported by name from `archive.provenance.lineage`."""
