# Huashu: the same locked environment and uvicorn command as scripts/serve.sh.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_COMPILE_BYTECODE=1
RUN pip install --no-cache-dir uv
WORKDIR /srv/huashu
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY app ./app
COPY phrasebook ./phrasebook
COPY prompts ./prompts
RUN uv sync --frozen --no-dev
# Build the trimmed jieba dictionary into the image's /tmp, so no container start pays for it.
RUN uv run --frozen --no-dev python -c "from app.analysis.service import Analyzer; Analyzer.from_data()"
# The SQLite file lives on a volume so recorded replies outlive the container.
RUN mkdir -p /srv/huashu/data
VOLUME /srv/huashu/data
ENV HUASHU_HOST=0.0.0.0 HUASHU_PORT=8000 HUASHU_DATABASE_URL=sqlite:////srv/huashu/data/huashu.db
EXPOSE 8000
CMD ["sh", "-c", "uv run --frozen --no-dev uvicorn app.main:app --host \"$HUASHU_HOST\" --port \"$HUASHU_PORT\""]
