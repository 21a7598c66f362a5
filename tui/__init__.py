"""adue: set up account-driven Apple User Enrollment in Microsoft Intune.

Everything that is not a screen lives in this package. Only `tui.app` may import
textual or `screens`; msgraph and azure.identity are imported lazily, never at
module import time, so `adue --help` and the first frame stay fast.
"""

__version__ = "0.1.0"
