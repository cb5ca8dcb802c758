"""Spec §12 Counting rules: Scottish STV, Meek STV, IRV, quota constraints, lots, block vote.

Pure functions over immutable values; values are exact integers (no floats anywhere).
"""
