"""Commands: `seed_demo` loads the demo conference."""
