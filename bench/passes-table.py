#!/usr/bin/env python3
"""Work per verdict of two or more zoo evaluations on the same encoders (docs/eval/base-ratio-lean.md).

    bench/passes-table.py NAME=EVAL.json[,EVAL.json...] NAME=...

Each NAME is one search; several eval.json files for one name are merged, a later file's row replacing an earlier one's
for the same model (e.g. the default's clean encoders from a whole-zoo run, its trojans from a rerun stopped at the
verdict). Only the models every name has are compared. Prints, per name: right verdicts, median and maximum
image-passes and seconds, all and by label, and the first name's figures divided by each other's.
"""
import json
import statistics
import sys


def load(spec):
    rows = {}
    for path in spec.split(","):
        for r in json.load(open(path))["rows"]:
            rows[r["model"]] = r
    return rows


def main(args):
    if len(args) < 2 or any("=" not in a for a in args):
        sys.exit(__doc__)
    runs = [(a.split("=", 1)[0], load(a.split("=", 1)[1])) for a in args]
    common = sorted(set.intersection(*(set(rows) for _, rows in runs)))
    print(f"{len(common)} encoders in every run\n")
    print("| search | right | passes median / max | trojans: median / max | clean: median / max | seconds median / max |")
    print("|---|---|---|---|---|---|")
    figures = {}
    for name, rows in runs:
        rs = [rows[m] for m in common]
        right = sum((r["verdict"] == "trojaned") == r["trojaned"] for r in rs)
        p = [r["imagePasses"] for r in rs]
        pt = [r["imagePasses"] for r in rs if r["trojaned"]]
        pc = [r["imagePasses"] for r in rs if not r["trojaned"]]
        s = [r["seconds"] for r in rs]
        figures[name] = (statistics.median(p), max(p), statistics.median(s), max(s))
        print(f"| {name} | {right} of {len(rs)} | {statistics.median(p):,.0f} / {max(p):,} | {statistics.median(pt):,.0f} / "
              f"{max(pt):,} | {statistics.median(pc):,.0f} / {max(pc):,} | {statistics.median(s):.0f} / {max(s):.0f} |")
    first = runs[0][0]
    for name, _ in runs[1:]:
        a, b = figures[first], figures[name]
        print(f"\n{first} / {name}: image-passes median {a[0] / b[0]:.2f}x, max {a[1] / b[1]:.2f}x; "
              f"seconds median {a[2] / b[2]:.2f}x, max {a[3] / b[3]:.2f}x")
    wrong = [(name, m) for name, rows in runs for m in common if (rows[m]["verdict"] == "trojaned") != rows[m]["trojaned"]]
    if wrong:
        print("\nwrong: " + "; ".join(f"{m} ({name}, {runs[[n for n, _ in runs].index(name)][1][m]['pl1']:.3f})" for name, m in wrong))


if __name__ == "__main__":
    main(sys.argv[1:])
