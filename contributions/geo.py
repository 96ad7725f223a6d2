"""The world map: country outlines from the vendored Natural Earth data (contributions/geodata/), as
SVG paths keyed by the alpha-2 codes the nations use, and the shading of each by a count.

Drawn on the server, so the map is plain SVG: no script, no tiles, nothing from another site.
Equirectangular, cropped to 60°S–84°N: Antarctica has no partner and would take a quarter of the height.
"""

import json
from functools import cache
from pathlib import Path

from django_countries import countries

DATA = Path(__file__).parent / "geodata" / "countries-110m.json"
WIDTH = 960
NORTH, SOUTH = 84, -60
SCALE = WIDTH / 360
HEIGHT = round((NORTH - SOUTH) * SCALE)
# Shades from light to dark; a count falls in the step of its share of the largest.
SHADES = 5


def _project(lon, lat):
    # Whole units: at this width a unit is under half a degree, finer than the 1:110m outlines.
    return round((lon + 180) * SCALE), round((NORTH - lat) * SCALE)


def _arcs(topology):
    """Every arc as absolute (lon, lat) points: TopoJSON stores them quantized and delta-encoded."""
    (kx, ky), (dx, dy) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for step_x, step_y in arc:
            x, y = x + step_x, y + step_y
            points.append((x * kx + dx, y * ky + dy))
        decoded.append(points)
    return decoded


def _ring(arcs, indexes):
    points = []
    for index in indexes:
        # A negative index is the one's complement of an arc walked backwards.
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        # Consecutive arcs share their end point.
        points.extend(arc[1:] if points else arc)
    return points


def _unwrapped(ring):
    """The ring with longitudes made continuous: a ring crossing the antimeridian (Russia, Fiji) would
    otherwise jump from +180 to -180 and draw a stripe across the world."""
    points, shift, previous = [], 0, None
    for lon, lat in ring:
        if previous is not None and abs(lon + shift - previous) > 180:
            shift += 360 if previous > lon + shift else -360
        previous = lon + shift
        points.append((previous, lat))
    return points


def _path(rings):
    parts = []
    for ring in rings:
        ring = _unwrapped(ring)
        lons = [lon for lon, _ in ring]
        # A ring that runs past an edge is drawn again from the other side; the drawing clips both.
        copies = [0] + ([-360] if max(lons) > 180 else []) + ([360] if min(lons) < -180 else [])
        for offset in copies:
            projected = []
            for lon, lat in ring:
                point = _project(lon + offset, max(lat, SOUTH))
                # Points that round to the one before add bytes, not shape.
                if not projected or point != projected[-1]:
                    projected.append(point)
            if len(projected) > 2:
                parts.append("M" + "L".join(f"{x},{y}" for x, y in projected) + "Z")
    return "".join(parts)


@cache
def outlines():
    """{alpha-2 code: SVG path data}, for every country the data has a shape and an ISO code for."""
    topology = json.loads(DATA.read_text(encoding="utf-8"))
    arcs = _arcs(topology)
    shapes = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = countries.alpha2(geometry.get("id") or "")
        # Antarctica lies below the crop.
        if not code or code == "AQ":
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        path = _path(_ring(arcs, ring) for polygon in polygons for ring in polygon)
        if path:
            shapes[code] = path
    return shapes


def shade(count, largest):
    """The shade step (1 to SHADES) of a count against the largest; 0 for none."""
    if not count or not largest:
        return 0
    return max(1, min(SHADES, -(-count * SHADES // largest)))


def world_map(rows):
    """The map's context from rows of (code, name, url, count): every country's outline, the partners
    shaded and linked, which countries have no shape at this scale, and the organizations (whose code
    is their slug, never a country's) to list beside it."""
    shapes = outlines()
    largest = max((count for *_, count in rows), default=0)
    partners = {
        code: {"code": code, "name": name, "url": url, "count": count, "shade": shade(count, largest)}
        for code, name, url, count in rows
    }
    countries_drawn = [{"code": code, "path": path, "partner": partners.get(code)} for code, path in shapes.items()]
    # An organization has no outline of its own: it is listed beside the map instead.
    organizations = [p for p in partners.values() if not countries.alpha2(p["code"])]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "countries": countries_drawn,
        "partners": sorted(partners.values(), key=lambda p: (-p["count"], p["name"])),
        "unmapped": sorted(p["name"] for p in partners.values() if p["code"] not in shapes and p not in organizations),
        "organizations": sorted(organizations, key=lambda p: (-p["count"], p["name"])),
        "largest": largest,
        "shades": list(range(1, SHADES + 1)),
    }
