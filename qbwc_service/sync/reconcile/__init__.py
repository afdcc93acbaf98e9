"""Reconciliation: does QuickBooks hold what JobBOSS2 says it should?

``qbwc-service reconcile --from --to`` plans read-only queries for the next
session (:mod:`.plan`); the session reads every document of those types and
dates, page by page (:mod:`.queries`); ``reconcile --report`` compares them
with JobBOSS2 (:mod:`.report`).
"""
