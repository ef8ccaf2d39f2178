"""The task queue: publish due posts, sync inboxes, rescore, weekly digest."""
