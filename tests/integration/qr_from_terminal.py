#!/usr/bin/env python3
"""qr_from_terminal.py TEXT OUT.pbm: what a text console shows for TEXT
(the output of `wipeproof cert qr`) as a bitmap a QR decoder reads.

Independent of wipeproof's code: it knows only what the characters look
like on a console that draws light characters on black. A full block is two
light modules, an upper or lower half block one light module over or under
a dark one, a space two dark ones. The picture gets a wide dark frame (the
console around the code) and each module becomes 6x6 pixels. Anything else
in TEXT is an error: the screen would show something that is not a code."""
import sys

LIGHT = {" ": (0, 0), "\u2580": (1, 0), "\u2584": (0, 1), "\u2588": (1, 1)}
SCALE, FRAME = 6, 8

lines = open(sys.argv[1], encoding="utf-8").read().rstrip("\n").split("\n")
width = len(lines[0])
rows = []
for n, line in enumerate(lines, 1):
    if len(line) != width:
        sys.exit(f"line {n} has {len(line)} cells, line 1 has {width}")
    top, bottom = [], []
    for ch in line:
        if ch not in LIGHT:
            sys.exit(f"line {n}: {ch!r} is not a half block")
        t, b = LIGHT[ch]
        top.append(t)
        bottom.append(b)
    rows += [top, bottom]
side = width + 2 * FRAME
pixels = []
for r in range(len(rows) + 2 * FRAME):
    src = rows[r - FRAME] if FRAME <= r < FRAME + len(rows) else None
    # PBM: 1 is black (a dark module or the console), 0 white
    line = "".join(
        ("0" if src and FRAME <= c < FRAME + width and src[c - FRAME] else "1") * SCALE
        for c in range(side))
    pixels += [line] * SCALE
with open(sys.argv[2], "w") as f:
    f.write(f"P1\n{side * SCALE} {len(pixels)}\n")
    for line in pixels:
        f.write(line + "\n")
