"""Modal screens: confirmations, the device code, the discovery recipes, help."""
