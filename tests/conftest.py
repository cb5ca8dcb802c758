"""Suite-wide test settings."""

from hypothesis import settings

# Hypothesis' per-example deadline measures wall time, which on a shared two-core CI machine
# says more about the neighbours than about the code; speed is measured by benchmarks/.
settings.register_profile("verivote", deadline=None)
settings.load_profile("verivote")
