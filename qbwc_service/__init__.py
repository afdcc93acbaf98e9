"""qbwc-service: JobBOSS2 to QuickBooks Desktop through the QuickBooks Web Connector.

Data walks one way through the package::

    jobboss/  read JobBOSS2, write back exported / paid flags
    sync/     settings, planner, dependencies, error policy, apply, reports
    queue/    the job queue: models, job states, dequeue
    soap/     the thin QBWC SOAP edge (spyne)
    qbxml/    build, validate and parse qbXML

``admin/``, ``simulator/``, ``cli/`` and ``wsgi.py`` sit at the edges.
"""

__version__ = "0.1.0"
