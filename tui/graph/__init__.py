"""The only place that talks to Microsoft Graph (msgraph-sdk's pipeline, lazily imported)."""
