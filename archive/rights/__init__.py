"""Rights: contracts, rights blocks on assets and segments, the avails engine that decides
every use (`archive.rights.avails`, pure), and the policy the access gate asks."""
