"""Every agent in a workspace and who calls whom."""
