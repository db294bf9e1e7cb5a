# Copyright 2026 Foreman
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Value accuracy, trends, the hotspot rule and Pareto classes: plain functions, no database."""
import unittest

from ..lib import accuracy


class TestValueAccuracy(unittest.TestCase):

    def test_share_of_book_value_confirmed(self):
        self.assertAlmostEqual(accuracy.value_accuracy(30.0, 600.0), 95.0)
        self.assertEqual(accuracy.value_accuracy(0.0, 570.0), 100.0)

    def test_nothing_on_the_books(self):
        self.assertEqual(accuracy.value_accuracy(0.0, 0.0), 100.0)
        self.assertEqual(accuracy.value_accuracy(10.0, 0.0), 0.0, "all found items, nothing confirmed")
        self.assertEqual(accuracy.value_accuracy(900.0, 600.0), 0.0, "never below zero")


class TestTrend(unittest.TestCase):

    def test_lower_is_better(self):
        self.assertEqual(accuracy.rate_trend(33.33, 16.67), accuracy.BETTER)
        self.assertEqual(accuracy.rate_trend(5.0, 7.5), accuracy.WORSE)
        self.assertEqual(accuracy.rate_trend(100.0 / 3, 33.333), accuracy.STEADY)

    def test_no_trend_without_a_previous_cycle(self):
        self.assertIsNone(accuracy.rate_trend(None, 10.0))


class TestHotspotRule(unittest.TestCase):

    def test_two_consecutive_cycles_above_target(self):
        self.assertTrue(accuracy.is_hotspot([66.7, 33.3], 20.0))
        self.assertTrue(accuracy.is_hotspot([0.0, 33.3, 25.0], 20.0))

    def test_one_cycle_above_target_is_not_enough(self):
        self.assertFalse(accuracy.is_hotspot([33.3], 20.0))
        self.assertFalse(accuracy.is_hotspot([33.3, 0.0], 20.0))
        self.assertFalse(accuracy.is_hotspot([33.3, 0.0, 33.3], 20.0), "not consecutive")

    def test_at_target_is_not_above(self):
        self.assertFalse(accuracy.is_hotspot([20.0, 20.0], 20.0))

    def test_configurable_run_length(self):
        self.assertFalse(accuracy.is_hotspot([30.0, 30.0], 20.0, consecutive=3))
        self.assertTrue(accuracy.is_hotspot([30.0, 30.0, 30.0], 20.0, consecutive=3))

    def test_back_on_target(self):
        self.assertTrue(accuracy.is_back_on_target([33.3, 33.3, 0.0], 20.0))
        self.assertTrue(accuracy.is_back_on_target([33.3, 20.0], 20.0))
        self.assertFalse(accuracy.is_back_on_target([33.3, 20.1], 20.0))
        self.assertFalse(accuracy.is_back_on_target([], 20.0))


class TestParetoClasses(unittest.TestCase):

    def test_eighty_fifteen_five(self):
        # running share before each: 0, 50, 80, 90, 96 %
        classes = accuracy.pareto_classes({"p1": 50, "p2": 30, "p3": 10, "p4": 6, "p5": 4})
        self.assertEqual(classes, {"p1": "A", "p2": "A", "p3": "B", "p4": "B", "p5": "C"})

    def test_the_key_crossing_a_cutoff_stays_in_the_class_below_it(self):
        self.assertEqual(accuracy.pareto_classes({"x": 79, "y": 21}), {"x": "A", "y": "A"})
        self.assertEqual(accuracy.pareto_classes({"x": 80, "y": 20}), {"x": "A", "y": "B"})

    def test_nothing_moved_is_class_c(self):
        self.assertEqual(accuracy.pareto_classes({"a": 10, "b": 0, "c": -5}), {"a": "A", "b": "C", "c": "C"})
        self.assertEqual(accuracy.pareto_classes({"a": 0, "b": 0}), {"a": "C", "b": "C"})

    def test_ties_are_ranked_by_key(self):
        self.assertEqual(accuracy.pareto_classes({2: 10, 1: 10}, cutoffs=(50.0, 100.0)), {1: "A", 2: "B"})

    def test_custom_cutoffs(self):
        classes = accuracy.pareto_classes({"p1": 50, "p2": 30, "p3": 10, "p4": 6, "p5": 4}, cutoffs=(50.0, 90.0))
        self.assertEqual(classes, {"p1": "A", "p2": "B", "p3": "B", "p4": "C", "p5": "C"})

    def test_cutoffs_must_rise(self):
        with self.assertRaises(ValueError):
            accuracy.pareto_classes({"a": 1}, cutoffs=(95.0, 80.0))
        with self.assertRaises(ValueError):
            accuracy.pareto_classes({"a": 1}, cutoffs=(0.0, 80.0))
