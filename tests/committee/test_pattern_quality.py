"""What suppression leaves readable: figures that name no one are not withheld for nothing."""

from __future__ import annotations

from lms import db
from lms.competence import services as competence_services
from lms.learning import summaries
from lms.reports.aggregate.suppression import Relation, Table, bounds, suppress
from tests.committee.test_dashboard import _page, _table

K = 5


def test_a_count_shown_as_small_elsewhere_is_known_to_be_small():
    """H (3 people) is "< 5" in the headcount table and unpublished here; its levels are L0 = 0 and
    L1 = 3. The reader knows H < 5 from the other table, so showing L0 = 0 adds nothing and must not be
    taken for a leak; unmarked, the audit withholds the zero for nothing."""
    values = {"T": 20, "H": 3, "G": 17, "L0": 0, "L1": 3}
    relations = [Relation("T", ("H", "G")), Relation("H", ("L0", "L1"))]
    marked = Table(values, relations, unpublished=frozenset({"H", "G"}), fixed=frozenset({"T"}),
                   marked=frozenset({"H"}))
    published = suppress(marked, K)
    assert published.value("L0") == 0 and published.is_small("L1")
    unknown = {"H", "G", "L1"}
    # what the reader learns about the small counts is what the markers say: [1, 4]
    assert bounds(values, relations, unknown, frozenset({"L1", "H"}), K, "L1") == (1.0, 4.0)
    assert bounds(values, relations, unknown, frozenset({"L1", "H"}), K, "H") == (1.0, 4.0)
    unmarked = suppress(Table(values, relations, unpublished=frozenset({"H", "G"}), fixed=frozenset({"T"})), K)
    assert unmarked.value("L0") is None


def test_units_no_target_reaches_show_zero_not_a_dash(committee_city, client, login_as):
    competence_services.create_target("recht", 1, org_unit_id=committee_city["units"]["F"].id,
                                      position_pattern=None, note="", by=None)
    summaries.sync_all()
    db.session.commit()
    login_as("committee")
    targets = _table(_page(client, "?bereich=recht")[1], "ziele")
    # D (with a sub-unit of 3) and E: no target of the area reaches them, so 0 of 0 names no one
    assert targets["Dezernat Bürgerdienste (D)"][:2] == ["0", "0"]
    assert targets["Amt für Umwelt (E)"][:2] == ["0", "0"]
    assert targets["Feuerwehr (F)"][:2] == ["20", "0"]
    inside = _table(_page(client, "?bereich=recht&einheit=D")[1], "ziele")
    # the sub-unit of 3 too: its "0 with a target" is known from the list of targets
    assert inside["Standesamt (S1)"][:2] == ["0", "0"]
    assert inside["Bürgerbüro (S2)"][:2] == ["0", "0"]


def test_the_cells_no_target_reaches_are_known_zeros(committee_city, app):
    from lms.reports.aggregate import figures

    units = committee_city["units"]
    competence_services.create_target("recht", 1, org_unit_id=units["S2"].id, position_pattern=None, note="",
                                      by=None)
    summaries.sync_all()
    db.session.commit()
    with app.test_request_context():
        tree = figures._tree()
        counts = figures._own_counts(figures.parse_filters({}, summaries.today()).as_of)
        paths = [units["S2"].path]
        known = figures._outside_targets(tree, paths, counts.get(("target", "recht", 0), {}))
    reached = {cell[1:] for cell in known if cell[0] == ("with",)}
    sub, own = figures.SUB, figures.OWN
    # S1, E and F: no target of the area reaches them; D contains S2, the target's unit
    assert {(units[c].id, sub) for c in ("S1", "E", "F")} <= reached
    assert (units["D"].id, own) in reached  # D's own staff (none) are outside S2
    assert (units["D"].id, sub) not in reached and (units["S2"].id, sub) not in reached
    # the target for everyone in "grundlagen" reaches every unit
    with app.test_request_context():
        assert figures._outside_targets(tree, [None], counts.get(("target", "grundlagen", 0), {})) == set()
