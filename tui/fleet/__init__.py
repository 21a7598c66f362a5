"""One rollout across many tenants: the fleet file, per-tenant sessions, the sign-in, the runner.

See docs/fleet.md."""
