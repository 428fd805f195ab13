# resourcebot: `docker build -t resourcebot .` then
#   docker run -p 3000:3000 --env-file .env -v resourcebot-data:/data resourcebot
# Settings come from the environment (see README.md and .env.example); the SQLite database lives in /data.
# The same Python minor as the development environment, pinned to a release: rebuilds are repeatable.
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    RESOURCEBOT_DB=/data/resourcebot.sqlite3 \
    HOST=0.0.0.0 \
    PORT=3000

WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY bot ./bot
# constraints.txt pins every dependency to the versions the tests ran with.
RUN pip install -c constraints.txt . \
    && useradd --system --uid 10001 --home /app resourcebot \
    && mkdir -p /data && chown resourcebot /data

USER resourcebot
VOLUME ["/data"]
EXPOSE 3000
# --start-period: the first start migrates the database and may start the built-in sandbox.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=2)"
# Listens on HOST:PORT (0.0.0.0:3000 above; `-e PORT=8080` moves it).
CMD ["resourcebot", "serve"]
