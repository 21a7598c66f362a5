"""The fleet table (`adue fleet --fleet FILE`): every tenant's steps and last apply."""
