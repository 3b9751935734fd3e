# One image for every Chorus process: `chorus migrate`, `chorus serve`, `chorus worker`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CHORUS_HOST=0.0.0.0 \
    CHORUS_PORT=8000

WORKDIR /app
COPY pyproject.toml README.md ./
COPY backend ./backend
COPY workers ./workers
COPY migrations ./migrations
RUN pip install . && useradd --system --uid 10001 chorus
USER chorus

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health').status != 200)"
CMD ["chorus", "serve", "--workers", "2"]
