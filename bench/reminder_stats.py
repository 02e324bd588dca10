#!/usr/bin/env python3
"""Lateness and rate of reminder dispatch from the read model (phase i of bench/run.sh).

Reads a CSV made by bench/run.sh with psql's \\copy, one row per reminder of the phase's queue:
  window (pilot|main), trigger_at, sent_at, applied_at, status, reason
as Unix seconds with microseconds; sent_at is reminder_logs.at of the chat record (the time of the
fact of reminder.delivered = the dispatcher's clock when it built the record), applied_at is
batch_outcomes.applied_at of that record in the entity store (the transaction that made the chat
message queryable); both empty while not delivered.

Prints a human summary and "RESULT name=<window> key=value ..." lines for scripts. Percentiles
interpolate linearly between closest ranks, as PostgreSQL's percentile_cont does.
python3 stdlib only.
"""
import argparse
import csv
import sys


def pct(sorted_values, p):
    if not sorted_values:
        return float("nan")
    pos = p * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def short(x):
    """Seconds for the results table: 3 decimals below 10 s, 1 above."""
    return "%.3f" % x if abs(x) < 10 else "%.1f" % x


def passes(stamps, gap_s):
    """Groups send stamps: a new group after a silence longer than gap_s (a dispatcher pass stamps
    its records one after another, then queries and waits for acknowledgements)."""
    groups = []
    for t in sorted(stamps):
        if groups and t - groups[-1][-1] <= gap_s:
            groups[-1].append(t)
        else:
            groups.append([t])
    return groups


def peak_rate(stamps, width_s):
    """Most sends in any window of width_s seconds (starting at a send), per second."""
    stamps = sorted(stamps)
    best, lo = 0, 0
    for hi, t in enumerate(stamps):
        while t - stamps[lo] > width_s:
            lo += 1
        best = max(best, hi - lo + 1)
    return best / width_s


def rate_over(stamps):
    span = (max(stamps) - min(stamps)) if len(stamps) > 1 else 0.0
    return (len(stamps) / span if span > 0 else float("nan")), span


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--window-start", type=float, required=True, help="Unix time of the main window's start")
    ap.add_argument("--window-s", type=float, required=True)
    args = ap.parse_args()

    rows = {"pilot": [], "main": []}
    with open(args.csv, newline="") as f:
        for window, trigger, sent, applied, status, reason in csv.reader(f):
            rows[window].append((float(trigger), float(sent) if sent else None, float(applied) if applied else None,
                                 status, reason))

    window_end = args.window_start + args.window_s
    for name in ("pilot", "main"):
        rs = rows[name]
        if not rs:
            continue
        n = len(rs)
        delivered = [r for r in rs if r[1] is not None]
        sent = [r for r in delivered if r[3] == "sent"]
        lateness = sorted(r[1] - r[0] for r in delivered)
        visible = sorted(r[2] - r[0] for r in delivered if r[2] is not None)
        to_applied = sorted(r[2] - r[1] for r in delivered if r[2] is not None)
        triggers = [r[0] for r in rs]
        other = {}
        for r in delivered:
            if r[3] != "sent":
                other[r[3] + ":" + r[4]] = other.get(r[3] + ":" + r[4], 0) + 1
        print("%s: %d reminders due %s .. %s (%.0f s), %d delivered (%d sent%s), %d not delivered"
              % (name, n, min(triggers), max(triggers), max(triggers) - min(triggers) + 1, len(delivered), len(sent),
                 "".join(", %d %s" % (v, k) for k, v in sorted(other.items())), n - len(delivered)))
        if not delivered:
            continue
        stamps = [r[1] for r in delivered]
        applied = [r[2] for r in delivered if r[2] is not None]
        rate, span = rate_over(stamps)
        applied_rate, applied_span = rate_over(applied) if applied else (float("nan"), 0.0)
        peak = peak_rate(stamps, 5.0)
        under_1s = 100.0 * sum(1 for x in lateness if x < 1.0) / len(lateness)
        print("  lateness (sent - due): min %.3f p50 %.3f p90 %.3f p99 %.3f max %.3f s; share under 1 s: %.1f %%"
              % (lateness[0], pct(lateness, 0.5), pct(lateness, 0.9), pct(lateness, 0.99), lateness[-1], under_1s))
        if visible:
            print("  chat message applied (entity store) - due: p50 %.3f p99 %.3f max %.3f s; "
                  "sent -> applied p50 %.3f p99 %.3f s"
                  % (pct(visible, 0.5), pct(visible, 0.99), visible[-1], pct(to_applied, 0.5), pct(to_applied, 0.99)))
        print("  sent from %.3f to %.3f s after the main window's start: %.0f reminders/s over %.1f s (busiest 5 s: "
              "%.0f/s); last one %.1f s after the window's end"
              % (min(stamps) - args.window_start, max(stamps) - args.window_start, rate, span, peak,
                 max(stamps) - window_end))
        if applied:
            print("  applied by the entity store from %.3f to %.3f s after the main window's start: %.0f/s over %.1f s"
                  % (min(applied) - args.window_start, max(applied) - args.window_start, applied_rate, applied_span))
        for gap_ms in (100, 20):
            groups = passes(stamps, gap_ms / 1000.0)
            sizes = sorted(len(g) for g in groups)
            starts = [g[0] for g in groups]
            gaps = sorted(b - a for a, b in zip(starts, starts[1:])) or [float("nan")]
            durations = sorted(g[-1] - g[0] for g in groups)
            print("  sends separated by > %d ms (dispatcher passes, or several back to back): %d groups; size p50 %.0f "
                  "max %d; start to next p50 %.3f s p90 %.3f s; duration p50 %.3f s"
                  % (gap_ms, len(groups), pct(sizes, 0.5), sizes[-1], pct(gaps, 0.5), pct(gaps, 0.9),
                     pct(durations, 0.5)))
        print("RESULT name=%s n=%d delivered=%d sent=%d p50_s=%s p90_s=%s p99_s=%s max_s=%s "
              "vis_p50_s=%s vis_p99_s=%s vis_max_s=%s rate=%.0f peak5_rate=%.0f span_s=%.1f drain_s=%.1f "
              "applied_rate=%.0f under_1s_pct=%.1f"
              % (name, n, len(delivered), len(sent), short(pct(lateness, 0.5)), short(pct(lateness, 0.9)),
                 short(pct(lateness, 0.99)), short(lateness[-1]), short(pct(visible, 0.5)),
                 short(pct(visible, 0.99)), short(visible[-1] if visible else float("nan")), rate, peak, span,
                 max(stamps) - window_end, applied_rate, under_1s))
    return 0


if __name__ == "__main__":
    sys.exit(main())
