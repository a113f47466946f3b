# `make run` and `make test` are all a newcomer needs: each sets up .venv by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench check catalogs chromium cairo media clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

catalogs: $(STAMP)
	$(BIN)/python -m bot i18n compile

# The lessons' SVG pictures rendered to PNG in MEDIA_DIR; unchanged ones are kept.
media: $(STAMP) cairo
	$(BIN)/python -m bot media build

# cairosvg draws with Debian's libcairo2.
cairo:
	@/sbin/ldconfig -p 2>/dev/null | grep -q 'libcairo\.so\.2' || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends -qq libcairo2) || \
		echo "Could not install libcairo2 (not root?): pictures cannot be rendered."

run: $(STAMP) catalogs media
	$(BIN)/python -m bot run

test: $(STAMP) catalogs chromium media
	$(BIN)/python -m pytest -q

# The preview's browser test drives Debian's Chromium (Playwright never downloads one).
chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) || \
		echo "Could not install chromium (not root?): the browser test is skipped outside CI."

lint: $(STAMP)
	$(BIN)/ruff check bot tests bench tools
	$(BIN)/ruff format --check bot tests bench tools
	$(BIN)/mypy

check: $(STAMP) media
	$(BIN)/python -m bot lessons check lessons

bench: $(STAMP) catalogs
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data
