# `make run` and `make test` are all a newcomer needs: each sets up .venv by itself.
# `make run` installs only what running needs; the developer tools (pytest, mypy,
# ruff, Playwright and Debian's chromium) come with `make test` and `make lint`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends

.PHONY: run test lint bench check catalogs chromium cairo fonts speech media clean doctor

$(RUN_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(RUN_STAMP)

$(DEV_STAMP): $(RUN_STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

catalogs: $(RUN_STAMP)
	$(BIN)/python -m bot i18n compile

# The lessons' SVG pictures rendered to PNG in MEDIA_DIR; unchanged ones are kept.
# Voice notes are made on the first 🔊 press and kept (the whole course in five
# languages takes minutes on two cores); `python -m bot media build` makes them all.
media: $(RUN_STAMP) catalogs cairo speech
	$(BIN)/python -m bot media build --audio none

# Synthetic speech: Debian's espeak-ng speaks, opusenc makes the OGG/Opus voice note.
speech:
	@command -v espeak-ng >/dev/null && command -v opusenc >/dev/null || \
		(apt-get update -qq && $(APT_INSTALL) espeak-ng opus-tools) || \
		echo "Could not install espeak-ng and opus-tools (not root?): no synthetic speech."

# cairosvg draws with Debian's libcairo2.
cairo:
	@/sbin/ldconfig -p 2>/dev/null | grep -q 'libcairo\.so\.2' || \
		(apt-get update -qq && $(APT_INSTALL) libcairo2) || \
		echo "Could not install libcairo2 (not root?): pictures cannot be rendered."

# The fonts a participant's phone has: Latin, Arabic and Ethiopic (Noto), and emoji.
# Coach charts and PDFs draw with them, the preview shows them.
fonts:
	@dpkg -s fontconfig fonts-noto-core fonts-noto-color-emoji >/dev/null 2>&1 || \
		(apt-get update -qq && $(APT_INSTALL) fontconfig fonts-noto-core fonts-noto-color-emoji) || \
		echo "Could not install the Noto fonts (not root?): some scripts may show as boxes."

run: $(RUN_STAMP) catalogs media fonts
	$(BIN)/python -m bot run

doctor: $(RUN_STAMP) catalogs
	$(BIN)/python -m bot doctor

# The suite on SQLite, then on PostgreSQL when one answers (TEST_DATABASE_URL, or the
# local server's database "test"); .ci/run starts a throwaway one where none runs.
test: $(DEV_STAMP) catalogs chromium media fonts
	$(BIN)/python -m pytest -q
	@if $(BIN)/python -m tests.databases; then \
		$(BIN)/python -m pytest -q --database=postgresql; \
	else \
		echo "No PostgreSQL answers (set TEST_DATABASE_URL): the PostgreSQL pass is not run."; \
	fi

# The preview's browser test drives Debian's Chromium (Playwright never downloads one),
# with the fonts a participant's phone has (see `fonts`). Without recommends: Chromium
# alone, not systemd, avahi and a hundred more.
chromium: fonts
	@test -x /usr/bin/chromium || (apt-get update -qq && $(APT_INSTALL) chromium) || \
		echo "Could not install chromium (not root?): the browser test is skipped outside CI."

lint: $(DEV_STAMP)
	$(BIN)/ruff check bot tests bench tools
	$(BIN)/ruff format --check bot tests bench tools
	$(BIN)/mypy

check: $(RUN_STAMP) media
	$(BIN)/python -m bot lessons check lessons

bench: $(DEV_STAMP) catalogs media
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data
