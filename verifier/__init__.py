"""The independent verifier: checks a whole election from the published board alone (spec §13).

It trusts nothing but the published bytes and the spec: it imports only ``crypto`` (parsers,
verification functions, Merkle hashing), ``election``'s wire-format parsers, definition reader
and pure counting rules, and the board's pure wire formats (entries, tree heads, receipts). It
never imports the election rules the board runs, the producers (administrator, issuer, trustee,
voter client) nor the board's storage or server; ``tests/verifier/test_independence.py``
enforces this. It replays the rules of §11 itself and recomputes every aggregate and count.

Modules: ``_report`` (the numbered checks and the report), ``_log`` (check 1, one pass over the
export), ``_ballots`` (the stateless part of check 5, in worker processes, batch-verified),
``_replay`` (checks 2-7), ``_result`` (check 8), ``_verify`` (the orchestrator, receipts,
downloads).
"""

from verifier._log import LeafRecord, LogReader, UnreadableInput
from verifier._replay import Replay
from verifier._report import CHECKS, Finding, Rejected, Report
from verifier._verify import Progress, download_export, verify_export_file, verify_source

__all__ = [
    "CHECKS",
    "Finding",
    "LeafRecord",
    "LogReader",
    "Progress",
    "Rejected",
    "Replay",
    "Report",
    "UnreadableInput",
    "download_export",
    "verify_export_file",
    "verify_source",
]
