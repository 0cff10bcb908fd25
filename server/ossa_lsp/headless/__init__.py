"""Running check, fix and migrate over many files, with no module-level state."""
