#!/usr/bin/env python3
"""The lean search's window probes in rounds against the same probes in one round (issue 15, stop 46).

Reads two `decree eval` outputs of the same zoo, ONE_ROUND (`--probe-rounds 1`) and ROUNDS (`--probe-rounds 3`, the best
third going on after each round), and the zoo's zoo.json. A probe that goes on makes the steps it makes in one round, so
the rounds search carries the one-round search's window whenever that window stays among the best third after each
round; this prints, per encoder whose scans reached the probes, the window each search carried, that window's place
after each round of the rounds search (its "byRound"), and, for a trojan, the window over its patch (the one covering
most of it) and its places. Then how far inside the cut the one-round search's carried window stayed: its worst place
after round 1 (of 25; kept: 9) and after round 2 (of 9; kept: 3), the margin a different keep fraction would need.

usage: bench/probe-rounds.py ZOO_DIR ONE_ROUND_EVAL ROUNDS_EVAL
"""
import json
import os
import re
import sys

MARGIN = 2  # attack-lab PatchTrigger.MARGIN


def patch_box(trigger, h, w):
    """Top, left, width and height of a trojan's patch, placed as attack-lab's PatchTrigger places it."""
    pw = trigger["size"]
    ph = trigger.get("height") or pw
    top, bottom, left, right = MARGIN, h - MARGIN - ph, MARGIN, w - MARGIN - pw
    row, col = (h - ph) // 2, (w - pw) // 2
    top, left = {"BOTTOM_RIGHT": (bottom, right), "TOP_LEFT": (top, left), "CENTER": (row, col),
                 "TOP_RIGHT": (top, right), "BOTTOM_LEFT": (bottom, left), "TOP": (top, col), "BOTTOM": (bottom, col),
                 "LEFT": (row, left), "RIGHT": (row, right)}[trigger["position"]]
    return top, left, pw, ph


def overlap(a0, a1, b0, b1):
    return max(0, min(a1, b1) - max(a0, b0))


def windows(report):
    return {s["start"]: s for s in report["starts"] if s.get("ranking")}


def carried(report):
    return next((k for k, s in windows(report).items() if s["ranking"]["rank"] == 1), None)


def places(s):
    if s is None:
        return "-"
    r = s["ranking"]
    return "/".join(str(x) for x in (r.get("byRound") or [r["rank"]]))


def patch_window(report, trig):
    h, w = report["encoder"]["inputSpec"]["inputSize"]
    top, left, pw, ph = patch_box(trig, h, w)
    best = None
    for name, st in windows(report).items():
        m = re.match(r"window (\d+)px at \((\d+),(\d+)\)", name)
        ws, wt, wl = int(m.group(1)), int(m.group(2)), int(m.group(3))
        cover = overlap(top, top + ph, wt, wt + ws) * overlap(left, left + pw, wl, wl + ws) / (pw * ph)
        key = (-cover, st["ranking"]["rank"])
        if best is None or key < best[0]:
            best = (key, name)
    return best[1] if best else None


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    zoo, one_dir, rounds_dir = sys.argv[1:]
    plan = json.load(open(os.path.join(zoo, "zoo.json")))["encoders"]
    print("| encoder | label | verdict, one round → rounds | PL1 | image-passes | carried (one round) | carried (rounds) "
          "| its places by round | trojan's window | its places (one round; rounds) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    worst1 = worst2 = 0
    same = reached = 0
    for e in plan:
        name = os.path.basename(e["model"])[:-3]
        a, b = (os.path.join(d, "scans", name, "report.json") for d in (one_dir, rounds_dir))
        if not (os.path.exists(a) and os.path.exists(b)):
            continue
        one, rnd = json.load(open(a)), json.load(open(b))
        c1, c3 = carried(one), carried(rnd)
        tw = ""
        tplaces = ""
        trig = (e.get("attack") or {}).get("trigger")
        if e["label"] == "trojaned" and trig and windows(rnd):
            tw = patch_window(rnd, trig) or ""
            tplaces = "%s; %s" % (places(windows(one).get(tw)), places(windows(rnd).get(tw)))
        if c1 is not None and windows(rnd):
            reached += 1
            same += c1 == c3
            r = windows(rnd)[c1]["ranking"].get("byRound") or []
            worst1 = max(worst1, r[0] if r else 0)
            worst2 = max(worst2, r[1] if len(r) > 1 else 0)
        print("| %s | %s | %s → %s | %.4f → %.4f | %s → %s | %s | %s | %s | %s | %s |" % (
            name, e["label"], one["verdict"], rnd["verdict"], one["pl1Norm"], rnd["pl1Norm"],
            format(one["imagePasses"], ","), format(rnd["imagePasses"], ","), c1 or "(none)", c3 or "(none)",
            places(windows(rnd).get(c1)) if c1 else "", tw, tplaces))
    print()
    print("Both searches carried a window on %d encoders: the same one on %d. The one-round search's carried window "
          "placed at worst %d after round 1 (the best %s go on) and %d after round 2 (the best %s go on)." % (
              reached, same, worst1, "9 of 25", worst2, "3 of 9"))


if __name__ == "__main__":
    main()
