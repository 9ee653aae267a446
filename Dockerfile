# Production image for Intervision. See docs/deployment.md for running it, the reverse proxy,
# backups and scaling.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    INTERVISION_DB=/data/intervision.db

# Backups are the operator's: `docker exec intervision python -m intervision.backup create` writes one to
# /data/backups/ on the volume (docs/deployment.md, Backups). The sqlite3 command line is there for inspecting
# a database and for plain online backups; pg_dump and pg_restore (postgresql-client) for a PostgreSQL store.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends sqlite3 postgresql-client \
    && rm -rf /var/lib/apt/lists/*

# A fixed, unprivileged user; /data is created here and handed to it *before* VOLUME, so a new named
# volume starts out owned by this user.
RUN groupadd --system --gid 10001 intervision \
    && useradd --system --uid 10001 --gid intervision --create-home --home-dir /home/intervision \
        --shell /usr/sbin/nologin intervision \
    && mkdir -p /data \
    && chown intervision:intervision /data

WORKDIR /app

# Runtime dependencies only (requirements-test.txt stays out of the image).
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# The application, owned by root: the app user can read it but not change it.
COPY . .

VOLUME ["/data"]
EXPOSE 8501

USER 10001:10001

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4)"]

# Apply pending migrations, then hand PID 1 to the command (streamlit by default), so it gets SIGTERM.
ENTRYPOINT ["/bin/sh", "-c", "python -m intervision.db && exec \"$@\"", "intervision"]
CMD ["streamlit", "run", "app.py", \
     "--server.address=0.0.0.0", \
     "--server.port=8501", \
     "--server.headless=true", \
     "--server.enableXsrfProtection=true", \
     "--server.enableCORS=true", \
     "--server.fileWatcherType=none", \
     "--server.runOnSave=false", \
     "--browser.gatherUsageStats=false", \
     "--client.showErrorDetails=none"]
