#!/usr/bin/env python3
"""Where each trojan's own window came in the lean search's probe ranking (issue 15, stop 41).

Reads a `decree eval ZOO --search lean` output (its scans/*/report.json, whose window starts carry `ranking` since
stop 41) and the zoo's zoo.json (each trojan's patch: size, position, the attack lab's 2-px margin), and prints, per
trojan whose scan reached the window probes, the rank of the window over its patch under both rankings: collapse-first
(the probes that collapse the common batch, smaller mask first, then the rest by similarity: the lean search's until
stop 41) and by gain (similarity gained over the untriggered common batch per unit of mask), both recomputed from each
probe's recorded figures. The window "over the patch" is the one covering most of it (ties: the
best by gain). The scan itself carried whichever ranking it was run with.

usage: bench/probe-ranking.py ZOO_DIR EVAL_DIR
"""
import json
import os
import sys

from zoo_patches import cover

def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    zoo, ev = sys.argv[1], sys.argv[2]
    plan = json.load(open(os.path.join(zoo, "zoo.json")))["encoders"]
    rows = []
    for e in plan:
        trig = (e.get("attack") or {}).get("trigger")
        if e["label"] != "trojaned" or not trig:
            continue
        name = os.path.basename(e["model"])[:-3]
        path = os.path.join(ev, "scans", name, "report.json")
        if not os.path.exists(path):
            continue
        r = json.load(open(path))
        h, w = r["encoder"]["inputSpec"]["inputSize"]
        windows = [s for s in r["starts"] if s.get("ranking")]
        if not windows:
            rows.append((name, trig, None, None, None, r["pl1Norm"], r["verdict"], "decided before the probes"))
            continue
        # The collapse-first order (the lean search's before stop 41), recomputed from what each probe recorded.
        order = sorted(windows, key=lambda x: (not x["ranking"]["collapses"],
                                               x["ranking"]["pl1"] if x["ranking"]["collapses"] else -x["ranking"]["similarity"]))
        collapse_rank = {id(x): i + 1 for i, x in enumerate(order)}
        gain_rank = {id(x): i + 1 for i, x in enumerate(sorted(windows, key=lambda x: -x["ranking"]["gain"]))}
        best = None
        for st in windows:
            share = cover(trig, h, w, st["start"])
            key = (-share, gain_rank[id(st)])
            if best is None or key < best[0]:
                best = (key, st, share)
        _, st, share = best
        rows.append((name, trig, collapse_rank[id(st)], gain_rank[id(st)], share, r["pl1Norm"], r["verdict"], st["start"]))
    print("| trojan | patch | its window | covers | collapse-first rank | gain rank | PL1 | verdict |")
    print("|---|---|---|---|---|---|---|---|")
    for name, trig, rank, gain, share, pl1, verdict, start in rows:
        size = "%dx%d" % (trig["size"], trig["height"]) if trig.get("height", trig["size"]) != trig["size"] else "%d" % trig["size"]
        patch = "%s %spx %s" % (trig["kind"].lower(), size, trig["position"].lower().replace("_", "-"))
        if rank is None:
            print("| %s | %s | %s | | | | %.4f | %s |" % (name, patch, start, pl1, verdict))
        else:
            print("| %s | %s | %s | %.0f %% | %d | %d | %.4f | %s |" % (name, patch, start, 100 * share, rank, gain, pl1, verdict))
    ranked = [x for x in rows if x[2] is not None]
    for label, i in (("collapse-first", 2), ("gain", 3)):
        first = sum(1 for x in ranked if x[i] == 1)
        print("%s: its window first in %d of %d trojans that reached the probes" % (label, first, len(ranked)))


if __name__ == "__main__":
    main()
