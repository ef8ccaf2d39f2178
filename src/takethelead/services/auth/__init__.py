"""Who may do what: users, passwords, tokens, memberships, invitations and the caller's rights."""
