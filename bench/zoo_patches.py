"""Where a zoo trojan's patch lies and which window probe covers it, for the probe-ranking scripts of bench/.

A trojan's patch is placed as attack-lab's PatchTrigger places it (its 2-px margin, nine positions, bars); a window
probe is named as a report's `starts[].start` names it ("window 10px at (top,left)").
"""
import re

MARGIN = 2  # attack-lab PatchTrigger.MARGIN


def patch_box(trigger, h, w):
    """Top, left, width and height of the patch a zoo.json `trigger` stamps on an h x w image."""
    pw = trigger["size"]
    ph = trigger.get("height") or pw
    top, bottom, left, right = MARGIN, h - MARGIN - ph, MARGIN, w - MARGIN - pw
    row, col = (h - ph) // 2, (w - pw) // 2
    top, left = {"BOTTOM_RIGHT": (bottom, right), "TOP_LEFT": (top, left), "CENTER": (row, col),
                 "TOP_RIGHT": (top, right), "BOTTOM_LEFT": (bottom, left), "TOP": (top, col), "BOTTOM": (bottom, col),
                 "LEFT": (row, left), "RIGHT": (row, right)}[trigger["position"]]
    return top, left, pw, ph


def cover(trigger, h, w, start):
    """The share of the patch inside the window a start names (0 for a start that is not a window)."""
    m = re.match(r"window (\d+)px at \((\d+),(\d+)\)", start)
    if not m:
        return 0.0
    ws, wt, wl = int(m.group(1)), int(m.group(2)), int(m.group(3))
    top, left, pw, ph = patch_box(trigger, h, w)
    rows = max(0, min(top + ph, wt + ws) - max(top, wt))
    cols = max(0, min(left + pw, wl + ws) - max(left, wl))
    return rows * cols / (pw * ph)
