"""The rollout engine: desired state, tenant read, plan, apply, priority and admin links."""
