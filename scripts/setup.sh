#!/usr/bin/env bash
# Sets up Call Companion on a fresh Debian/Ubuntu machine: system packages, then a
# virtual environment in .venv with the app (and, with --test, what the tests need).
# Safe to run again: apt and pip only add what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[[ "${1:-}" == "--test" ]] && extras="[test]"

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

# PortAudio (+ ALSA's PulseAudio plugin) for live capture; Qt's runtime libraries;
# espeak-ng, sox and PulseAudio for the tests' synthesized calls and live-capture checks.
packages=(
  python3 python3-venv python3-pip
  libportaudio2 libasound2-plugins pulseaudio pulseaudio-utils
  libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0 libxcb-render-util0
  libxcb-image0 libxcb-xinerama0 libxcb-xkb1 libpulse0 libnss3
  espeak-ng sox
)
# PostgreSQL 15 (server + client tools) for the team store's tests: each test run starts its own cluster.
[[ -n "$extras" ]] && packages+=(postgresql postgresql-client)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python=$candidate; break
  fi
done
[[ -n "$python" ]] || { echo "setup: Python 3.11 or newer is needed" >&2; exit 1; }

if [[ ! -x .venv/bin/python ]]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".${extras}"
echo "setup: ready (.venv)"
