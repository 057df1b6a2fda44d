"""Campaign models: steering committees, memberships, the plan and its targets."""
