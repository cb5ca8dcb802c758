"""Suite-wide test settings."""

from typing import Any

from hypothesis import settings

# Hypothesis' per-example deadline measures wall time, which on a shared two-core CI machine
# says more about the neighbours than about the code; speed is measured by benchmarks/.
settings.register_profile("verivote", deadline=None)
settings.load_profile("verivote")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The fuzz tests' figures (tests/fuzz/budget.py), summed over every test and worker."""
    by_test: dict[str, dict[str, int]] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            found = {k: v for k, v in getattr(report, "user_properties", ()) if k[:5] == "fuzz_"}
            if found:
                by_test[report.nodeid] = found
    if by_test:
        keys = ("fuzz_inputs", "fuzz_5xx", "fuzz_tracebacks")
        total = {k: sum(f.get(k, 0) for f in by_test.values()) for k in keys}
        terminalreporter.write_line(
            f"fuzzing: {total['fuzz_inputs']} inputs tried, {total['fuzz_5xx']} 5xx seen, "
            f"{total['fuzz_tracebacks']} tracebacks seen ({len(by_test)} fuzz tests)"
        )
