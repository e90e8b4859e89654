#!/usr/bin/env bash
# The DQ report's screenshot test (tests/test_quality_report_browser.py) draws the report in headless Chromium.
# Nothing to do when a chromium is on PATH; else, as root with apt-get, install Debian's chromium (and a font), as
# the Makefile installs a JDK when none is found. Always exits 0: without a chromium the test says why it did not
# run (skipped; under CI it fails).
set -u
for name in chromium chromium-browser; do
  command -v "$name" >/dev/null 2>&1 && exit 0
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "no chromium on PATH: installing Debian's chromium with apt-get (for the DQ report's screenshot test)"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null; then
    exit 0
  fi
  echo "apt-get could not install chromium: the DQ report's screenshot test will say so"
  exit 0
fi
echo "no chromium on PATH and no apt-get as root to install it: the DQ report's screenshot test will be skipped"
