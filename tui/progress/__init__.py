"""Rollout progress: who of the targeted users has enrolled through account-driven User
Enrollment (`adue progress`, the wizard's Progress view)."""
