"""Planning: which JobBOSS2 records become jobs, and what they wait for.

:mod:`.planner` reads the sources the settings turn on and plans one job per
record version; :mod:`.dependencies` plans the ensure jobs of the list
records they reference; :mod:`.replan` picks up list records fixed in
JobBOSS2 after QuickBooks refused them; :mod:`.idmap` is what a QuickBooks
company already holds.
"""
