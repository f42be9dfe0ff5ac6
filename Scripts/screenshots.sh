#!/usr/bin/env bash
# Screenshots of Basketry's pages for the README, at desktop (1280 px) and phone (390 px) widths, into Docs/.
#
#   Scripts/screenshots.sh            # the HTML report of the shipped sample
#   CHROMIUM=/path/to/chrome Scripts/screenshots.sh
#   BASKETRY_BIN=.build/debug/basketry Scripts/screenshots.sh   # an existing build instead of a release build
#
# Needs a build of basketry (a release build is made unless BASKETRY_BIN is set) and Debian's chromium
# (`apt-get install -y chromium`); pngquant, when installed, shrinks the PNGs.
set -euo pipefail
cd "$(dirname "$0")/.."

chromium_bin="${CHROMIUM:-${BASKETRY_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}}"
if [ -z "$chromium_bin" ]; then
  echo "error: no chromium found; install it with apt-get install -y chromium or set CHROMIUM" >&2
  exit 69
fi

if [ -n "${BASKETRY_BIN:-}" ]; then
  bin="$BASKETRY_BIN"
else
  swift build -c release --product basketry
  bin="$(swift build -c release --show-bin-path)/basketry"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p Docs

shoot() { # name url width height
  local name="$1" url="$2" width="$3" height="$4"
  "$chromium_bin" --headless --disable-gpu --no-sandbox --no-first-run --hide-scrollbars \
    --user-data-dir="$work/profile-$name" --window-size="$width,$height" \
    --screenshot="Docs/$name.png" "$url" >/dev/null 2>&1
  # A 256-colour palette keeps the committed PNGs small (text and flat charts lose nothing visible).
  if command -v pngquant >/dev/null 2>&1; then
    pngquant --force --skip-if-larger --strip --output "Docs/$name.png" 256 "Docs/$name.png" || true
  fi
  echo "wrote Docs/$name.png (${width}×${height}, $(du -k "Docs/$name.png" | cut -f1) KB)"
}

# The report of the shipped sample, as `basketry demo` writes it.
"$bin" report --quiet --currency £ --output "$work/report.html" \
  Data/online-retail-sample/online_retail_2011-10_2011-11.csv.gz
shoot report-desktop "file://$work/report.html" 1280 2000
shoot report-phone "file://$work/report.html" 390 1600
# The bundle cards, the part a merchandiser reads first: the same page with the other sections hidden.
sed 's#</head>#<style>main section:not(\#bundles){display:none}</style></head>#' "$work/report.html" >"$work/bundles.html"
shoot report-bundles "file://$work/bundles.html" 1280 1500

# The live dashboard: a server on loopback trained on the sample, with traffic (its own script).
BASKETRY_BIN="$bin" Scripts/dashboard-screenshots.sh
