"""Whole elections built for real on this computer: the election builder of the demonstration
(``verivote demo``), the tests and the benchmarks.

Nothing is simulated but the members' choices and the calendar: every entry is built by the
producers' own code (election/admin.py, trustee.py, issuer.py, voter.py) with real crypto,
signed, and posted to a board that runs the election's rules: in memory, or a real board over
HTTP on a clock the builder moves.

    plan = ElectionPlan("nec-2027", contests=CONTESTS_TOML, nominees={...}, members=400_000,
                        trustees=5, threshold=3, absent=frozenset({3}), start=T0)
    builder = ElectionBuilder(plan, MemoryBoard(plan.election))   # or an HttpBoard
    builder.prepare()                          # definition ... credentials: voting opens
    builder.vote_all([(m, random_choices(rng, builder.params, m.style)) for m in builder.members])
    result = builder.count()                   # tally, decryptions, result
    builder.board.write_export(path, board_key)

Modules: ``plan`` (ElectionPlan, Nominee, Timetable, RoleKeys), ``builder``
(ElectionBuilder, Member), ``boards`` (MemoryBoard, HttpBoard), ``served`` (a board served in
this process on a SimulatedClock; needs the ``board`` extra), ``choices`` (simulated members'
choices), ``plans`` (the demonstration's and the benchmarks' elections).
"""
