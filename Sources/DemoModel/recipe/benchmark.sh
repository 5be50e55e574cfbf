#!/usr/bin/env bash
# The demo benchmark: the demo adapter's recipe and its evaluation against the baseline
# (hand-written template, mean pooling, training-free segmenter) on held-out synthetic videos.
# Reproduces the table in README.md ("The demo benchmark") and the committed demo adapter.
#
#   bash Sources/DemoModel/recipe/benchmark.sh [WORKDIR]      (3-8 minutes on 2 cores)
#
# Every step is seeded: the same clipdex build gives the same videos, adapters and scores.
set -euo pipefail
C=${CLIPDEX:-.build/release/clipdex}
W=${1:-/tmp/clipdex-benchmark}
T="a {label}"                      # the baseline's template
mkdir -p "$W/results"
[ -x "$C" ] || { echo "build first: swift build -c release (or set CLIPDEX)"; exit 1; }

# Data: 14 actions; trimmed clips for training (48 per class) and testing (16 per class, other
# seeds), untrimmed videos (action segments between idle stretches) for localisation.
[ -d "$W/train" ] || "$C" synth trimmed --out "$W/train" --per-class 48 --seed 31
[ -d "$W/test" ] || "$C" synth trimmed --out "$W/test" --per-class 16 --seed 32
[ -d "$W/utrain" ] || "$C" synth untrimmed --out "$W/utrain" --videos 24 --seed 33
[ -d "$W/utest" ] || "$C" synth untrimmed --out "$W/utest" --videos 12 --seed 34

# Training data of the adapter: the trimmed classes plus the untrimmed videos' segments
# (which also train the proposal heads).
mkdir -p "$W/mixed"
for d in "$W"/train/*/; do ln -sfn "$d" "$W/mixed/$(basename "$d")"; done
for f in "$W"/utrain/*.mp4 "$W"/utrain/ground_truth.csv; do ln -sfn "$f" "$W/mixed/$(basename "$f")"; done

run() { echo "+ $*" >&2; "$@"; }

# Closed set, all 14 classes: this is the committed demo adapter.
run "$C" train --model demo --data "$W/mixed" --out "$W/demo.adapter" --seed 0 --json > "$W/results/train.json"
run "$C" eval --model demo --adapter "$W/demo.adapter" --data "$W/test" --template "$T" --json > "$W/results/closed.json"
run "$C" eval --model demo --adapter "$W/demo.adapter" --data "$W/utest/ground_truth.csv" --template "$T" --json > "$W/results/localization.json"

# Few-shot: K clips per class.
for k in 2 4 8; do
  run "$C" train --model demo --data "$W/train" --shots $k --out "$W/shots$k.adapter" --seed 0 --json > /dev/null
  run "$C" eval --model demo --adapter "$W/shots$k.adapter" --data "$W/test" --template "$T" --json > "$W/results/shots$k.json"
done

# Open set: an adapter trained without four classes, evaluated on all fourteen ("unseen").
mkdir -p "$W/seen"
for d in "$W"/train/*/; do
  case "$(basename "$d")" in darken|disappear|move_down|spin) ;; *) ln -sfn "$d" "$W/seen/$(basename "$d")" ;; esac
done
run "$C" train --model demo --data "$W/seen" --out "$W/open.adapter" --seed 0 --json > /dev/null
run "$C" eval --model demo --adapter "$W/open.adapter" --data "$W/test" --template "$T" --json > "$W/results/open.json"

echo "results in $W/results"
for f in "$W"/results/*.json; do echo "$(basename "$f"): $(cat "$f")"; done
