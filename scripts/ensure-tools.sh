#!/usr/bin/env bash
# Installs the tools the C ABI and sidecar tests need (C/C++ compilers, pkg-config, readelf,
# valgrind, Python 3, curl, Mono, JDK 17 with JNA and Jackson, Chromium, npm) with apt-get, only when one is missing: quick and idempotent
# when everything is present. The tests name the same packages when a tool is missing.
# Usage: scripts/ensure-tools.sh        (needs root, or sudo, for apt-get when something is missing)
set -euo pipefail

# command -> Debian package that provides it
tools=(
  "cc:gcc"
  "g++:g++"
  "pkg-config:pkg-config"
  "readelf:binutils"
  "valgrind:valgrind"
  "python3:python3"
  "curl:curl"
  "mcs:mono-mcs"
  "mono:mono-runtime"
  "javac:openjdk-17-jdk-headless"
  "chromium:chromium"
  "npm:npm"
)

# file -> Debian package that installs it (libraries the .NET and Java bindings are built with)
files=(
  "/usr/lib/mono/4.5/System.Runtime.Serialization.dll:libmono-system-runtime-serialization4.0-cil"
  "/usr/share/java/jna.jar:libjna-java"
  "/usr/share/java/jackson-databind.jar:libjackson2-databind-java"
  "/usr/share/java/jackson-core.jar:libjackson2-core-java"
  "/usr/share/java/jackson-annotations.jar:libjackson2-annotations-java"
)

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

missing=()
for pair in "${tools[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
for pair in "${files[@]}"; do
  [ -f "${pair%%:*}" ] || missing+=("${pair#*:}")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "ensure-tools: all present"
else
  echo "ensure-tools: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# FHIR Questionnaire exports are parsed by an independent FHIR model (R4B, which R4 forms fit).
if ! python3 -c "import fhir.resources.R4B.questionnaire" >/dev/null 2>&1; then
  echo "ensure-tools: installing fhir.resources (PyPI)"
  python3 -m pip install -q --disable-pip-version-check "fhir.resources==8.3.0"
fi

# The sidecar's OpenAPI description is checked with an independent validator.
if ! python3 -c "import openapi_spec_validator" >/dev/null 2>&1; then
  echo "ensure-tools: installing openapi-spec-validator (PyPI)"
  python3 -m pip install -q --disable-pip-version-check "openapi-spec-validator==0.9.0"
fi

# The logistic regression is checked against statsmodels (issue 15): coefficients and standard
# errors to 1e-6 on the same data.
if ! python3 -c "import statsmodels" >/dev/null 2>&1; then
  echo "ensure-tools: installing statsmodels (PyPI)"
  python3 -m pip install -q --disable-pip-version-check "statsmodels==0.14.5"
fi

# Reports as XLSX are read back with openpyxl in the command line's tests.
if ! python3 -c "import openpyxl" >/dev/null 2>&1; then
  echo "ensure-tools: installing openpyxl (PyPI)"
  python3 -m pip install -q --disable-pip-version-check "openpyxl==3.1.5"
fi

# The OpenAPI description is checked as a contract against a running service (schemathesis) and
# by a client generated from it (openapi-python-client): sidecar/tests/http/contract.rs.
if ! command -v st >/dev/null 2>&1 || ! command -v openapi-python-client >/dev/null 2>&1; then
  echo "ensure-tools: installing schemathesis and openapi-python-client (PyPI)"
  python3 -m pip install -q --disable-pip-version-check "schemathesis==4.32.5" "openapi-python-client==0.29.1"
fi

# HTML reports and the printable FIA are opened in headless Chromium (above) and checked with
# axe-core (sidecar/tests/browser.rs), which the test injects from the global npm folder.
if [ ! -f "$(npm root -g)/axe-core/axe.min.js" ]; then
  echo "ensure-tools: installing axe-core (npm)"
  $sudo npm install -g --no-audit --no-fund "axe-core@4.11.0"
fi
