#!/usr/bin/env bash
# Regenerates docs/quick-study.png (the README's figure) from a fresh run of the main command, and
# the web view's picture (docs/web-view.png) where Debian's Chromium is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf runs/readme
node bin/prunelab.js study --out runs/readme "$@"
cp runs/readme/figures/accuracy.png docs/quick-study.png
cp runs/readme/figures/damage.png docs/quick-study-damage.png
cp runs/readme/figures/oneShot.png docs/quick-study-one-shot.png
echo "docs/quick-study.png updated from runs/readme"
if [ -x /usr/bin/chromium ]; then node scripts/docs-web-view.js runs/readme docs/web-view.png; fi
