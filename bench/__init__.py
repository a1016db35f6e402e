"""On-demand benchmarks of the Greenroom API (not part of the product, never run in CI)."""
