"""The world map: vendored Natural Earth outlines drawn as SVG, each partner shaded by its count in the
current filter and linked to its profile, with a table of the same numbers."""

import re

from django.db.models import Count

from contributions import geo
from contributions.models import Nation
from tests.factories import ContributionFactory, NationFactory


def shaded(html):
    """{profile URL: shade step} of the map's linked countries."""
    return {
        url: int(step)
        for url, step in re.findall(r'<a href="([^"]+)" aria-label="[^"]+"><path class="country shade-(\d)"', html)
    }


def test_the_outlines_cover_the_partners_and_stay_inside_the_drawing():
    shapes = geo.outlines()
    assert {"FR", "US", "IQ", "SY", "AU", "JO", "AE", "DE", "IT", "TR"} <= set(shapes)
    # Russia crosses the antimeridian: it is drawn whole, from both edges, and no stripe spans the map.
    for code, path in shapes.items():
        for ring in path.split("M")[1:]:
            xs = [int(x) for x in re.findall(r"(-?\d+),", ring)]
            assert max(xs) - min(xs) < geo.WIDTH * 0.75, code


def test_a_count_is_shaded_by_its_share_of_the_largest():
    assert [geo.shade(n, 10) for n in (0, 1, 2, 3, 5, 9, 10)] == [0, 1, 1, 2, 3, 5, 5]
    assert geo.shade(3, 0) == 0


def test_the_home_map_shades_and_links_every_contributing_nation(client, cast):
    html = client.get("/").content.decode()
    links = shaded(html)
    assert links[cast.france.get_absolute_url()] >= 1
    most = Nation.objects.annotate(n=Count("contributions")).order_by("-n").first()
    assert links[most.get_absolute_url()] == geo.SHADES
    assert "Contributions by nation" in html
    # The table has every nation the map shades.
    table = html[html.index('<figure class="world-map">') :]
    for url in links:
        assert f'<th scope="row"><a href="{url}">' in table


def test_the_list_map_counts_only_what_the_filters_select(client, cast):
    links = shaded(client.get("/contributions/", {"category": "financial"}).content.decode())
    assert set(links) == {
        c.nation.get_absolute_url() for c in cast.values() if getattr(c, "category", None) == "financial"
    }
    assert set(shaded(client.get("/contributions/", {"nation": "fr"}).content.decode())) == {
        cast.france.get_absolute_url()
    }


def test_a_partner_too_small_to_draw_is_still_in_the_table(client, cast):
    bahrain = NationFactory(country="BH", name="Bahrain")
    ContributionFactory(nation=bahrain)
    html = client.get("/").content.decode()
    assert bahrain.get_absolute_url() not in shaded(html)
    assert f'<a href="{bahrain.get_absolute_url()}">Bahrain</a>' in html
    assert "Too small to draw at this scale: Bahrain." in html
