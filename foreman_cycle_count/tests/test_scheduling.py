# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Calendar slicing, balancing and tiers: plain functions, no database."""
import datetime
import unittest

from ..lib import discrepancy, scheduling

D = datetime.date


def assert_tiles(test, windows, first, last):
    test.assertEqual(windows[0][0], first)
    test.assertEqual(windows[-1][1], last)
    for (start, end), (next_start, _end) in zip(windows, windows[1:]):
        test.assertLessEqual(start, end)
        test.assertEqual(next_start, end + datetime.timedelta(days=1), "gap or overlap after %s" % end)


class TestCalendarSlicing(unittest.TestCase):

    def test_calendar_year_one_count_four_cycles_gives_quarters(self):
        first, last = scheduling.timeframe_bounds(scheduling.CALENDAR_YEAR, D(2026, 11, 25))
        self.assertEqual(scheduling.split_period(first, last, 4), [
            (D(2026, 1, 1), D(2026, 3, 31)), (D(2026, 4, 1), D(2026, 6, 30)),
            (D(2026, 7, 1), D(2026, 9, 30)), (D(2026, 10, 1), D(2026, 12, 31))])

    def test_two_counts_of_six_cycles_tile_a_leap_year_in_months(self):
        first, last = scheduling.timeframe_bounds(scheduling.CALENDAR_YEAR, D(2024, 5, 5))
        windows = scheduling.split_period(first, last, 2 * 6)
        assert_tiles(self, windows, D(2024, 1, 1), D(2024, 12, 31))
        self.assertEqual(windows[1], (D(2024, 2, 1), D(2024, 2, 29)))

    def test_twelve_counts_of_one_cycle_are_the_months(self):
        windows = scheduling.split_period(D(2025, 1, 1), D(2025, 12, 31), 12)
        self.assertEqual([start.month for start, _end in windows], list(range(1, 13)))
        self.assertEqual(windows[1][1], D(2025, 2, 28))

    def test_rolling_year_starting_mid_month(self):
        first, last = scheduling.timeframe_bounds(
            scheduling.ROLLING_YEAR, D(2026, 11, 25), rolling_start=D(2023, 3, 15))
        self.assertEqual((first, last), (D(2026, 3, 15), D(2027, 3, 14)))
        windows = scheduling.split_period(first, last, 4)
        assert_tiles(self, windows, first, last)
        self.assertEqual(windows[1], (D(2026, 6, 15), D(2026, 9, 14)))

    def test_rolling_year_before_its_anniversary_is_last_years(self):
        self.assertEqual(
            scheduling.timeframe_bounds(scheduling.ROLLING_YEAR, D(2026, 2, 1), rolling_start=D(2024, 3, 15)),
            (D(2025, 3, 15), D(2026, 3, 14)))

    def test_rolling_year_from_leap_day(self):
        first, last = scheduling.timeframe_bounds(
            scheduling.ROLLING_YEAR, D(2025, 6, 1), rolling_start=D(2024, 2, 29))
        self.assertEqual((first, last), (D(2025, 2, 28), D(2026, 2, 27)))
        assert_tiles(self, scheduling.split_period(first, last, 12), first, last)

    def test_counts_not_dividing_twelve_split_by_days(self):
        windows = scheduling.split_period(D(2024, 1, 1), D(2024, 12, 31), 5)
        assert_tiles(self, windows, D(2024, 1, 1), D(2024, 12, 31))
        lengths = [(end - start).days + 1 for start, end in windows]
        self.assertEqual(sum(lengths), 366)
        self.assertLessEqual(max(lengths) - min(lengths), 1)


class TestBalancing(unittest.TestCase):

    def test_whole_segments_when_they_fit(self):
        groups = {"row1": [("r1a", 10), ("r1b", 10)], "row2": [("r2", 20)], "row3": [("r3", 20)]}
        pieces = scheduling.split_into_pieces(groups, capacity=20)
        self.assertIn((("r1a", "r1b"), 20), pieces)
        assignment = scheduling.balance_pieces(pieces, 3)
        self.assertEqual(sorted(sum(len(piece) for piece in pieces_of_cycle)
                                for pieces_of_cycle in assignment), [1, 1, 2])

    def test_oversized_segment_is_split_by_location(self):
        pieces = scheduling.split_into_pieces({"big": [("a", 30), ("b", 30)], "small": [("c", 5)]}, 35)
        self.assertEqual(sorted(pieces), [(("a",), 30), (("b",), 30), (("c",), 5)])

    def test_busiest_cycle_at_most_one_piece_above_quietest(self):
        pieces = [(str(i), size) for i, size in enumerate([7, 3, 9, 1, 12, 5, 5, 8, 2, 6])]
        sizes = dict(pieces)
        assignment = scheduling.balance_pieces(pieces, 4)
        loads = [sum(sizes[key] for key in keys) for keys in assignment]
        self.assertLessEqual(max(loads) - min(loads), max(sizes.values()))
        self.assertEqual(sorted(key for keys in assignment for key in keys), sorted(sizes))


class TestSplittingLocations(unittest.TestCase):

    @staticmethod
    def one_location(products, location="spares"):
        units = {location: [(product, 1) for product in products]}
        return {"segment": [location]}, units

    @staticmethod
    def loads(assignment, parts):
        sizes = {unit: dict(unit_parts) for unit, unit_parts in parts.items()}
        return [sum(sum(sizes[unit][key] for key in (keys or sizes[unit])) for unit, keys in cycle)
                for cycle in assignment]

    def test_forty_products_in_one_location_over_four_cycles(self):
        groups, parts = self.one_location(["P%02d" % i for i in range(40)])
        assignment = scheduling.distribute(groups, parts, 4)
        self.assertEqual(self.loads(assignment, parts), [10, 10, 10, 10])
        counted = [key for cycle in assignment for _unit, keys in cycle for key in keys]
        self.assertEqual(sorted(counted), sorted(key for key, _size in parts["spares"]), "each product once")
        # runs of consecutive products, in the order given
        self.assertEqual(assignment[0], [("spares", tuple("P%02d" % i for i in range(10)))])

    def test_splitting_is_stable_and_level_when_it_does_not_divide(self):
        groups, parts = self.one_location(range(41))
        first = scheduling.distribute(groups, parts, 4)
        self.assertEqual(first, scheduling.distribute(groups, parts, 4))
        self.assertEqual(sorted(self.loads(first, parts)), [10, 10, 10, 11])

    def test_small_locations_stay_whole_next_to_a_big_one(self):
        parts = {"big": [("b%d" % i, 1) for i in range(30)], "small1": [("s1", 3), ("s2", 2)],
                 "small2": [("t1", 5)]}
        groups = {"seg": ["big"], ("location", "small1"): ["small1"], ("location", "small2"): ["small2"]}
        assignment = scheduling.distribute(groups, parts, 4)
        self.assertEqual(self.loads(assignment, parts), [10, 10, 10, 10])
        entries = [entry for cycle in assignment for entry in cycle]
        self.assertIn(("small1", None), entries)
        self.assertIn(("small2", None), entries)
        big = [key for unit, keys in entries if unit == "big" for key in keys]
        self.assertEqual(sorted(big), sorted(key for key, _size in parts["big"]))

    def test_a_location_partly_counted_is_never_whole(self):
        parts = {"spares": [("a", 1), ("b", 1)]}
        assignment = scheduling.distribute({"seg": ["spares"]}, parts, 1, partial={"spares"})
        self.assertEqual(assignment, [[("spares", ("a", "b"))]])
        self.assertEqual(scheduling.distribute({"seg": ["spares"]}, parts, 1), [[("spares", None)]])

    def test_runs_differ_by_at_most_one_part(self):
        runs = scheduling.split_parts([(i, 1) for i in range(23)], 6)
        self.assertEqual([size for _keys, size in runs], [6, 6, 6, 5])
        self.assertEqual([key for keys, _size in runs for key in keys], list(range(23)))


class TestRemainingWindows(unittest.TestCase):

    def test_mid_year_windows_tile_what_is_left(self):
        last = scheduling.timeframe_bounds(scheduling.CALENDAR_YEAR, D(2026, 8, 15))[1]
        windows = scheduling.remaining_windows(D(2026, 8, 15), last, 4)
        self.assertEqual(len(windows), 4)
        assert_tiles(self, windows, D(2026, 8, 15), D(2026, 12, 31))
        self.assertTrue(all(end >= D(2026, 8, 15) for _start, end in windows))
        lengths = [(end - start).days + 1 for start, end in windows]
        self.assertLessEqual(max(lengths) - min(lengths), 1)

    def test_fewer_windows_than_cycles_when_days_run_out(self):
        windows = scheduling.remaining_windows(D(2026, 12, 30), D(2026, 12, 31), 4)
        self.assertEqual(windows, [(D(2026, 12, 30), D(2026, 12, 30)), (D(2026, 12, 31), D(2026, 12, 31))])

    def test_nothing_left_after_the_last_day(self):
        self.assertEqual(scheduling.remaining_windows(D(2027, 1, 1), D(2026, 12, 31), 4), [])


class TestTiers(unittest.TestCase):

    def test_knowledge_base_bands(self):
        self.assertEqual(discrepancy.classify_tier(-3, -60, 5, 1000), "minor")
        self.assertEqual(discrepancy.classify_tier(-10, -100, 5, 1000), "major")
        self.assertEqual(discrepancy.classify_tier(7, 70, 5, 1000), "major", "6-9 units fall major")
        self.assertEqual(discrepancy.classify_tier(-1, -3500, 5, 1000), "major", "high value")
        self.assertEqual(discrepancy.classify_tier(-1, -1, 5, 1000, high_value_category=True), "major")

    def test_rate(self):
        self.assertEqual(discrepancy.discrepancy_rate(3, 60), 5.0)
        self.assertEqual(discrepancy.discrepancy_rate(0, 0), 0.0)
