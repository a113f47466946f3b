"""Developer tooling: `make bench` and the simulated participants (not shipped in the wheel)."""
