#!/usr/bin/env bash
# Make sure a headless Chromium is installed for the dashboard tests (tests/test_dashboard_*.py).
# Idempotent and quick when a browser is already there. Installs Debian's `chromium` package
# with apt-get when run as root (as in CI); otherwise says what to do. Exits non-zero only when
# the browser cannot be had and CI is set (the browser tests would fail there anyway).
set -euo pipefail

find_browser() {
  if [ -n "${MOBILITY_SIM_BROWSER:-}" ] && command -v "$MOBILITY_SIM_BROWSER" >/dev/null 2>&1; then
    command -v "$MOBILITY_SIM_BROWSER"; return 0
  fi
  for name in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  done
  return 1
}

if path=$(find_browser); then
  echo "ensure_browser: using $path"
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure_browser: installing Debian's chromium (for the headless dashboard tests)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  if path=$(find_browser); then
    echo "ensure_browser: installed $path"
    exit 0
  fi
fi

echo "ensure_browser: no chromium found; install it with 'sudo apt-get install chromium'" \
     "(the dashboard browser tests skip without it, and fail when CI is set)" >&2
if [ -n "${CI:-}" ]; then
  exit 1
fi
exit 0
