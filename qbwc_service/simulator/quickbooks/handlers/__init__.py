"""Request handlers, one module per entity family.

Each module exports ``HANDLERS``: request element name (``CustomerAddRq``)
-> function ``(company, request) -> …Rs element``. :mod:`..dispatch` merges
them into one table.
"""
