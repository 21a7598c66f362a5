"""The sandbox: an emulated Intune tenant that speaks Microsoft Graph over real HTTP."""
