"""Record kinds: one module per kind of JobBOSS2 record synced to QuickBooks.

Transactions: :mod:`.invoice`, :mod:`.bill`, :mod:`.receiver_bill`,
:mod:`.time_record`. List records they reference: :mod:`.customer`,
:mod:`.vendor`, :mod:`.employee`, :mod:`.item`, :mod:`.terms`,
:mod:`.account`, :mod:`.default_account`, :mod:`.charge_item`,
:mod:`.sales_tax`, :mod:`.payroll_item`. Each declares its ``KIND``
(:mod:`.base`); :mod:`.registry` finds them all. :mod:`.context` holds what
every builder gets besides the record, :mod:`.payload` what a job keeps.
"""
