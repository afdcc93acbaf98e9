"""The name map: the QuickBooks name (or RefNumber) each JobBOSS2 record is sent under.

JobBOSS2 allows longer names and numbers than QuickBooks holds. Each record
kind declares its limit and namespace as data (:class:`.rule.NameRule`, in
its module under :mod:`qbwc_service.sync.kinds`). :mod:`.rule` is the
shortening rule (pure functions), :mod:`.book` the map kept per user in the
queue database, :mod:`.edits` what ``names set`` / ``names unset`` do (check,
store, plan again the jobs that waited on the record).
"""
