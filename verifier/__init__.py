"""The independent verifier: checks a whole election from the published board alone (spec §13).

It trusts nothing but the published bytes and the spec: it imports only ``crypto`` (parsers,
verification functions, Merkle hashing), ``election``'s wire-format parsers, definition reader
and pure counting rules, and the board's pure wire formats (entries, tree heads, receipts). It
never imports the election rules the board runs, the producers (administrator, issuer, trustee,
voter client) nor the board's storage or server; ``tests/verifier/test_independence.py``
enforces this. It replays the rules of §11 itself and recomputes every aggregate and count.

Modules: ``_report`` (the numbered checks and the report), ``_log`` (check 1, one pass over the
export), ``_replay`` (checks 2-10: the dispatch table, one entry type to one check),
``_state`` (the state it folds, one part per check), ``_setup`` (check 2), ``_ceremony`` (3),
``_credentials`` (4), ``_voting`` (5, stateful), ``_ballots`` (5, stateless: in worker
processes, batch-verified), ``_tally`` (6 and 7), ``_result`` (8), ``_mixing`` (9 and 10:
mixes, ranked decryptions, ranked papers and counts), ``_verify`` (the
orchestrator, receipts, downloads). Where a check shares code with the board (wire parsers, the
entry envelope, the counting rules) or re-derives it on purpose, its module docstring says so.
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
