#!/usr/bin/env python3
"""SVG plots of `trainsim validate --json` reports (Python standard library only).

    plot_validation.py REPORT.json... --out DIR

writes, for each REPORT.json, DIR/validation_scatter_REPORT.svg (predicted vs
measured step time on log axes, with the y = x line and the +-10% band), and
DIR/validation_error_by_group.svg (signed step-time error of every row of all
reports by group: a strip chart with the median).
A row's group is its family (sc21, bloom, nemo, ...); vTrain rows are split by
file (runs_multi, runs_single). Output is deterministic: the same reports give
byte-identical SVG.
"""
import argparse
import json
import math
import os
import zlib

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]
FONT = 'font-family="sans-serif" font-size="12"'


def group_of(row):
    if row["family"] == "vtrain":
        return "vtrain " + os.path.splitext(os.path.basename(row["file"]))[0].replace("runs_", "")
    return row["family"]


def load_rows(paths):
    rows = []
    for p in paths:
        with open(p) as f:
            rows.extend(json.load(f)["rows"])
    return [r for r in rows if r["status"] == "ok" and r["error"] is not None]


def groups_in_order(rows):
    seen = []
    for r in rows:
        if group_of(r) not in seen:
            seen.append(group_of(r))
    return seen


def jitter(key, width):
    """A deterministic offset in [-width/2, width/2] from the row id."""
    return (zlib.crc32(key.encode()) % 1000 / 999 - 0.5) * width


class Svg:
    def __init__(self, width, height):
        self.w, self.h, self.parts = width, height, []

    def add(self, text):
        self.parts.append(text)

    def line(self, x1, y1, x2, y2, stroke="#000", width=1, dash=None):
        d = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" stroke-width="{width}"{d}/>')

    def text(self, x, y, s, anchor="middle", rotate=None, size=12):
        rot = f' transform="rotate({rotate} {x:.1f} {y:.1f})"' if rotate else ""
        s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        self.add(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-family="sans-serif" font-size="{size}"{rot}>{s}</text>')

    def circle(self, x, y, r, fill, opacity=0.7):
        self.add(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{fill}" fill-opacity="{opacity}"/>')

    def polygon(self, points, fill, opacity):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        self.add(f'<polygon points="{pts}" fill="{fill}" fill-opacity="{opacity}" stroke="none"/>')

    def write(self, path):
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.w}" height="{self.h}" '
                f'viewBox="0 0 {self.w} {self.h}">\n<rect width="100%" height="100%" fill="#fff"/>\n')
        with open(path, "w") as f:
            f.write(head + "\n".join(self.parts) + "\n</svg>\n")


def legend(svg, groups, colour, x, y):
    for i, g in enumerate(groups):
        svg.circle(x, y + 16 * i, 4, colour[g], 1)
        svg.text(x + 10, y + 16 * i + 4, g, anchor="start")


def scatter(rows, path, title):
    left, top, size = 70, 30, 460
    svg = Svg(left + size + 170, top + size + 60)
    values = [r["measured_step_time_s"] for r in rows] + [r["predicted_step_time_s"] for r in rows]
    lo, hi = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
    pos = lambda v: (math.log10(v) - lo) / (hi - lo) * size
    X = lambda v: left + pos(v)
    Y = lambda v: top + size - pos(v)
    a, b = 10 ** lo, 10 ** hi
    svg.polygon([(X(a), Y(a * 1.1)), (X(b / 1.1), Y(b)), (X(b), Y(b)), (X(b), Y(b * 0.9)), (X(a), Y(a * 0.9))], "#888", 0.18)
    svg.line(X(a), Y(a), X(b), Y(b), "#444", 1)
    for e in range(lo, hi + 1):
        for m in ([1, 2, 5] if e < hi else [1]):
            v = m * 10 ** e
            svg.line(X(v), top, X(v), top + size, "#ddd" if m > 1 else "#bbb", 0.5)
            svg.line(left, Y(v), left + size, Y(v), "#ddd" if m > 1 else "#bbb", 0.5)
            if m == 1 or hi - lo <= 3:  # minor labels only where they do not collide
                svg.text(X(v), top + size + 16, f"{v:g}")
                svg.text(left - 6, Y(v) + 4, f"{v:g}", anchor="end")
    svg.add(f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" stroke="#000"/>')
    groups = groups_in_order(rows)
    colour = {g: COLOURS[i % len(COLOURS)] for i, g in enumerate(groups)}
    for r in rows:
        svg.circle(X(r["measured_step_time_s"]), Y(r["predicted_step_time_s"]), 2.5, colour[group_of(r)])
    svg.text(left + size / 2, top + size + 40, "measured step time [s]")
    svg.text(20, top + size / 2, "predicted step time [s]", rotate=-90)
    svg.text(left + size / 2, 18, title + ": predicted vs measured step time (grey band: within 10%)", size=13)
    legend(svg, groups, colour, left + size + 20, top + 10)
    svg.write(path)


def error_by_group(rows, path):
    groups = groups_in_order(rows)
    left, top, height, col = 70, 30, 400, 110
    svg = Svg(left + col * len(groups) + 20, top + height + 60)
    errors = [100 * r["error"] for r in rows]
    lo = min(-20, 10 * math.floor(min(errors) / 10))
    hi = max(20, 10 * math.ceil(max(errors) / 10))
    Y = lambda e: top + (hi - e) / (hi - lo) * height
    width = col * len(groups)
    svg.polygon([(left, Y(10)), (left + width, Y(10)), (left + width, Y(-10)), (left, Y(-10))], "#888", 0.18)
    step = 10 if hi - lo <= 100 else 20
    for e in range(int(lo), int(hi) + 1, step):
        svg.line(left, Y(e), left + width, Y(e), "#bbb" if e else "#444", 0.5 if e else 1)
        svg.text(left - 6, Y(e) + 4, f"{e:+d}%" if e else "0", anchor="end")
    for i, g in enumerate(groups):
        cx = left + col * (i + 0.5)
        mine = sorted(100 * r["error"] for r in rows if group_of(r) == g)
        for r in rows:
            if group_of(r) == g:
                svg.circle(cx + jitter(r["id"], col * 0.6), Y(100 * r["error"]), 2.2, COLOURS[i % len(COLOURS)], 0.55)
        med = mine[len(mine) // 2] if len(mine) % 2 else (mine[len(mine) // 2 - 1] + mine[len(mine) // 2]) / 2
        svg.line(cx - col * 0.4, Y(med), cx + col * 0.4, Y(med), "#000", 2)
        svg.text(cx, top + height + 18, g)
        svg.text(cx, top + height + 34, f"n={len(mine)}", size=11)
    svg.add(f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="none" stroke="#000"/>')
    svg.text(20, top + height / 2, "step-time error (predicted / measured - 1)", rotate=-90)
    svg.text(left + width / 2, 18, "Step-time error by group (bar: median; grey band: within 10%)", size=13)
    svg.write(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("reports", nargs="+", help="trainsim validate --json outputs")
    ap.add_argument("--out", required=True, help="folder for the SVG files")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    every = []
    for report in args.reports:
        rows = load_rows([report])
        if not rows:
            raise SystemExit("plot_validation.py: no compared rows in " + report)
        stem = os.path.splitext(os.path.basename(report))[0]
        scatter(rows, os.path.join(args.out, f"validation_scatter_{stem}.svg"), stem)
        every.extend(rows)
    error_by_group(every, os.path.join(args.out, "validation_error_by_group.svg"))


if __name__ == "__main__":
    main()
