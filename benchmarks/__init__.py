"""asv benchmarks of the demand kernels (see asv.conf.json at the repository root)."""
