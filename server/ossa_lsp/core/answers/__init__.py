"""Pure answers for editors: completion, hover, outline."""
