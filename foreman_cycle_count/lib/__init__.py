"""Computation that needs no database: calendar slicing, work balancing,
discrepancy tiers and rates. Models call these; tests call them directly."""
