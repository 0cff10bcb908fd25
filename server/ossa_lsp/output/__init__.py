"""What people and other tools read: check reports, generated docs, the agent graph."""
