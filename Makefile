# Two commands do all the set-up: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= $(abspath ../shared)
export ATELIER_SHARED := $(SHARED)

# Debian packages the agent drives and the tests use (installed when missing and we are root).
DEB_PACKAGES := smartmontools nvme-cli hdparm dmidecode pciutils usbutils sg3-utils util-linux \
	e2fsprogs dosfstools fdisk nwipe lshw memtester stressapptest poppler-utils tmux gettext \
	chromium chromium-driver
DEB_COMMANDS := smartctl nvme hdparm dmidecode lspci lsusb sg_sanitize lsblk mkfs.ext4 mkfs.vfat nwipe \
	lshw memtester stressapptest pdftoppm tmux msgfmt chromium chromedriver

.PHONY: all venv deps test lint typecheck pytest demo i18n image e2e bench clean

all: test

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[server,dev]'
	@touch $@

venv: $(STAMP)

deps:
	@missing=""; for c in $(DEB_COMMANDS); do command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing Debian packages (missing:$$missing)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PACKAGES) >/dev/null; \
		else echo "Missing tools:$$missing — install: sudo apt-get install $(DEB_PACKAGES)"; fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check agent server_stub tests benchmarks
	$(BIN)/ruff format --check agent server_stub tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy agent server_stub

pytest: $(STAMP) deps
	$(BIN)/pytest $(PYTEST_ARGS)

test: deps $(STAMP)
	$(MAKE) --no-print-directory lint typecheck
	$(BIN)/pytest $(PYTEST_ARGS)

demo: deps $(STAMP)
	$(BIN)/python -m agent.tools.demo

i18n: $(STAMP)
	$(BIN)/python -m agent.tools.i18n compile

# The live ISO (image/README.md): rebuilt only when what goes into it changed (image/out/input-key).
image:
	$(MAKE) -C image

# Boots the image in QEMU (TCG unless a short probe shows a KVM that really boots) and checks the
# whole job from the host: tests/e2e/.
e2e: deps $(STAMP) image
	$(BIN)/pytest -m vm tests/e2e $(PYTEST_ARGS)

bench: deps $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build *.egg-info
