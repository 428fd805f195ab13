# resourcebot: `docker build -t resourcebot .` then
#   docker run -p 3000:3000 --env-file .env -v resourcebot-data:/data resourcebot
# Settings come from the environment (see README.md); the SQLite database lives in /data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    RESOURCEBOT_DB=/data/resourcebot.sqlite3

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install . \
    && useradd --system --uid 10001 --home /app resourcebot \
    && mkdir -p /data && chown resourcebot /data

USER resourcebot
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=2)"
CMD ["resourcebot", "serve", "--host", "0.0.0.0", "--port", "3000"]
