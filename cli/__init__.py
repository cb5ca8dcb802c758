"""The ``verivote`` command: one module per command group, each thin over the packages below."""
