# `make run` and `make test` are all a newcomer needs: each sets up .venv by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench check catalogs chromium fonts clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

catalogs: $(STAMP)
	$(BIN)/python -m bot i18n compile

run: $(STAMP) catalogs fonts
	$(BIN)/python -m bot run

test: $(STAMP) catalogs chromium fonts
	$(BIN)/python -m pytest -q

# The preview's browser test drives Debian's Chromium (Playwright never downloads one).
chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) || \
		echo "Could not install chromium (not root?): the browser test is skipped outside CI."

# The coach's chart and the one-page PDF draw names in Latin, Arabic and Ethiopic
# (ዮናስ) script: Debian's Noto fonts cover all three.
fonts:
	@test -f /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		fonts-noto-core) || \
		echo "Could not install fonts-noto-core (not root?): non-Latin names may show as boxes."

lint: $(STAMP)
	$(BIN)/ruff check bot tests bench
	$(BIN)/ruff format --check bot tests bench
	$(BIN)/mypy

check: $(STAMP)
	$(BIN)/python -m bot lessons check lessons

bench: $(STAMP) catalogs
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data
