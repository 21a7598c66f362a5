"""The wizard's screens: one module per step, plus shared widgets and the stylesheet."""
