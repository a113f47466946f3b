# `make run` and `make test` are all a newcomer needs: each sets up .venv by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench check catalogs chromium clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

catalogs: $(STAMP)
	$(BIN)/python -m bot i18n compile

run: $(STAMP) catalogs
	$(BIN)/python -m bot run

test: $(STAMP) catalogs chromium
	$(BIN)/python -m pytest -q

# The preview's browser test drives Debian's Chromium (Playwright never downloads one),
# with the fonts a participant's phone has: Ethiopic and Arabic (fonts-noto-core) and
# colour emoji, so Tigrinya and every emoji render as on the phone, not as empty boxes.
PREVIEW_PACKAGES = chromium fonts-noto-core fonts-noto-color-emoji
chromium:
	@dpkg -s $(PREVIEW_PACKAGES) >/dev/null 2>&1 || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$(PREVIEW_PACKAGES)) || \
		echo "Could not install $(PREVIEW_PACKAGES) (not root?): the browser test is skipped outside CI."

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
