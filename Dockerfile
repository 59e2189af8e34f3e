FROM python:3.11-slim
WORKDIR /app
# WeasyPrint (the minutes' PDF) needs Pango, HarfBuzz and a font at run time.
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY server ./server
COPY deliberation ./deliberation
COPY voting ./voting
COPY web ./web
RUN pip install --no-cache-dir .
# The templates and static files are read from /app/web.
ENV PYTHONUNBUFFERED=1 EVENFLOOR_TEMPLATE_DIR=/app/web/templates EVENFLOOR_STATIC_DIR=/app/web/static
EXPOSE 8000
USER nobody
CMD ["evenfloor", "serve", "--host", "0.0.0.0", "--port", "8000"]
