#!/usr/bin/env bash
# Runs benches/load.rs checked and unchecked, taking turns, and prints one Markdown table.
#
#   benches/load.sh                  # nine runs of each build; about 2 minutes once built
#   LOAD_RUNS=21 benches/load.sh     # more runs (see benches/load.rs for every other setting)
#
# Two builds of one bench: a plain release build (lock-rank unchecked) and `--features enforce`
# (checked), both with the `tokio` feature. Each run of a build runs every size in a child process
# of its own; the table gives, per size, the median over the runs of the time per task (or thread)
# and of the peak resident memory (VmHWM).
set -euo pipefail
cd "$(dirname "$0")/.."
unset RUST_BACKTRACE RUST_LIB_BACKTRACE LOCK_RANK_BACKTRACE

exe() {
    cargo bench --quiet --bench load --no-run --message-format=json "$@" 2>/dev/null |
        sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1
}
unchecked=$(exe --features tokio)
checked=$(exe --features tokio,enforce)

rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
# Nine by default: on 2 cores a whole launch is fast or slow (how the two workers and the
# spawning thread happen to share the cores), by up to 2x, in both builds alike.
runs="${LOAD_RUNS:-9}"
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
for _ in $(seq "$runs"); do
    "$unchecked" | grep '^load' >>"$rows"
    "$checked" | grep '^load' >>"$rows"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
echo "Machine: $(nproc) cores, ${cpu:-unknown CPU}; $(rustc --version)."
echo "Load average before / after: ${load_before} / ${load_after}. Each cell: the median of ${runs} runs."
echo

awk -F'\t' '
function mid(list,    v, m, i, j, t) {
    m = split(list, v, " ")
    for (i = 1; i <= m; i++) if (v[i] == "timeout") return "timeout"
    for (i = 2; i <= m; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
}
function ns(x) { return x == "timeout" ? "did not finish" : sprintf("%.0f", x) }
function mb(x) { return x == "-" || x == "" ? "-" : sprintf("%.1f", x / 1024) }
$1 == "load" {
    key = $3 SUBSEP $4
    if (!(key in seen)) { seen[key] = 1; order[++n] = key; shape[key] = $3; size[key] = $4 }
    time[key, $2] = time[key, $2] " " $5
    peak[key, $2] = peak[key, $2] " " $6
}
END {
    print "| Live at once | unchecked, ns each | checked, ns each | checked / unchecked | unchecked, peak MB | checked, peak MB |"
    print "|---|---:|---:|---:|---:|---:|"
    for (i = 1; i <= n; i++) {
        k = order[i]
        u = mid(time[k, "unchecked"]); c = mid(time[k, "checked"])
        ratio = (u == "timeout" || c == "timeout") ? "-" : sprintf("%.2f", c / u)
        printf "| %s %s | %s | %s | %s | %s | %s |\n", size[k], shape[k], ns(u), ns(c), ratio,
            mb(mid(peak[k, "unchecked"])), mb(mid(peak[k, "checked"]))
    }
}' "$rows"
