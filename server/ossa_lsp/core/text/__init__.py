"""Text: parsing with spans, the position codec, the cursor."""
