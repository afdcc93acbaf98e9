# qbwc-service: the QBWC SOAP server, with the ODBC driver for a JobBOSS2 SQL Server.
#
#   docker build -t qbwc-service .
#   docker run -v qbwc-data:/data -p 8080:8080 qbwc-service
#
# Configuration and the SQLite queue live in the /data volume
# (/data/qbwc-service.toml). The entrypoint runs `qbwc-service init` (idempotent) before
# any command, so a one-off command on a fresh volume finds its database too:
#   docker run -v qbwc-data:/data -i qbwc-service qbwc-service user add shop --password-stdin
# Python 3.13: the newest version the CI suite runs on (.ci/run).
FROM python:3.13-slim

# unixODBC + FreeTDS ODBC driver (tdsodbc) for mssql+pyodbc://...?driver=FreeTDS
RUN apt-get update \
    && apt-get install -y --no-install-recommends unixodbc tdsodbc \
    && rm -rf /var/lib/apt/lists/* \
    && odbcinst -i -d -f /usr/share/tdsodbc/odbcinst.ini

WORKDIR /app
COPY pyproject.toml setup.py README.md ./
COPY qbwc_service ./qbwc_service
COPY migrations ./migrations
RUN pip install --no-cache-dir ".[mssql,postgres]"

RUN useradd --system --create-home --home-dir /home/qbwc qbwc \
    && mkdir /data && chown qbwc /data
USER qbwc
VOLUME ["/data"]
ENV QBWC_SERVICE_CONFIG=/data/qbwc-service.toml
EXPOSE 8080
# /healthz answers 503 when the queue database is unreachable; urlopen fails on it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]

ENTRYPOINT ["sh", "-c", "qbwc-service init >&2 && exec \"$@\"", "qbwc-service-entrypoint"]
CMD ["qbwc-service", "serve", "--host", "0.0.0.0", "--port", "8080"]
