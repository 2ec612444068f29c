#!/usr/bin/env bash
# Whole-run benchmark of `samestory dedup` at growing corpus sizes: wall time, throughput and
# peak memory per size, how they grow from the smallest size to the largest (linear growth
# keeps the time per article flat), the ratio to the floor program measured in the same run,
# and, scored against the generator's truth, pairwise and BCubed F1.
#
#   scripts/bench.sh                              10k, 100k and 1M articles, 3 runs each
#   SIZES="10000 100000" REPEATS=5 scripts/bench.sh
#   SIZES=2000 REPEATS=1 scripts/bench.sh         smoke test (seconds)
#
# Environment:
#   SIZES    corpus sizes in articles (default "10000 100000 1000000"; 1M is ~4.3 GB of JSONL)
#   REPEATS  timed runs per size and program (default 3); the table shows medians
#   SEED     generator seed (default 7)
#   DATA     corpus cache (default bench-data/ in the repository root, git-ignored); corpora
#            are made once by `samestory gen --articles N --seed SEED --truth DIR` and made
#            again only when src/gen.rs or the crate version changes
#   FLOOR    floor binary: reads, parses and hashes every 5-word shingle once, the least work
#            any MinHash tool does (default /work/shared/bench/floor/target/release/floor;
#            skipped when missing, or with FLOOR=none)
#   THREADS  cores for both programs (default: all)
#   QUALITY  1 (default): one more, untimed, run per size scored with `samestory eval`
#            against the truth; 0 skips it
#
# The machine may be shared and noisy: runs are interleaved (samestory and floor alternate,
# taking turns to go first) so that drift hits both alike, and the samestory/floor ratio of
# each pair of runs is what to report. Corpora are read once before timing, so every timed
# run sees a warm page cache. The table is also saved under DATA/results/.
set -euo pipefail
export LC_ALL=C # "." as decimal separator in $EPOCHREALTIME and awk

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZES=${SIZES:-"10000 100000 1000000"}
REPEATS=${REPEATS:-3}
SEED=${SEED:-7}
DATA=${DATA:-$ROOT/bench-data}
FLOOR=${FLOOR:-/work/shared/bench/floor/target/release/floor}
THREADS=${THREADS:-}
QUALITY=${QUALITY:-1}
BIN=$ROOT/target/release/samestory

die() {
  echo "bench.sh: $*" >&2
  exit 1
}
for n in $SIZES; do [[ $n =~ ^[1-9][0-9]*$ ]] || die "SIZES: not a number of articles: $n"; done
[[ $REPEATS =~ ^[1-9][0-9]*$ ]] || die "REPEATS must be a positive integer"
[[ -z $THREADS || $THREADS =~ ^[1-9][0-9]*$ ]] || die "THREADS must be a positive integer"
if [ "$FLOOR" = none ]; then
  FLOOR=""
elif [ ! -x "$FLOOR" ]; then
  echo "bench.sh: no floor program at $FLOOR; timing samestory alone" >&2
  FLOOR=""
fi

# --- tools ---------------------------------------------------------------------------------
if ! command -v /usr/bin/time >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq time
fi
echo "building samestory (release)..." >&2
(cd "$ROOT" && cargo build --release --quiet --bin samestory)

samestory_args=()
floor_env=()
if [ -n "$THREADS" ]; then
  samestory_args=(--threads "$THREADS")
  floor_env=("RAYON_NUM_THREADS=$THREADS")
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$DATA/results"
STAMP_RUN=$(date +%Y%m%d-%H%M%S)-$$
RAW=$DATA/results/$STAMP_RUN.tsv # size, program, run, wall s, peak RSS KiB
TABLE=$DATA/results/$STAMP_RUN.md
: >"$RAW"

# --- corpora (cached) ----------------------------------------------------------------------
# The generator's output depends only on its parameters, src/gen.rs and the crate version.
gen_key="$("$BIN" --version) $(sha256sum "$ROOT/src/gen.rs" | cut -c1-16)"

corpus_path() { echo "$DATA/n$1_s$SEED.jsonl"; }
truth_dir() { echo "$DATA/n$1_s$SEED.truth"; }

ensure_corpus() {
  local n=$1 corpus truth stamp
  corpus=$(corpus_path "$n")
  truth=$(truth_dir "$n")
  stamp=$DATA/n${n}_s$SEED.stamp
  if [ -s "$corpus" ] && [ -s "$truth/dups.tsv" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$gen_key" ]; then
    return
  fi
  echo "generating $n articles, seed $SEED -> $corpus" >&2
  rm -rf "$corpus.tmp" "$truth.tmp" "$truth" "$stamp"
  # Written under temporary names and renamed, so that an interrupted run leaves no corpus
  # that looks complete.
  "$BIN" gen --articles "$n" --seed "$SEED" -o "$corpus.tmp" --truth "$truth.tmp" -q
  mv "$truth.tmp" "$truth"
  mv "$corpus.tmp" "$corpus"
  echo "$gen_key" >"$stamp"
}

# --- measuring -----------------------------------------------------------------------------
# timed SIZE PROGRAM RUN CMD...: runs CMD under GNU time and appends its wall time (from
# bash's microsecond clock; time -v rounds to 10 ms) and peak RSS to $RAW.
timed() {
  local n=$1 prog=$2 run=$3 log t0 t1 rss
  shift 3
  log=$WORK/$prog.$n.$run
  t0=$EPOCHREALTIME
  if ! /usr/bin/time -v -o "$log.time" "$@" >"$log.out" 2>"$log.err"; then
    cat "$log.err" >&2
    die "$prog failed on $n articles: $*"
  fi
  t1=$EPOCHREALTIME
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log.time")
  awk -v n="$n" -v p="$prog" -v r="$run" -v a="$t0" -v b="$t1" -v m="$rss" \
    'BEGIN { printf "%s\t%s\t%s\t%.6f\t%s\n", n, p, r, b - a, m }' >>"$RAW"
}

run_samestory() {
  timed "$1" samestory "$2" "$BIN" dedup "$(corpus_path "$1")" --format tsv -o /dev/null -q \
    "${samestory_args[@]}"
}

run_floor() {
  timed "$1" floor "$2" env "${floor_env[@]}" "$FLOOR" "$(corpus_path "$1")" 5
}

# quality SIZE: prints "pairwise_f1 bcubed_f1" of an untimed run against the truth.
quality() {
  local n=$1 pred=$WORK/pred.$1.tsv json
  "$BIN" dedup "$(corpus_path "$n")" --format tsv -o "$pred" -q "${samestory_args[@]}"
  json=$("$BIN" eval --truth "$(truth_dir "$n")/dups.tsv" "$pred" --json)
  printf '%s %s\n' \
    "$(sed -n 's/.*"pairwise":{[^}]*"f1":\([0-9.]*\).*/\1/p' <<<"$json")" \
    "$(sed -n 's/.*"bcubed":{[^}]*"f1":\([0-9.]*\).*/\1/p' <<<"$json")"
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A QUAL
for n in $SIZES; do
  ensure_corpus "$n"
  cat "$(corpus_path "$n")" >/dev/null # warm the page cache
  for r in $(seq 1 "$REPEATS"); do
    echo "  $n articles: run $r/$REPEATS" >&2
    if [ -n "$FLOOR" ] && [ $((r % 2)) -eq 0 ]; then
      run_floor "$n" "$r"
      run_samestory "$n" "$r"
    else
      run_samestory "$n" "$r"
      if [ -n "$FLOOR" ]; then run_floor "$n" "$r"; fi
    fi
  done
  QUAL[$n]="- -"
  if [ "$QUALITY" = 1 ] && [ -s "$(truth_dir "$n")/dups.tsv" ]; then
    echo "  $n articles: quality run" >&2
    QUAL[$n]=$(quality "$n")
  fi
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report --------------------------------------------------------------------------------
# One input line per size for the awk report: articles, bytes, quality.
rows=$WORK/rows
: >"$rows"
for n in $SIZES; do
  printf '%s\t%s\t%s\n' "$n" "$(stat -c %s "$(corpus_path "$n")")" "${QUAL[$n]}" >>"$rows"
done

rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then rev="$rev+dirty"; fi

{
  echo "samestory dedup --format tsv -o /dev/null -q, $("$BIN" --version), commit $rev"
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores${THREADS:+, THREADS=$THREADS}," \
    "load average $LOAD_START at start, $LOAD_END at end;" \
    "median of $REPEATS run(s), seed $SEED, warm page cache"
  echo
  awk -F'\t' -v have_floor="${FLOOR:+1}" '
    function median(list,    a, k, t, i, j) {
      k = split(list, a, " ")
      for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    FILENAME == ARGV[1] {
      key = $1 SUBSEP $2
      wall[key] = wall[key] " " $4
      if ($5 > rss[key]) rss[key] = $5
      t[$1, $2, $3] = $4
      if ($2 == "floor") runs[$1] = runs[$1] " " $3
      next
    }
    {
      n = $1; mb = $2 / 1e6; split($3, q, " ")
      w = median(wall[n, "samestory"]); m = rss[n, "samestory"] * 1024 / 1e6
      line = sprintf("| %9d | %8.1f | %8.3f | %10.0f | %7.1f | %8.1f | %7.1f |", n, mb, w, n / w, mb / w, m, w / n * 1e6)
      if (have_floor) {
        ratios = ""; k = split(runs[n], rr, " ")
        for (i = 1; i <= k; i++) ratios = ratios " " t[n, "samestory", rr[i]] / t[n, "floor", rr[i]]
        line = line sprintf(" %8.3f | %7.2f |", median(wall[n, "floor"]), median(ratios))
      }
      print line sprintf(" %7s | %9s |", q[1], q[2])
      if (!rows++ || n < n0) { n0 = n; w0 = w; m0 = m }
      if (n > nl) { nl = n; wl = w; ml = m }
    }
    BEGIN {
      h = "|  articles |       MB |   wall s | articles/s |    MB/s |   RSS MB | us/art. |"
      s = "|----------:|---------:|---------:|-----------:|--------:|---------:|--------:|"
      if (have_floor) { h = h "  floor s | x floor |"; s = s "---------:|--------:|" }
      print h " pair F1 | BCubed F1 |"
      print s "--------:|----------:|"
    }
    END {
      if (nl > n0) {
        printf "\nGrowth from %d to %d articles (x%.4g): wall time x%.4g, so time per article x%.3f" \
          " (1.000 = linear); peak RSS x%.4g, %.0f bytes per extra article.\n",
          n0, nl, nl / n0, wl / w0, (wl / nl) / (w0 / n0), ml / m0, (ml - m0) * 1e6 / (nl - n0)
      }
      if (have_floor) print "\nx floor: median over runs of samestory wall / floor wall, each pair run back to back."
      print "RSS: GNU time peak resident set size; MB = 10^6 bytes; us/art.: wall microseconds per article."
    }
  ' "$RAW" "$rows"
} | tee "$TABLE"
echo "(saved to $TABLE; raw runs in $RAW)" >&2
