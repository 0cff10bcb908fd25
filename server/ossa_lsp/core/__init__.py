"""Protocol-free engine: text in, findings and answers out. Imports neither pygls nor lsprotocol."""
