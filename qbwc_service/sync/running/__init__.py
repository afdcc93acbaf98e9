"""Running: the engine the SOAP edge calls, from the queue to QuickBooks and back.

:mod:`.engine` hands out messages and takes the answers; :mod:`.requests`
says what a job sends in its phase; :mod:`.apply` moves a job on by the
error policy of :mod:`.errors`; :mod:`.writebacks` flags JobBOSS2;
:mod:`.runs` opens and closes a session's run.
"""
