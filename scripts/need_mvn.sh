#!/usr/bin/env bash
# Make sure Apache Maven is on PATH (it fetches the JVM jars from Maven Central): install Debian's
# package when it is missing and we may (root with apt-get); otherwise say what to install.
set -eu
command -v mvn >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "mvn not found: installing Debian's maven package"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends maven >/dev/null
  exit 0
fi
echo "mvn (Apache Maven) is needed to fetch the JVM jars from Maven Central: install it (apt-get install maven, brew install maven)" >&2
exit 1
