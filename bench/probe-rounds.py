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
import sys

from zoo_patches import cover

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
    """The window probe covering most of the trojan's patch (ties: the better placed)."""
    h, w = report["encoder"]["inputSpec"]["inputSize"]
    ranked = windows(report)
    if not ranked:
        return None
    return min(ranked, key=lambda name: (-cover(trig, h, w, name), ranked[name]["ranking"]["rank"]))


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
