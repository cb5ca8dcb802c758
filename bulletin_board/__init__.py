"""The public bulletin board: append-only Merkle log, signed tree heads, storage, HTTP."""
