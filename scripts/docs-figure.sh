#!/usr/bin/env bash
# Regenerates docs/quick-study.png (the README's figure) from a fresh run of the main command.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf runs/readme
node bin/prunelab.js study --out runs/readme "$@"
cp runs/readme/figures/accuracy.png docs/quick-study.png
cp runs/readme/figures/damage.png docs/quick-study-damage.png
cp runs/readme/figures/oneShot.png docs/quick-study-one-shot.png
echo "docs/quick-study.png updated from runs/readme"
