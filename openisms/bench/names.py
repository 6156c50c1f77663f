"""Names the generator and the runner share (no Django imports: the runner reads them first)."""

BENCH_SLUG, PEER_SLUG, SMALL_SLUG = "bench", "peer", "small-001"
OWNER_EMAIL = "bench-owner@bench.example"
OWNER_PASSWORD = "bench-owner-2026"  # noqa: S105 - a benchmark login, printed on purpose
SMALL_OWNER_EMAIL = "owner@{slug}.bench.example"
