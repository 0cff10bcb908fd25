"""Package data for the policy rules: the model registry (`models.json`) and ISO 4217 currency codes
(`currencies.json`). Read with `importlib.resources` so they work from a wheel; never fetched."""
