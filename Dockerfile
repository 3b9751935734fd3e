# One image for every Chorus process: `chorus migrate`, `chorus serve`, `chorus worker`.
# The employee app (pwa/) is built in a Node stage; the API serves its dist/ at /.
FROM node:20-slim AS pwa
WORKDIR /pwa
COPY pwa/package.json pwa/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY pwa ./
RUN npm run build

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CHORUS_HOST=0.0.0.0 \
    CHORUS_PORT=8000 \
    CHORUS_PWA_DIR=/app/pwa/dist

WORKDIR /app
COPY pyproject.toml README.md ./
COPY backend ./backend
COPY workers ./workers
COPY migrations ./migrations
COPY --from=pwa /pwa/dist ./pwa/dist
RUN pip install . && useradd --system --uid 10001 chorus
USER chorus

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health').status != 200)"
CMD ["chorus", "serve", "--workers", "2"]
