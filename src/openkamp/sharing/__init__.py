"""Sharing manufacturing data under contract (issue 11): the catalog, usage policies, contracts,
delivery, the usage ledger, valuation and settlement."""
