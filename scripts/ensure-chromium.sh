#!/usr/bin/env bash
# Debian's Chromium for the Web UI browser test: playwright-core drives it and never downloads a browser.
set -euo pipefail
command -v chromium >/dev/null && exit 0
echo "installing Debian's chromium for the browser test" >&2
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
