"""Share links: a token link to a basket or an asset for people without an account."""
