# Shared by bin/demo and bin/test: system packages, the virtual environment, dependencies.
# Sourced, not run. Stops with one clear sentence when something cannot be installed here.

set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fail() { echo "ebranch setup: $*" >&2; exit 1; }

python_ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null && python_ok "$candidate"; then echo "$candidate"; return; fi
  done
  fail "Python 3.11 or newer is needed; install it (e.g. apt-get install python3 python3-venv) and run this again."
}

# Debian packages pip cannot provide: $1 is a space-separated list of "package:probe-file" pairs.
ensure_debian_packages() {
  local missing=()
  for pair in $1; do
    local pkg=${pair%%:*} probe=${pair#*:}
    ls $probe >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing system packages: ${missing[*]}"
    apt-get update -qq >/dev/null || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
      || fail "could not install ${missing[*]} with apt-get; install them and run this again."
  else
    fail "please install these system packages first (as root: apt-get install ${missing[*]})."
  fi
}

RUNTIME_PACKAGES="libpango-1.0-0:/usr/lib/*/libpango-1.0.so.0 libpangoft2-1.0-0:/usr/lib/*/libpangoft2-1.0.so.0 libharfbuzz0b:/usr/lib/*/libharfbuzz.so.0 libharfbuzz-subset0:/usr/lib/*/libharfbuzz-subset.so.0 fonts-noto-cjk:/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
TEST_PACKAGES="chromium:/usr/bin/chromium"

# $1: the requirements file to install into .venv; reinstalls only when it changed.
ensure_venv() {
  local requirements=$1
  if [ ! -x .venv/bin/python ] || ! python_ok .venv/bin/python; then
    "$(find_python)" -m venv .venv || fail "could not create a virtual environment; install python3-venv and run this again."
  fi
  local stamp=".venv/.installed-$(basename "$requirements")"
  local wanted
  wanted=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements" \
      || fail "pip could not install $requirements; check the network access to PyPI and run this again."
    echo "$wanted" > "$stamp"
  fi
}
